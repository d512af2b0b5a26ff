// This file implements finding the cross compiler of an arch and asking it
// about its C library and runtime archives, as py/dynruntime.mk does.

package builder

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/mpyld/mpyld/linker"
)

// MissingToolError says which programs were looked for and where to get them.
type MissingToolError struct {
	Tool    string
	Tried   []string
	Package string
}

func (e *MissingToolError) Error() string {
	msg := fmt.Sprintf("%s not found (tried %s)", e.Tool, strings.Join(e.Tried, ", "))
	if e.Package != "" {
		msg += "; install " + e.Package
	}
	return msg
}

// ccEnv is the environment variable that overrides the compiler of an arch.
func ccEnv(arch string) string { return "MPYLD_CC_" + strings.ToUpper(arch) }

// findCompiler returns the C compiler for a: the --cc override if given,
// else the MPYLD_CC_<ARCH> environment variable if set, else
// <cross prefix>gcc on PATH. A compiler asked for by name is not replaced
// by another one when it is missing.
func findCompiler(a *linker.Arch, override string, getenv func(string) string) (string, error) {
	c, how := a.CrossPrefix+"gcc", ""
	switch {
	case override != "":
		c, how = override, " (from --cc)"
	case getenv(ccEnv(a.Name)) != "":
		c, how = getenv(ccEnv(a.Name)), " (from "+ccEnv(a.Name)+")"
	}
	if p, err := exec.LookPath(c); err == nil {
		return p, nil
	}
	return "", &MissingToolError{Tool: "C compiler for " + a.Name, Tried: []string{c + how}, Package: a.Package}
}

// toolchain is what the build learned from a compiler.
type toolchain struct {
	cc       string
	specs    string // picolibc.specs path, for RISC-V
	musl     bool
	identity string      // changes when the compiler binary changes
	cache    *probeCache // its earlier answers
}

// probe asks the compiler what dynruntime.mk asks it, or takes the answers
// from the probe cache.
func (b *builder) probe(ctx context.Context, a *linker.Arch, cc string) (*toolchain, error) {
	tc := &toolchain{cc: cc, identity: compilerIdentity(cc, b.opt.Getenv)}
	tc.cache = openProbeCache(filepath.Join(b.opt.Dir, "build", "probe-"+a.Name+".cache"), tc.identity)
	if a.ISA == linker.ISARISCV {
		out, err := b.probeOutput(ctx, tc, "", exists, "--print-file-name=picolibc.specs")
		if err != nil {
			return nil, err
		}
		if s := strings.TrimSpace(out); s != "picolibc.specs" && s != "" {
			tc.specs = s
		}
	}
	out, err := b.probeOutput(ctx, tc, "", nil, "-dumpmachine")
	if err != nil {
		return nil, err
	}
	tc.musl = strings.Contains(out, "-musl")
	return tc, nil
}

// runtimeLibs finds libgcc and libm (or picolibc/musl libc) for LINK_RUNTIME.
func (b *builder) runtimeLibs(ctx context.Context, a *linker.Arch, tc *toolchain, dir string, cflags []string) ([]string, error) {
	libm := "libm.a"
	if tc.specs != "" || tc.musl {
		libm = "libc.a"
	}
	var libs []string
	for _, arg := range []string{"--print-libgcc-file-name", "--print-file-name=" + libm} {
		out, err := b.probeOutput(ctx, tc, dir, exists, append(append([]string(nil), cflags...), arg)...)
		if err != nil {
			return nil, err
		}
		p := strings.TrimSpace(out)
		if p == "" || !filepath.IsAbs(p) {
			if tc.specs != "" && strings.HasSuffix(arg, libm) {
				abi := map[string]string{"rv32imc": "rv32imac/ilp32", "rv64imc": "rv64imac/lp64"}[a.Name]
				p = filepath.Join("/usr/lib/picolibc", strings.TrimSuffix(a.CrossPrefix, "-"), "lib", abi, libm)
				if _, err := os.Stat(p); err != nil {
					continue
				}
			} else {
				continue
			}
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		libs = append(libs, p)
	}
	return libs, nil
}

// exists says whether a remembered --print-file-name answer still names a
// file: relative answers mean "not found" and stay valid.
func exists(out string) bool {
	p := strings.TrimSpace(out)
	if !filepath.IsAbs(p) {
		return true
	}
	_, err := os.Stat(p)
	return err == nil
}

// output runs a program and returns its standard output.
func (b *builder) output(ctx context.Context, dir, name string, args ...string) (string, error) {
	b.trace(dir, append([]string{name}, args...))
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v: %s", shellJoin(append([]string{filepath.Base(name)}, args...)), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
