// This file implements building one arch, step by step: resolve the module,
// sort its sources, find the compiler, write the qstr config header, compile,
// run mpy-cross, link, merge.

package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/mpyld/mpyld/internal/atomicfile"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/mpy"
)

// archBuild is the state of one arch's build, filled in step by step.
type archBuild struct {
	*builder
	arch    *linker.Arch
	several bool    // one of several arches: build/<arch>, dist/<arch>
	all     bool    // "all": an arch without a compiler is skipped
	variant variant // the MicroPython tree
	dir     string

	mod    *module
	out    layout
	srcs   sources
	tc     *toolchain
	qstrs  linker.Qstrs
	cflags []string
	objs   []string // compiled objects, then the .o sources
	pyMPY  []string // compiled .py sources
	linked *linker.Result
	slots  *linker.Slots // the slot table of a core/user C module
	// precompiled are the sources of a core/user C module compiled ahead
	// (usermodPrecheck).
	precompiled map[string]bool
	res         Result
	// largeData compiles x64 with the medium code model (linkData).
	largeData bool
}

// sources are a module's sources by kind, each in SRC order.
type sources struct {
	c, asm, py, objs, libs []string
}

// skipError says why an arch is skipped rather than failed.
type skipError struct{ err error }

func (e *skipError) Error() string { return e.err.Error() }

// buildArch builds one arch for one tree and reports how it went.
func (b *builder) buildArch(ctx context.Context, a *linker.Arch, v variant, several, all bool) Result {
	j := &archBuild{builder: b, arch: a, several: several, all: all, variant: v, dir: b.opt.Dir}
	j.res.Arch = a.Name
	err := j.run(ctx)
	var skip *skipError
	switch {
	case errors.As(err, &skip):
		j.res.Skipped, j.res.SkipCause = skip.Error(), skip.err
	case err != nil:
		j.res.Err = fmt.Errorf("%s: %w", a.Name, err)
		j.res.Error = j.res.Err.Error()
	}
	return j.res
}

func (j *archBuild) run(ctx context.Context) error {
	if err := j.checkTree(); err != nil {
		return err
	}
	var err error
	if j.mod, err = j.resolve(ctx, j.arch, j.variant.tree); err != nil {
		return err
	}
	if err := j.checkTarget(); err != nil {
		return err
	}
	j.out = layoutFor(j.mod, j.arch, j.several)
	if j.variant.tag != "" {
		j.out = versionedLayout(j.mod, j.arch, j.variant.tag)
	}
	if err := j.sortSources(); err != nil {
		return err
	}
	if err := j.findToolchain(ctx); err != nil {
		return err
	}
	j.planSteps(1 + len(j.srcs.c) + len(j.srcs.asm) + len(j.srcs.py) + 1)
	if err := j.writeConfigHeader(); err != nil {
		return err
	}
	if err := j.compile(ctx); err != nil {
		return err
	}
	if err := j.compilePython(ctx); err != nil {
		return err
	}
	if err := j.linkData(ctx); err != nil {
		return err
	}
	return j.merge()
}

// sortSources sorts the sources by kind.
func (j *archBuild) sortSources() error {
	for _, s := range j.mod.sources {
		switch strings.ToLower(filepath.Ext(s)) {
		case ".c":
			j.srcs.c = append(j.srcs.c, s)
		case ".s":
			j.srcs.asm = append(j.srcs.asm, s)
		case ".py":
			j.srcs.py = append(j.srcs.py, s)
		case ".o":
			j.srcs.objs = append(j.srcs.objs, j.mod.path(s))
		case ".a":
			j.srcs.libs = append(j.srcs.libs, j.mod.path(s))
		default:
			return fmt.Errorf("source %q: use .c, .S, .py, .o or .a files", s)
		}
	}
	return nil
}

// checkTree refuses (or skips, as checkTarget does) an arch that the tree
// given (the variant's, mpyld.toml's or $MPY_DIR) cannot load, before make
// reads the Makefile: the tree's dynruntime.mk may not know the arch at all.
func (j *archBuild) checkTree() error {
	tree := j.variant.tree
	if tree == "" {
		tree = j.settings().mpyDir
	}
	if tree == "" {
		tree = j.opt.Getenv("MPY_DIR")
	}
	if tree == "" {
		return nil
	}
	t, err := linker.TreeTarget(inDir(j.dir, tree))
	if err != nil {
		return nil // not a tree, or a bad one: resolve says it
	}
	if err := t.Check(j.arch, 0); err != nil {
		if j.all || j.variant.tag != "" {
			return &skipError{err}
		}
		return err
	}
	return nil
}

// checkTarget records the MicroPython the module is built for and refuses
// (or, under "all" and for one of several versions, skips) an arch or arch
// flags that version cannot load.
func (j *archBuild) checkTarget() error {
	t := j.mod.target
	j.res.MPYABI, j.res.Profile = t.ABI(), t.Name
	if !t.Version.IsZero() {
		j.res.MicroPython = t.Version.String()
	}
	j.logf("%s: for %s", j.arch.Name, t)
	flags, err := linker.ParseArchFlags(j.arch, j.mod.archFlags)
	if err != nil {
		return err
	}
	if err := t.Check(j.arch, flags); err != nil {
		if j.all || j.variant.tag != "" {
			return &skipError{err}
		}
		return err
	}
	return nil
}

// findToolchain finds the compiler, when there is anything to compile or
// runtime libraries to find, and asks it what dynruntime.mk asks it.
func (j *archBuild) findToolchain(ctx context.Context) error {
	j.tc = &toolchain{}
	if len(j.srcs.c)+len(j.srcs.asm) == 0 && !j.mod.linkRuntime {
		return nil
	}
	want, from := j.opt.CC[j.arch.Name], "--cc"
	if want == "" {
		want, from = j.mod.cc, "CC in the Makefile"
	}
	if want == "" {
		want, from = j.proj.Compiler, "compiler in "+ProjectFile
	}
	cc, err := findCompiler(j.arch, j.mod.target, want, from, j.mod.cross, j.opt.Getenv)
	if err != nil {
		if j.all {
			return &skipError{err}
		}
		return err
	}
	if cc.fallback {
		j.logf("%s: %sgcc not found: compiling with %s", j.arch.Name, j.arch.CrossPrefix, filepath.Base(cc.path))
	}
	if j.tc, err = j.probe(ctx, j.arch, cc, inDir(j.dir, filepath.FromSlash(j.mod.build))); err != nil {
		return err
	}
	if j.tc.llvm != nil {
		j.logf("%s: %s, assembled by %s, C headers from %s", j.arch.Name, filepath.Base(j.tc.cc), filepath.Base(j.tc.llvm.mc), j.tc.llvm.include)
		if j.opt.Debug {
			return errLLVMDebug
		}
	}
	if j.mod.usermod != nil && j.tc.clang {
		err := fmt.Errorf("%s: a module written as a core/user C module needs GCC: Clang folds __builtin_constant_p the same way in code and in static data, which the translation relies on telling apart", j.tc.cc)
		if j.all && cc.fallback {
			return &skipError{err} // --arch all: an arch whose only compiler is the LLVM fallback
		}
		return err
	}
	return nil
}

// writeConfigHeader writes the qstr config header made from every source
// (SRC order), rewriting it only when it changes.
func (j *archBuild) writeConfigHeader() error {
	if err := os.MkdirAll(inDir(j.dir, j.out.buildDir), 0o755); err != nil {
		return err
	}
	var texts [][]byte
	for _, s := range j.mod.sources {
		ext := strings.ToLower(filepath.Ext(s))
		if ext == ".o" || ext == ".a" {
			continue
		}
		data, err := os.ReadFile(inDir(j.dir, j.mod.path(s)))
		if err != nil {
			return err
		}
		texts = append(texts, data)
	}
	if j.mod.usermod != nil {
		extra, err := j.writeUsermodFiles(texts)
		if err != nil {
			return err
		}
		texts = append(texts, extra...)
	}
	j.qstrs = linker.ScanQstrs(j.mod.target, texts...)
	h := j.out.configH(j.mod)
	header := linker.ConfigHeader(j.mod.target, j.qstrs)
	if j.mod.usermod != nil {
		header = j.usermodConfigHeader(header, texts)
	}
	if err := writeIfChanged(inDir(j.dir, h), header); err != nil {
		return err
	}
	j.logf("%s: GEN %s", j.arch.Name, h)
	j.step(1)
	return nil
}

// compileFlags composes the compiler flags: the Makefile's own before,
// dynruntime.mk's (for this build folder and compiler), CFLAGS_EXTRA, the
// Makefile's own after. The compiler's own needs come first: -m32 for a
// 64-bit gcc building x86 where i686-linux-gnu-gcc is missing, and Clang's
// --target when no flag gives one.
func (j *archBuild) compileFlags() []string {
	m := j.mod
	f := append([]string(nil), m.cflagsPre...)
	f = append(f, dynruntimeCFlags(m.target, j.arch, m.mpyDir, j.out.configH(m), j.tc.specs, m.float, append(j.sizeCFlags(), m.cflagsExtra...))...)
	f = append(f, m.cflagsPost...)
	if j.tc.llvm != nil {
		f = j.tc.llvm.dropRefused(f)
	}
	if m.usermod != nil {
		f = append(f, j.usermodFlags()...)
	}
	if j.tc.clang && m.target.IntTypedefs {
		// The config header of v1.20-v1.28 defines mp_int_t and mp_uint_t,
		// which the tree's py/mpconfig.h defines again from v1.28: GCC
		// takes the same typedef twice in C99 quietly, Clang warns, and
		// -Werror stops the build. A typedef to another type stays an
		// error.
		f = append(f, "-Wno-typedef-redefinition")
	}
	own := j.tc.flags
	for _, w := range f {
		if strings.HasPrefix(w, "--target=") || w == "-target" {
			own = slices.DeleteFunc(slices.Clone(own), func(s string) bool { return strings.HasPrefix(s, "--target=") })
		}
	}
	return append(own, f...)
}

// compile compiles the C sources, then the assembly ones (dynruntime.mk's
// order), in parallel.
func (j *archBuild) compile(ctx context.Context) error {
	j.cflags = j.compileFlags()
	if j.mod.usermod != nil {
		// The module's own sources first: a refusal comes before the
		// support layer is compiled.
		if err := j.usermodPrecheck(ctx); err != nil {
			return err
		}
	}
	srcs := append(append([]string(nil), j.srcs.c...), j.srcs.asm...)
	objs := make([]string, len(srcs))
	errs := make([]error, len(srcs))
	fresh := make([]bool, len(srcs))
	var wg sync.WaitGroup
	for i, s := range srcs {
		wg.Add(1)
		go func(i int, s string) {
			defer wg.Done()
			j.sem <- struct{}{}
			defer func() { <-j.sem }()
			objs[i] = j.out.objectPath(s, ".o")
			if j.largeData {
				// Beside the make-compatible object, so that both stay cached.
				objs[i] = j.out.objectPath(s, ".medium.o")
			}
			fresh[i], errs[i] = j.compileOne(ctx, s, objs[i])
			j.step(1)
		}(i, s)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return j.floatHint(err)
		}
		j.count(fresh[i] || j.precompiled[srcs[i]])
	}
	if err := checkPrebuilt(j.dir, append(slices.Clone(j.srcs.objs), j.srcs.libs...)); err != nil {
		return err
	}
	j.objs = append(objs, j.srcs.objs...)
	if j.mod.usermod != nil {
		var err error
		if j.slots, err = j.usermodCompile(ctx); err != nil {
			return err
		}
	}
	return nil
}

// floatHint adds to a compile error about floats, in a build without them,
// where they come from: py/dynruntime.h declares mp_obj_new_float and the
// like only when MICROPY_FLOAT_IMPL is not none.
func (j *archBuild) floatHint(err error) error {
	if j.mod.float != "none" || !strings.Contains(err.Error(), "float") {
		return err
	}
	how := "MICROPY_FLOAT_IMPL=none is " + j.arch.Name + "'s default in dynruntime.mk"
	if j.mod.target.Float(j.arch) != "none" {
		how = "this build has MICROPY_FLOAT_IMPL=none"
	}
	return fmt.Errorf("%w\nhint: %s, so py/dynruntime.h leaves out the float functions; a module that needs them builds with --float float (MICROPY_FLOAT_IMPL=float) and loads on ports with floats", err, how)
}

func (j *archBuild) count(fresh bool) {
	if fresh {
		j.res.Compiled++
	} else {
		j.res.UpToDate++
	}
}

// compileOne compiles one C or assembly file, unless the cache says its
// object is up to date.
func (j *archBuild) compileOne(ctx context.Context, src, obj string) (bool, error) {
	if err := os.MkdirAll(inDir(j.dir, filepath.Dir(obj)), 0o755); err != nil {
		return false, err
	}
	if j.tc.llvm != nil && strings.EqualFold(filepath.Ext(src), ".c") {
		return j.compileLLVM(ctx, j.mod.path(src), obj)
	}
	args := append(append([]string(nil), j.cflags...), "-o", obj, "-c", j.mod.path(src))
	return j.cached(ctx, cacheStep{dir: j.dir, out: obj, prog: j.tc.cc, args: args, depFile: obj + ".d",
		key: j.mod.vars, label: "CC " + src, arch: j.arch.Name})
}

// compilePython compiles the .py sources with mpy-cross.
func (j *archBuild) compilePython(ctx context.Context) error {
	if len(j.srcs.py) == 0 {
		return nil
	}
	prog, pre, err := j.findMPYCross()
	if err != nil {
		return err
	}
	for _, s := range j.srcs.py {
		out := j.out.objectPath(s, ".mpy")
		if err := os.MkdirAll(inDir(j.dir, filepath.Dir(out)), 0o755); err != nil {
			return err
		}
		args := append(append(append([]string(nil), pre...), j.mod.mpyCrossFlags[s]...), "-o", out, j.mod.path(s))
		fresh, err := j.cached(ctx, cacheStep{dir: j.dir, out: out, prog: prog, args: args, inputs: []string{j.mod.path(s)},
			key: j.mod.vars, label: "MPY " + s, arch: j.arch.Name})
		if err != nil {
			return err
		}
		j.count(fresh)
		j.pyMPY = append(j.pyMPY, out)
		j.step(1)
	}
	return nil
}

// findMPYCross returns the mpy-cross program and the words that come before
// its flags: --mpy-cross, else the Makefile's MPY_CROSS (or the one in
// MPY_DIR), else mpy-cross on PATH.
func (j *archBuild) findMPYCross() (string, []string, error) {
	if j.opt.MPYCross != "" {
		return j.opt.MPYCross, nil, nil
	}
	var tried []string
	if cmd := j.mod.mpyCross; len(cmd) > 0 {
		p := cmd[0]
		if strings.Contains(p, "/") {
			p = inDir(j.dir, p)
			tried = append(tried, p)
			if fileExists(p) {
				return p, cmd[1:], nil
			}
		} else {
			tried = append(tried, p)
			if lp, err := exec.LookPath(p); err == nil {
				return lp, cmd[1:], nil
			}
		}
	}
	tried = append(tried, "mpy-cross")
	if p, err := exec.LookPath("mpy-cross"); err == nil {
		return p, nil, nil
	}
	return "", nil, &MissingToolError{Tool: "mpy-cross (for " + j.srcs.py[0] + ")", Tried: tried, Package: "MicroPython's mpy-cross: make -C $MPY_DIR/mpy-cross"}
}

// linkData links; when x64 code reaches variables PC-relative where they
// must live in bss (linker.ErrCodeModel), it compiles again with the
// medium code model, which reaches every variable through the GOT base,
// and links that. Modules without such variables compile as make does.
func (j *archBuild) linkData(ctx context.Context) error {
	err := j.link(ctx)
	if !errors.Is(err, linker.ErrCodeModel) || j.largeData || len(j.srcs.c)+len(j.srcs.asm) == 0 {
		return err
	}
	j.largeData = true
	j.logf("%s: variables reached PC-relative: compiling again with %s, so that they live in bss, which the GC scans", j.arch.Name, strings.Join(largeDataFlags, " "))
	j.res.Compiled, j.res.UpToDate = 0, 0
	if err := j.compile(ctx); err != nil {
		return err
	}
	return j.link(ctx)
}

// largeDataFlags make GCC and Clang reach every x64 variable as a 64-bit
// offset from the GOT (R_X86_64_GOTOFF64), which the start-up code can move
// to the bss block, however far from the code it is allocated.
var largeDataFlags = []string{"-mcmodel=medium", "-mlarge-data-threshold=0"}

// makesCompiler says whether the build compiles with the compiler make's
// dynruntime.mk runs ($(CROSS)gcc, or the development branch's $(CC)), with
// no flags of mpyld's own: then make's answers about it are mpyld's.
func (j *archBuild) makesCompiler() bool {
	want := j.mod.cross + "gcc"
	if j.mod.cc != "" {
		want = j.mod.cc
	}
	name := filepath.Base(j.tc.cc)
	return !j.tc.clang && len(j.tc.flags) == 0 && (name == want || strings.TrimSuffix(name, ".exe") == want)
}

// link links the objects into the native part of the module.
func (j *archBuild) link(ctx context.Context) error {
	m := j.mod
	// Inputs are named from here, not read through Config.ReadFile, so that
	// the linker maps archives instead of reading them whole.
	cfg := &linker.Config{Arch: j.arch, Target: m.target, Qstrs: j.qstrs.Vals, Objs: j.qstrs.Objs, SourceName: sourceName(m),
		LinkRuntime: m.linkRuntime, GCSections: j.gcSections(), NoData: j.opt.NoData || j.proj.NoData, Slots: j.slots}
	for _, o := range j.objs {
		cfg.Objects = append(cfg.Objects, inDir(j.dir, o))
	}
	var libs []string
	libs = append(libs, m.libsPre...)
	switch {
	case m.linkRuntime && j.tc.llvm != nil:
		rl, err := j.llvmLibm(ctx)
		if err != nil {
			return err
		}
		libs = append(libs, rl...)
	case m.linkRuntime && m.fromMake && j.makesCompiler():
		// make asked the same compiler with the Makefile's variables.
		libs = append(libs, m.makeRuntime...)
	case m.linkRuntime:
		rl, err := j.runtimeLibs(ctx, j.arch, j.tc, j.mod, j.dir, j.cflags)
		if err != nil {
			return err
		}
		libs = append(libs, rl...)
	}
	for _, l := range append(append(libs, j.srcs.libs...), m.libs...) {
		cfg.Libs = append(cfg.Libs, inDir(j.dir, l))
	}
	if m.externs != "" {
		data, err := os.ReadFile(inDir(j.dir, m.externs))
		if err != nil {
			return fmt.Errorf("externs: %v", err)
		}
		if cfg.Externs, err = linker.ParseExterns(m.externs, data); err != nil {
			return err
		}
	}
	var err error
	if cfg.ArchFlags, err = linker.ParseArchFlags(j.arch, m.archFlags); err != nil {
		return err
	}
	native := j.out.native(m)
	j.logf("%s: LINK %s", j.arch.Name, native)
	if j.linked, err = linker.Link(cfg); err != nil {
		if m.usermod != nil {
			return j.supportHints(err)
		}
		return err
	}
	j.res.Objects = j.objs
	if err := atomicfile.Write(inDir(j.dir, native), j.linked.MPY, 0o644); err != nil {
		return err
	}
	j.res.Map, err = j.writeMap(cfg)
	return err
}

// merge writes the module: the native part, then the .py parts.
func (j *archBuild) merge() error {
	inputs := []mpy.MergeInput{{Name: j.out.native(j.mod), Data: j.linked.MPY}}
	for _, p := range j.pyMPY {
		data, err := os.ReadFile(inDir(j.dir, p))
		if err != nil {
			return err
		}
		inputs = append(inputs, mpy.MergeInput{Name: p, Data: data})
	}
	final, err := mpy.Merge(inputs, nil)
	if err != nil {
		return err
	}
	out := inDir(j.dir, j.out.output)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(out, final, 0o644); err != nil {
		return err
	}
	j.logf("%s: GEN %s", j.arch.Name, j.out.output)
	j.step(1)
	r, l := &j.res, j.linked
	r.Output, r.TextSize, r.RodataSize, r.BSSSize, r.GOTEntries = j.out.output, l.TextSize, l.RodataSize, l.BSSSize, l.GOTEntries
	return nil
}

func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}
