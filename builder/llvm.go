// This file implements compiling for xtensawin with Debian's LLVM (clang-22
// and llvm-mc-22) where ESP-IDF's xtensa-esp32-elf-gcc is missing, and
// what LLVM 22's Xtensa backend cannot do, as data.

package builder

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/mpyld/mpyld/linker"
)

// llvmFacts is how an LLVM compiles C for an arch whose cross GCC is not in
// Debian. TestLLVMFacts checks against clang-22 (22.1.8) that the limits
// behind the workarounds are still there.
type llvmFacts struct {
	// clang is the compiler tried after the cross GCC; mc assembles what it
	// writes (the same suffix as the clang that is used: clang-22, llvm-mc-22).
	clang, mc string
	pkg       string // Debian packages of both
	// mcFlags assemble for the ESP32: the driver refuses -mcpu=esp32 but the
	// backend and llvm-mc know it.
	mcFlags []string
	// flags follow the arch's Clang flags (--target and the ESP32's
	// features one by one): -fno-jump-tables, because llvm-mc puts the
	// literal pool of a function that follows a jump table into a
	// ".rodata.X.literal" section; -nostdlibinc, because --target=xtensa
	// searches the host's /usr/include; and two warnings GCC does not give
	// in C99, which -Werror makes errors: v1.20-v1.28's config header
	// repeats mpconfig.h's mp_int_t typedefs, and btree's Berkeley DB has
	// K&R function definitions; -fno-crash-diagnostics, so that a file
	// that hits the float-select crash leaves no reproducer in /tmp.
	flags []string
	// drop are dynruntime.mk's flags the compiler refuses: -fpic ("PIC
	// relocations are not supported"); the loader relocates literal-pool
	// words, so the code needs none.
	drop []string
	// headers are the C library's include folders to use, the first that
	// exists (Debian's picolibc for the lx106: the headers do not depend on
	// the core's ABI), and the package that has them.
	headers    []string
	headersPkg string
}

// llvmByArch holds the arches that have an LLVM fallback.
var llvmByArch = map[string]*llvmFacts{
	"xtensawin": {
		clang: "clang-22", mc: "llvm-mc-22", pkg: "clang-22 llvm-22",
		mcFlags:    []string{"-triple=xtensa", "-mcpu=esp32", "-filetype=obj"},
		flags:      []string{"-fno-jump-tables", "-nostdlibinc", "-Wno-typedef-redefinition", "-Wno-deprecated-non-prototype", "-fno-crash-diagnostics"},
		drop:       []string{"-fpic"},
		headers:    []string{"/usr/lib/xtensa-lx106-elf/include", "/usr/lib/picolibc/xtensa-lx106-elf/include"},
		headersPkg: "picolibc-xtensa-lx106-elf",
	},
}

// llvmTools is an LLVM found for an arch: its llvm-mc and C headers.
type llvmTools struct {
	facts   *llvmFacts
	mc      string
	include string
}

// findLLVM finds what a Clang (at clang) needs besides itself to compile for
// a: the llvm-mc of the same LLVM (clang-22 -> llvm-mc-22, beside it) and
// the C library headers. nil, nil when a needs no LLVM workarounds.
func findLLVM(a *linker.Arch, clang string) (*llvmTools, error) {
	f := llvmByArch[a.Name]
	if f == nil {
		return nil, nil
	}
	base := filepath.Base(clang)
	suffix := base[strings.Index(base, "clang")+len("clang"):]
	mc := "llvm-mc" + suffix
	tried := []string{filepath.Join(filepath.Dir(clang), mc), mc}
	var found string
	for _, p := range tried {
		if lp, err := exec.LookPath(p); err == nil {
			found = lp
			break
		}
	}
	if found == "" {
		return nil, &MissingToolError{Tool: "LLVM assembler for " + a.Name + " (" + base + "'s own assembler leaves Xtensa literal pools unaligned)", Tried: tried, Package: "llvm" + suffix}
	}
	t := &llvmTools{facts: f, mc: found}
	for _, h := range f.headers {
		if fileExists(filepath.Join(h, "string.h")) {
			t.include = h
			break
		}
	}
	if t.include == "" {
		return nil, &MissingToolError{Tool: "C library headers for " + a.Name + " with " + base, Tried: f.headers, Package: f.headersPkg}
	}
	return t, nil
}

// compilerFlags are the flags the LLVM needs before the module's.
func (t *llvmTools) compilerFlags() []string {
	return append(slices.Clone(t.facts.flags), "-isystem", t.include)
}

// dropRefused removes the flags the LLVM refuses.
func (t *llvmTools) dropRefused(flags []string) []string {
	return slices.DeleteFunc(flags, func(f string) bool { return slices.Contains(t.facts.drop, f) })
}

// variadicDef finds the definitions of variadic functions in LLVM IR.
var variadicDef = lazyRegexp(`(?m)^define [^@\n]*@("?[^"(\s]+"?)\(.*\.\.\.\)`)

// selectCrash is LLVM 22's Xtensa instruction selector failing on a select
// between two float constants (lowered to a constant-pool load) when
// hardware floating point is on.
var selectCrash = lazyRegexp(`Cannot select: .*TargetConstantPool[\s\S]*?In function: (\S+)`)

// compileLLVM compiles one C source for an arch with LLVM workarounds: to
// LLVM IR (refused when it defines a variadic function), to assembly, then
// to an object with llvm-mc. Each step is cached like a compile.
func (j *archBuild) compileLLVM(ctx context.Context, src, obj string) (bool, error) {
	t := j.tc.llvm
	stem := strings.TrimSuffix(obj, filepath.Ext(obj))
	ll, asm := stem+".ll", stem+".s"
	args := append(slices.Clone(j.cflags), "-S", "-emit-llvm", "-Xclang", "-disable-llvm-passes", "-o", ll, src)
	fresh, err := j.cached(ctx, cacheStep{arch: j.arch.Name, dir: j.dir, out: ll, prog: j.tc.cc, args: args, depFile: obj + ".d",
		key: j.mod.vars, label: "CC " + src})
	if err != nil {
		return false, err
	}
	if err := checkVariadic(filepath.Join(j.dir, ll), src, filepath.Base(j.tc.cc)); err != nil {
		return false, err
	}
	// The IR holds the target, its features and the optimisation level's
	// attributes; the flags again give the pipeline its level.
	args = append(slices.Clone(j.cflags), "-Wno-unused-command-line-argument", "-S", "-o", asm, ll)
	f2, err := j.cached(ctx, cacheStep{arch: j.arch.Name, dir: j.dir, out: asm, prog: j.tc.cc, args: args, inputs: []string{ll},
		key: j.mod.vars, label: "CC " + src + " (to assembly)"})
	if err != nil {
		if m := selectCrash().FindStringSubmatch(err.Error()); m != nil {
			return false, fmt.Errorf("%s: %s cannot compile function %s: it chooses between two float constants (c ? 1.5f : 2.5f), which LLVM 22's Xtensa backend fails on with hardware floating point (\"Cannot select ... TargetConstantPool\"); make one of the two a variable (read it from a static const volatile float), or build with xtensa-esp32-elf-gcc",
				src, filepath.Base(j.tc.cc), m[1])
		}
		return false, err
	}
	args = append(slices.Clone(t.facts.mcFlags), "-o", obj, asm)
	f3, err := j.cached(ctx, cacheStep{arch: j.arch.Name, dir: j.dir, out: obj, prog: t.mc, args: args, inputs: []string{asm},
		key: j.mod.vars, label: "AS " + src + " (" + filepath.Base(t.mc) + ")"})
	return fresh || f2 || f3, err
}

// checkVariadic refuses a module that defines a variadic function: LLVM
// 22's windowed Xtensa code for one reads va_arg from the wrong slots, and
// its prologue sets up the frame pointer in a7, the sixth argument
// register, before saving it. Calling the firmware's variadic functions is
// unaffected: the caller passes arguments as for any other call.
func checkVariadic(ll, src, cc string) error {
	f, err := os.Open(ll)
	if err != nil {
		return err
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if m := variadicDef().FindStringSubmatch(sc.Text()); m != nil {
			names = append(names, fmt.Sprintf("%q", strings.Trim(m[1], `"`)))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(names) > 0 {
		return fmt.Errorf("%s: variadic function %s: %s miscompiles variadic functions for Xtensa (va_arg reads the wrong argument slots, and the prologue overwrites a7, the sixth argument register, before saving it); pass a va_list or fixed arguments instead, or build with xtensa-esp32-elf-gcc (calling the firmware's mp_printf or mp_raise_msg_varg is fine)",
			src, strings.Join(names, ", "), cc)
	}
	return nil
}

// errLLVMDebug refuses build --debug with an LLVM whose assembler rejects
// the call-frame information of its own -g assembly.
var errLLVMDebug = errors.New("--debug: llvm-mc rejects the call-frame directives in clang's -g assembly for Xtensa (\".cfi_def_cfa a7\": invalid register name); build without --debug, or with xtensa-esp32-elf-gcc")

// lazyRegexp compiles a pattern on first use, not at start-up.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// llvmLibm compiles the float functions of the MicroPython tree's lib/libm
// with the LLVM into build/<arch>/libm.a, for LINK_RUNTIME: Debian has no C
// library or libm for the windowed ABI (picolibc's lx106 ones use call0).
// A file the compiler fails on is left out, with the reason under -v; the
// link then names any function still missing.
func (j *archBuild) llvmLibm(ctx context.Context) ([]string, error) {
	t := j.tc.llvm
	srcs, _ := filepath.Glob(filepath.Join(j.mod.mpyDir, "lib", "libm", "*.c"))
	if len(srcs) == 0 {
		j.logf("%s: LINK_RUNTIME: no lib/libm in the MicroPython tree: no libm linked", j.arch.Name)
		return nil, nil
	}
	dir := filepath.Join(j.out.buildDir, "libm")
	if err := os.MkdirAll(filepath.Join(j.dir, dir), 0o755); err != nil {
		return nil, err
	}
	flags := append(slices.Clone(j.tc.flags), "-std=c99", "-Os", "-fno-common", "-w")
	var objs []string
	for _, src := range srcs {
		if strings.HasPrefix(filepath.Base(src), "thumb_") {
			continue // ARM assembly
		}
		stem := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".c"))
		_, err := j.cached(ctx, cacheStep{arch: j.arch.Name, dir: j.dir, out: stem + ".s", prog: j.tc.cc, args: append(slices.Clone(flags), "-S", "-o", stem+".s", src),
			depFile: stem + ".d", label: "CC " + src})
		if err == nil {
			_, err = j.cached(ctx, cacheStep{arch: j.arch.Name, dir: j.dir, out: stem + ".o", prog: t.mc, args: append(slices.Clone(t.facts.mcFlags), "-o", stem+".o", stem+".s"),
				inputs: []string{stem + ".s"}, label: "AS " + src})
		}
		if err != nil {
			first, _, _ := strings.Cut(err.Error(), "\n")
			rest := strings.SplitN(err.Error(), "\n", 3)
			if len(rest) > 1 {
				first += " " + rest[1]
			}
			j.logf("%s: LINK_RUNTIME: %s left out of libm: %s", j.arch.Name, filepath.Base(src), first)
			continue
		}
		objs = append(objs, stem+".o")
	}
	lib := filepath.Join(j.out.buildDir, "libm.a")
	data, err := arArchive(j.dir, objs)
	if err != nil {
		return nil, err
	}
	if err := writeIfChanged(filepath.Join(j.dir, lib), data); err != nil {
		return nil, err
	}
	return []string{lib}, nil
}

// arArchive makes a System V ar archive (no symbol table; the linker scans
// the members) of the objects, named by their base names.
func arArchive(dir string, objs []string) ([]byte, error) {
	out := []byte("!<arch>\n")
	for _, o := range objs {
		body, err := os.ReadFile(inDir(dir, o))
		if err != nil {
			return nil, err
		}
		name := filepath.Base(o) + "/"
		if len(name) > 16 {
			return nil, fmt.Errorf("%s: member name longer than 15 bytes", o)
		}
		out = append(out, fmt.Sprintf("%-16s%-12s%-6s%-6s%-8s%-10d`\n", name, "0", "0", "0", "644", len(body))...)
		out = append(out, body...)
		if len(body)%2 == 1 {
			out = append(out, '\n')
		}
	}
	return out, nil
}
