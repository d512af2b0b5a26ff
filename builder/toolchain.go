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
	"runtime"
	"strings"

	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/mpy"
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

// compiler is a C compiler and the flags it needs before all others.
type compiler struct {
	path  string
	flags []string
	// fallback is an LLVM used because the arch's GCC is missing.
	fallback bool
}

// defaultCompilers lists the compilers dynruntime.mk would use for a, in
// order of preference: the development branch builds x86 with
// i686-linux-gnu-gcc (else a 64-bit gcc with -m32) and x64 with
// x86_64-linux-gnu-gcc (else gcc); the others <cross prefix>gcc.
func defaultCompilers(a *linker.Arch, t linker.Target) (cross string, cands []compiler) {
	if t.Dynruntime().HostCompilers {
		switch a.MPY {
		case mpy.ArchX86:
			return "i686-linux-gnu-", []compiler{{path: "i686-linux-gnu-gcc"}, {path: "gcc", flags: []string{"-m32"}}}
		case mpy.ArchX64:
			return "x86_64-linux-gnu-", []compiler{{path: "x86_64-linux-gnu-gcc"}, {path: "gcc"}}
		}
	}
	cands = []compiler{{path: a.CrossPrefix + "gcc"}}
	switch {
	case a.ISA == linker.ISAX86 && hostOS != "linux":
		// macOS's gcc (Apple Clang) writes Mach-O objects and MinGW's
		// COFF: x86 and x64 modules need an ELF cross GCC there
		// (Homebrew's x86_64-elf-gcc and i686-elf-gcc).
		cands = []compiler{{path: "x86_64-elf-gcc"}}
		if a.MPY == mpy.ArchX86 {
			cands = []compiler{{path: "i686-elf-gcc"}, {path: "x86_64-elf-gcc"}}
		}
	case a.ISA == linker.ISARISCV:
		cands = append(cands, compiler{path: "riscv64-elf-gcc"}) // Homebrew's name
	}
	if f := llvmByArch[a.Name]; f != nil {
		cands = append(cands, compiler{path: f.clang, fallback: true})
	}
	return a.CrossPrefix, cands
}

// hostOS is the operating system mpyld runs on (a variable for tests).
var hostOS = runtime.GOOS

// homebrewBins are Homebrew's bin folders (Apple silicon, then Intel).
var homebrewBins = []string{"/opt/homebrew/bin", "/usr/local/bin"}

// extraBinDirs are where compilers often are without being on PATH: on
// macOS, Homebrew's, which programs started outside a login shell (an IDE)
// do not see.
func extraBinDirs() []string {
	if hostOS == "darwin" {
		return homebrewBins
	}
	return nil
}

// lookPath finds a program on PATH, then in extraBinDirs.
func lookPath(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err == nil || strings.ContainsAny(name, `/\`) {
		return p, err
	}
	for _, d := range extraBinDirs() {
		if q, qerr := exec.LookPath(filepath.Join(d, name)); qerr == nil {
			return q, nil
		}
	}
	return p, err
}

// isClang reports whether a compiler is Clang (by its name).
func isClang(path string) bool { return strings.Contains(filepath.Base(path), "clang") }

// findCompiler returns the C compiler for a: the one asked for (--cc, the
// Makefile's CC, compiler in the project file) if any, else the
// MPYLD_CC_<ARCH> environment variable if set, else <prefix>gcc on PATH,
// where the prefix is the Makefile's CROSS if it is not dynruntime.mk's
// own, else the target's defaults. A compiler asked for by name is not
// replaced by another one when it is missing. Clang gets the arch's
// --target.
func findCompiler(a *linker.Arch, t linker.Target, want, wantFrom, cross string, getenv func(string) string) (compiler, error) {
	defCross, cands := defaultCompilers(a, t)
	how := ""
	switch {
	case want != "":
		cands, how = []compiler{{path: want}}, " (from "+wantFrom+")"
	case getenv(ccEnv(a.Name)) != "":
		cands, how = []compiler{{path: getenv(ccEnv(a.Name))}}, " (from "+ccEnv(a.Name)+")"
	case cross != "" && cross != defCross && cross != a.CrossPrefix:
		cands, how = []compiler{{path: cross + "gcc"}}, " (from CROSS in the Makefile)"
	}
	var tried []string
	for _, c := range cands {
		if p, err := lookPath(c.path); err == nil {
			c.path = p
			if isClang(p) {
				c.flags = append(c.flags, a.Clang...)
			}
			return c, nil
		}
		tried = append(tried, strings.Join(append([]string{c.path}, c.flags...), " ")+how)
	}
	pkg := hostPackage(a)
	if f := llvmByArch[a.Name]; f != nil && how == "" && hostOS == "linux" {
		pkg += ", or Debian's " + f.pkg + " " + f.headersPkg
	}
	return compiler{}, &MissingToolError{Tool: "C compiler for " + a.Name, Tried: tried, Package: pkg}
}

// hostPackage says where the compiler of a comes from on this host: the
// Debian package on Linux, Homebrew's formula on macOS, the vendor's
// toolchain on Windows.
func hostPackage(a *linker.Arch) string {
	switch hostOS {
	case "darwin":
		switch a.ISA {
		case linker.ISAARM:
			return "brew install --cask gcc-arm-embedded (or the arm-none-eabi-gcc formula)"
		case linker.ISARISCV:
			return "brew install riscv64-elf-gcc"
		case linker.ISAX86:
			return "brew install x86_64-elf-gcc i686-elf-gcc"
		}
		return "Espressif's toolchain (ESP-IDF, or the ESP8266 toolchain for lx106), on PATH"
	case "windows":
		switch a.ISA {
		case linker.ISAARM:
			return "the Arm GNU Toolchain (arm-none-eabi), on PATH"
		case linker.ISAXtensa:
			return "Espressif's toolchain (ESP-IDF, or the ESP8266 toolchain for lx106), on PATH"
		}
		return "an ELF cross GCC on PATH (MSYS2, or WSL with the Debian packages)"
	}
	return a.Package
}

// toolchain is what the build learned from a compiler.
type toolchain struct {
	cc       string
	flags    []string // the compiler's own: -m32, Clang's --target
	clang    bool
	specs    string // picolibc.specs path, for RISC-V
	musl     bool
	llvm     *llvmTools  // the LLVM workarounds of the arch, for Clang
	identity string      // changes when the compiler binary changes
	cache    *probeCache // its earlier answers
}

// probe asks the compiler what dynruntime.mk asks it, or takes the answers
// from the probe cache in the build folder (make's BUILD, which make clean
// removes).
func (b *builder) probe(ctx context.Context, a *linker.Arch, c compiler, buildDir string) (*toolchain, error) {
	cc := c.path
	tc := &toolchain{cc: cc, flags: c.flags, clang: isClang(cc), identity: compilerIdentity(cc, b.opt.Getenv)}
	tc.cache = openProbeCache(filepath.Join(buildDir, "probe-"+a.Name+".cache"), tc.identity)
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
	if tc.clang {
		if tc.llvm, err = findLLVM(a, cc); err != nil {
			return nil, err
		}
		if tc.llvm != nil {
			tc.flags = append(tc.flags, tc.llvm.compilerFlags()...)
		}
	}
	if tc.clang && tc.llvm == nil && a.CrossPrefix != "" {
		tc.flags = append(tc.flags, b.crossLibc(ctx, a, tc)...)
	}
	return tc, nil
}

// crossLibc finds the C library of a bare-metal arch for Clang, which has
// none of its own, and returns the flags that give Clang its headers: a
// --sysroot where the arch's cross GCC names its libc.a (through picolibc's
// specs where it has them) and a folder above it holds an include folder
// (Debian's /usr/lib/arm-none-eabi); else -isystem with the folder where
// that GCC finds assert.h (picolibc's specs name no libc.a:
// /usr/lib/picolibc/riscv64-unknown-elf/include). None when there is no
// such GCC.
func (b *builder) crossLibc(ctx context.Context, a *linker.Arch, clang *toolchain) []string {
	gcc, err := exec.LookPath(a.CrossPrefix + "gcc")
	if err != nil {
		return nil
	}
	tc := &toolchain{cc: gcc, cache: clang.cache, identity: compilerIdentity(gcc, b.opt.Getenv)}
	args := append([]string(nil), a.CFlags...)
	if out, err := b.probeOutput(ctx, tc, "", exists, "--print-file-name=picolibc.specs"); err == nil {
		if s := strings.TrimSpace(out); s != "picolibc.specs" && s != "" {
			args = append(args, "-specs="+s)
		}
	}
	out, err := b.probeOutput(ctx, tc, "", exists, append(args, "--print-file-name=libc.a")...)
	if p := strings.TrimSpace(out); err == nil && filepath.IsAbs(p) {
		for dir := filepath.Dir(p); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
			if st, err := os.Stat(filepath.Join(dir, "include")); err == nil && st.IsDir() {
				return []string{"--sysroot=" + dir}
			}
		}
	}
	// The dependency line of an empty file that includes assert.h, which
	// only the C library has: "null.o: /dev/null /usr/lib/.../assert.h \".
	out, err = b.probeOutput(ctx, tc, "", headerExists, append(args, "-include", "assert.h", "-M", "-xc", os.DevNull)...)
	if err != nil {
		return nil
	}
	for _, w := range strings.Fields(out) {
		if filepath.Base(w) == "assert.h" && filepath.IsAbs(w) {
			return []string{"-isystem", filepath.Dir(w)}
		}
	}
	return nil
}

// headerExists says whether the assert.h a dependency line names is still
// there (a cached answer stays good while it is).
func headerExists(out string) bool {
	for _, w := range strings.Fields(out) {
		if filepath.Base(w) == "assert.h" {
			_, err := os.Stat(w)
			return err == nil
		}
	}
	return false
}

// runtimeLibs finds libgcc and libm (or picolibc/musl libc) for
// LINK_RUNTIME; with Clang, its builtins library instead of libgcc (unless
// LINK_CLANG_CLANGRT=0) and, with LINK_CLANG_LIBC, its libc.a, as the
// development branch's dynruntime.mk does. Archives the compiler names but
// does not have are left out (make's $(realpath)).
func (b *builder) runtimeLibs(ctx context.Context, a *linker.Arch, tc *toolchain, m *module, dir string, cflags []string) ([]string, error) {
	libm := "libm.a"
	if tc.specs != "" || tc.musl {
		libm = "libc.a"
	}
	args := []string{"--print-libgcc-file-name", "--print-file-name=" + libm}
	if tc.clang {
		if !m.clangRT {
			args = args[1:]
		}
		if m.clangLibc {
			args = append(args, "--print-file-name=libc.a")
		}
	}
	var libs []string
	for _, arg := range args {
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
		r, err := filepath.EvalSymlinks(p)
		if err != nil {
			continue // named, but not there
		}
		libs = append(libs, r)
	}
	return libs, nil
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
