// Package builder compiles, links and merges MicroPython native modules for
// one or many architectures, as py/dynruntime.mk does, with parallel jobs
// and a content-hash cache.
package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/mpyld/mpyld/internal/atomicfile"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/mpy"
)

// Options are the inputs of a build. Set fields win over the project file,
// which wins over the natmod Makefile's assignments.
type Options struct {
	Dir         string // module folder; default "."
	Name        string // module name (MOD)
	Sources     []string
	MPYDir      string
	Arches      []string // arch names, or "all"
	Float       string
	LinkRuntime *bool
	CFlags      string // CFLAGS_EXTRA, sh syntax
	ArchFlags   string
	Externs     string
	Libs        []string
	CC          map[string]string // per-arch compiler override
	MPYCross    string            // mpy-cross program; default from MPYDir or PATH
	Jobs        int               // parallel compile jobs; default 1
	Getenv      func(string) string
	// Logf receives one line per step (-v); Commandf each external command (-x).
	Logf     func(format string, args ...any)
	Commandf func(format string, args ...any)
	// Progress, if set, is called after each step with the steps done and planned.
	Progress func(done, total int)
}

// Result is the outcome for one arch.
type Result struct {
	Arch       string   `json:"arch"`
	Output     string   `json:"output,omitempty"`
	Skipped    string   `json:"skipped,omitempty"` // why the arch was not built
	TextSize   int      `json:"text_size"`
	RodataSize int      `json:"rodata_size"`
	BSSSize    int      `json:"bss_size"`
	Compiled   int      `json:"compiled"` // sources compiled this time
	UpToDate   int      `json:"up_to_date"`
	Objects    []string `json:"objects,omitempty"`
	Err        error    `json:"-"`
	Error      string   `json:"error,omitempty"`
}

type builder struct {
	opt  Options
	proj *Project
	sem  chan struct{}
	mu   sync.Mutex
	done int
	plan int
}

func (b *builder) logf(format string, args ...any) {
	if b.opt.Logf != nil {
		b.opt.Logf(format, args...)
	}
}

func (b *builder) trace(dir string, argv []string) {
	if b.opt.Commandf != nil {
		if dir != "" && dir != "." {
			b.opt.Commandf("cd %s && %s", shellQuote(dir), shellJoin(argv))
		} else {
			b.opt.Commandf("%s", shellJoin(argv))
		}
	}
}

func (b *builder) step(n int) {
	b.mu.Lock()
	b.done += n
	d, p := b.done, b.plan
	b.mu.Unlock()
	if b.opt.Progress != nil {
		b.opt.Progress(d, p)
	}
}

func (b *builder) planSteps(n int) {
	b.mu.Lock()
	b.plan += n
	b.mu.Unlock()
}

// ErrNoArch is returned when no architecture is given anywhere.
var ErrNoArch = errors.New("no architecture: give --arch (a name, a comma list or all), or set arch in " + ProjectFile + " or ARCH in the Makefile")

// Build builds the module for each requested arch. With one arch the module
// goes to <dir>/<name>.mpy and the intermediate files to <dir>/build, as make
// does; with several (or "all") each arch builds in build/<arch> and writes
// dist/<arch>/<name>.mpy. Arches without a compiler are skipped under "all",
// and an error otherwise.
func Build(ctx context.Context, opt Options) ([]Result, error) {
	if opt.Dir == "" {
		opt.Dir = "."
	}
	if opt.Jobs <= 0 {
		opt.Jobs = 1
	}
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	proj, err := LoadProject(opt.Dir)
	if err != nil {
		return nil, err
	}
	b := &builder{opt: opt, proj: proj, sem: make(chan struct{}, opt.Jobs)}
	arches, all, err := b.arches()
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(arches))
	var wg sync.WaitGroup
	for i, a := range arches {
		wg.Add(1)
		go func(i int, a *linker.Arch) {
			defer wg.Done()
			results[i] = b.buildArch(ctx, a, len(arches) == 1 && !all, all)
		}(i, a)
	}
	wg.Wait()
	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return results, errors.Join(errs...)
}

// arches resolves the requested arch names.
func (b *builder) arches() ([]*linker.Arch, bool, error) {
	names := b.opt.Arches
	if len(names) == 0 {
		names = b.proj.Arch
	}
	if len(names) == 0 {
		if mf := filepath.Join(b.opt.Dir, "Makefile"); fileExists(mf) {
			m, err := readMakefile(mf, b.cmdline(""))
			if err != nil {
				return nil, false, err
			}
			if a := m.get("ARCH"); a != "" {
				names = []string{a}
			}
		}
	}
	if len(names) == 0 {
		return nil, false, ErrNoArch
	}
	var out []*linker.Arch
	all := false
	seen := map[string]bool{}
	for _, n := range names {
		for _, n := range strings.Split(n, ",") {
			n = strings.TrimSpace(n)
			if n == "all" {
				all = true
				for _, a := range linker.Arches {
					if !seen[a.Name] {
						seen[a.Name] = true
						out = append(out, a)
					}
				}
				continue
			}
			a, err := linker.LookupArch(n)
			if err != nil {
				return nil, false, err
			}
			if !seen[a.Name] {
				seen[a.Name] = true
				out = append(out, a)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].MPY < out[j].MPY })
	return out, all, nil
}

func (b *builder) cmdline(arch string) map[string]string {
	c := map[string]string{}
	if arch != "" {
		c["ARCH"] = arch
	}
	if b.opt.MPYDir != "" {
		c["MPY_DIR"] = b.opt.MPYDir
	} else if v := b.opt.Getenv("MPY_DIR"); v != "" {
		c["MPY_DIR"] = v
	}
	return c
}

// inDir resolves a path given relative to the module folder.
func inDir(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// module is everything needed to build one arch.
type module struct {
	arch        *linker.Arch
	name        string
	sources     []string
	mpyDir      string
	float       string
	linkRuntime bool
	cflagsPre   []string // Makefile CFLAGS before including dynruntime.mk
	cflagsExtra []string
	cflagsPost  []string // Makefile CFLAGS after the include
	archFlags   string
	externs     string
	libs        []string
	buildDir    string // relative to the module folder
	output      string // relative to the module folder
}

// resolve merges flags, project file and Makefile for one arch.
func (b *builder) resolve(a *linker.Arch, single bool) (*module, error) {
	m := &module{arch: a, float: a.Float}
	var mk *makeVars
	if mf := filepath.Join(b.opt.Dir, "Makefile"); fileExists(mf) {
		var err error
		if mk, err = readMakefile(mf, b.cmdline(a.Name)); err != nil {
			return nil, err
		}
	}
	pick := func(flag, proj, makeVar string) string {
		switch {
		case flag != "":
			return flag
		case proj != "":
			return proj
		case mk != nil:
			return mk.get(makeVar)
		}
		return ""
	}
	m.name = pick(b.opt.Name, b.proj.Name, "MOD")
	if m.name == "" {
		return nil, fmt.Errorf("no module name: give --name, or set name in %s or MOD in the Makefile", ProjectFile)
	}
	switch {
	case len(b.opt.Sources) > 0:
		m.sources = b.opt.Sources
	case len(b.proj.Sources) > 0:
		m.sources = b.proj.Sources
	case mk != nil:
		m.sources = strings.Fields(mk.get("SRC"))
	}
	if len(m.sources) == 0 {
		return nil, fmt.Errorf("no sources: give them as arguments, or set sources in %s or SRC in the Makefile", ProjectFile)
	}
	m.mpyDir = pick(b.opt.MPYDir, b.proj.MPYDir, "MPY_DIR")
	if m.mpyDir == "" {
		m.mpyDir = b.opt.Getenv("MPY_DIR")
	}
	if f := pick(b.opt.Float, b.proj.Float, "MICROPY_FLOAT_IMPL"); f != "" {
		m.float = f
	}
	if m.float != "none" && m.float != "float" && m.float != "double" {
		return nil, fmt.Errorf("float implementation %q: use none, float or double", m.float)
	}
	switch {
	case b.opt.LinkRuntime != nil:
		m.linkRuntime = *b.opt.LinkRuntime
	case b.proj.LinkRuntime != nil:
		m.linkRuntime = *b.proj.LinkRuntime
	case mk != nil:
		m.linkRuntime = mk.get("LINK_RUNTIME") == "1"
	}
	var err error
	if mk != nil {
		if m.cflagsPre, err = shellSplit(mk.get("CFLAGS")); err != nil {
			return nil, err
		}
		if m.cflagsPost, err = shellSplit(mk.cflagsAfter); err != nil {
			return nil, err
		}
	}
	if m.cflagsExtra, err = shellSplit(pick(b.opt.CFlags, b.proj.CFlags, "CFLAGS_EXTRA")); err != nil {
		return nil, err
	}
	m.archFlags = pick(b.opt.ArchFlags, b.proj.ArchFlags, "ARCH_FLAGS")
	m.externs = pick(b.opt.Externs, b.proj.Externs, "MPY_EXTERN_SYM_FILE")
	m.libs = append(append([]string(nil), b.proj.Libs...), b.opt.Libs...)
	if mk != nil {
		ld, err := shellSplit(mk.get("MPY_LD_FLAGS"))
		if err != nil {
			return nil, err
		}
		for i := 0; i < len(ld); i++ {
			switch {
			case ld[i] == "-l" && i+1 < len(ld):
				m.libs = append(m.libs, ld[i+1])
				i++
			case strings.HasPrefix(ld[i], "-l"):
				m.libs = append(m.libs, ld[i][2:])
			}
		}
	}
	if single {
		m.buildDir = "build"
		m.output = m.name + ".mpy"
	} else {
		m.buildDir = filepath.Join("build", a.Name)
		m.output = filepath.Join("dist", a.Name, m.name+".mpy")
	}
	return m, nil
}

// cflags composes the compiler flags exactly as dynruntime.mk does.
func (m *module) cflags(tc *toolchain) []string {
	f := append([]string(nil), m.cflagsPre...)
	f = append(f, "-I.")
	if m.mpyDir != "" {
		f = append(f, "-I"+m.mpyDir)
	}
	f = append(f, "-std=c99", "-Os", "-Wall", "-Werror", "-DNDEBUG", "-DNO_QSTR", "-DMICROPY_ENABLE_DYNRUNTIME",
		"-DMP_CONFIGFILE=<"+m.configH()+">", "-fpic", "-fno-common", "-U_FORTIFY_SOURCE")
	f = append(f, m.arch.CFlags...)
	if tc.specs != "" {
		f = append(f, "-specs="+tc.specs)
	}
	f = append(f, "-DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_"+strings.ToUpper(m.float))
	f = append(f, m.cflagsExtra...)
	return append(f, m.cflagsPost...)
}

func (m *module) configH() string {
	return filepath.ToSlash(filepath.Join(m.buildDir, m.name+".config.h"))
}

// objectPath is where a source's object goes: BUILD/<source without
// extension><ext>, as dynruntime.mk does; ".." steps become "__" so that
// sources outside the module folder still build inside BUILD.
func (m *module) objectPath(src, ext string) string {
	rel := filepath.ToSlash(filepath.Clean(strings.TrimSuffix(src, filepath.Ext(src)) + ext))
	rel = strings.TrimPrefix(rel, "/")
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		if p == ".." {
			parts[i] = "__"
		}
	}
	return filepath.Join(m.buildDir, filepath.FromSlash(strings.Join(parts, "/")))
}

func (b *builder) buildArch(ctx context.Context, a *linker.Arch, single, all bool) (r Result) {
	r.Arch = a.Name
	defer func() {
		if r.Err != nil {
			r.Error = r.Err.Error()
		}
	}()
	m, err := b.resolve(a, single)
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", a.Name, err)
		return r
	}
	var cSrcs, asmSrcs, pySrcs, objs, libs []string
	for _, s := range m.sources {
		switch strings.ToLower(filepath.Ext(s)) {
		case ".c":
			cSrcs = append(cSrcs, s)
		case ".s":
			asmSrcs = append(asmSrcs, s)
		case ".py":
			pySrcs = append(pySrcs, s)
		case ".o":
			objs = append(objs, s)
		case ".a":
			libs = append(libs, s)
		default:
			r.Err = fmt.Errorf("%s: source %q: use .c, .S, .py, .o or .a files", a.Name, s)
			return r
		}
	}
	var tc *toolchain
	if len(cSrcs)+len(asmSrcs) > 0 || m.linkRuntime {
		cc, err := findCompiler(a, b.opt.CC[a.Name], b.opt.Getenv)
		if err != nil {
			if all {
				r.Skipped = err.Error()
				return r
			}
			r.Err = fmt.Errorf("%s: %w", a.Name, err)
			return r
		}
		if tc, err = b.probe(ctx, a, cc); err != nil {
			r.Err = fmt.Errorf("%s: %w", a.Name, err)
			return r
		}
	} else {
		tc = &toolchain{}
	}
	b.planSteps(1 + len(cSrcs) + len(asmSrcs) + len(pySrcs) + 1)
	dir := b.opt.Dir
	if err := os.MkdirAll(filepath.Join(dir, m.buildDir), 0o755); err != nil {
		r.Err = err
		return r
	}
	// The qstr config header, from every source (SRC order), rewritten only when it changes.
	var texts [][]byte
	for _, s := range m.sources {
		ext := strings.ToLower(filepath.Ext(s))
		if ext == ".o" || ext == ".a" {
			continue
		}
		data, err := os.ReadFile(inDir(dir, s))
		if err != nil {
			r.Err = fmt.Errorf("%s: %v", a.Name, err)
			return r
		}
		texts = append(texts, data)
	}
	qstrs := linker.NativeQstrs(texts...)
	if err := writeIfChanged(filepath.Join(dir, m.configH()), linker.ConfigHeader(qstrs)); err != nil {
		r.Err = err
		return r
	}
	b.logf("%s: GEN %s", a.Name, m.configH())
	b.step(1)

	cflags := m.cflags(tc)
	// Compile C, then assembly (dynruntime.mk's order), in parallel.
	srcs := append(append([]string(nil), cSrcs...), asmSrcs...)
	compiled := make([]string, len(srcs))
	errs := make([]error, len(srcs))
	fresh := make([]bool, len(srcs))
	var wg sync.WaitGroup
	for i, s := range srcs {
		wg.Add(1)
		go func(i int, s string) {
			defer wg.Done()
			b.sem <- struct{}{}
			defer func() { <-b.sem }()
			obj := m.objectPath(s, ".o")
			compiled[i] = obj
			fresh[i], errs[i] = b.compile(ctx, tc, dir, s, obj, cflags)
			b.step(1)
		}(i, s)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			r.Err = fmt.Errorf("%s: %w", a.Name, err)
			return r
		}
		if fresh[i] {
			r.Compiled++
		} else {
			r.UpToDate++
		}
	}
	// .py files through mpy-cross.
	var pyMPY []string
	for _, s := range pySrcs {
		out := m.objectPath(s, ".mpy")
		ran, err := b.mpyCross(ctx, m, dir, s, out)
		if err != nil {
			r.Err = fmt.Errorf("%s: %w", a.Name, err)
			return r
		}
		if ran {
			r.Compiled++
		} else {
			r.UpToDate++
		}
		pyMPY = append(pyMPY, out)
		b.step(1)
	}
	// Link. Inputs are named from here, not through Config.ReadFile, so
	// that the linker maps archives instead of reading them.
	cfg := &linker.Config{Arch: a, Qstrs: qstrs, SourceName: filepath.ToSlash(filepath.Join(m.buildDir, m.name+".native.mpy"))}
	objects := append(append([]string(nil), compiled...), objs...)
	for _, o := range objects {
		cfg.Objects = append(cfg.Objects, inDir(dir, o))
	}
	if m.linkRuntime {
		rl, err := b.runtimeLibs(ctx, a, tc, dir, cflags)
		if err != nil {
			r.Err = fmt.Errorf("%s: %w", a.Name, err)
			return r
		}
		cfg.Libs = append(cfg.Libs, rl...)
	}
	for _, l := range append(append([]string(nil), libs...), m.libs...) {
		cfg.Libs = append(cfg.Libs, inDir(dir, l))
	}
	if m.externs != "" {
		data, err := os.ReadFile(inDir(dir, m.externs))
		if err != nil {
			r.Err = fmt.Errorf("%s: externs: %v", a.Name, err)
			return r
		}
		if cfg.Externs, err = linker.ParseExterns(m.externs, data); err != nil {
			r.Err = fmt.Errorf("%s: %w", a.Name, err)
			return r
		}
	}
	if cfg.ArchFlags, err = linker.ParseArchFlags(a, m.archFlags); err != nil {
		r.Err = fmt.Errorf("%s: %w", a.Name, err)
		return r
	}
	b.logf("%s: LINK %s", a.Name, cfg.SourceName)
	res, err := linker.Link(cfg)
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", a.Name, err)
		return r
	}
	native := filepath.Join(dir, cfg.SourceName)
	if err := atomicfile.Write(native, res.MPY, 0o644); err != nil {
		r.Err = err
		return r
	}
	// Merge the native part with the .py parts.
	inputs := []mpy.MergeInput{{Name: cfg.SourceName, Data: res.MPY}}
	for _, p := range pyMPY {
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			r.Err = err
			return r
		}
		inputs = append(inputs, mpy.MergeInput{Name: p, Data: data})
	}
	final, err := mpy.Merge(inputs, nil)
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", a.Name, err)
		return r
	}
	out := filepath.Join(dir, m.output)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		r.Err = err
		return r
	}
	if err := atomicfile.Write(out, final, 0o644); err != nil {
		r.Err = err
		return r
	}
	b.logf("%s: GEN %s", a.Name, m.output)
	b.step(1)
	r.Output, r.TextSize, r.RodataSize, r.BSSSize = m.output, res.TextSize, res.RodataSize, res.BSSSize
	r.Objects = objects
	return r
}

// mpyCross compiles a .py file, unless its output is up to date.
func (b *builder) mpyCross(ctx context.Context, m *module, dir, src, out string) (bool, error) {
	prog := b.opt.MPYCross
	var tried []string
	if prog == "" {
		if m.mpyDir != "" {
			p := inDir(dir, filepath.Join(m.mpyDir, "mpy-cross", "build", "mpy-cross"))
			tried = append(tried, p)
			if fileExists(p) {
				prog = p
			}
		}
		if prog == "" {
			tried = append(tried, "mpy-cross")
			if p, err := exec.LookPath("mpy-cross"); err == nil {
				prog = p
			}
		}
	}
	if prog == "" {
		return false, &MissingToolError{Tool: "mpy-cross (for " + src + ")", Tried: tried, Package: "MicroPython's mpy-cross: make -C $MPY_DIR/mpy-cross"}
	}
	args := []string{"-march=" + m.arch.Name, "-o", out, src}
	return b.cached(ctx, dir, out, prog, args, []string{src}, "MPY "+src)
}

// compile compiles one C or assembly file, unless the cache says its object
// is up to date.
func (b *builder) compile(ctx context.Context, tc *toolchain, dir, src, obj string, cflags []string) (bool, error) {
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(obj)), 0o755); err != nil {
		return false, err
	}
	args := append(append([]string(nil), cflags...), "-o", obj, "-c", src)
	return b.cached(ctx, dir, obj, tc.cc, args, nil, "CC "+src, "-MD", "-MF", obj+".d")
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

// Clean removes what Build writes: build/, dist/, <name>.mpy (name from the
// argument, the project file or the Makefile) and mpy_ld.py's archive cache.
func Clean(dir, name string) ([]string, error) {
	if name == "" {
		name = ModuleName(dir, "")
	}
	var removed []string
	for _, p := range []string{"build", "dist", ".mpy_ld_cache", name + ".mpy"} {
		if p == ".mpy" {
			continue
		}
		full := filepath.Join(dir, p)
		if fileExists(full) {
			if err := os.RemoveAll(full); err != nil {
				return removed, err
			}
			removed = append(removed, full)
		}
	}
	return removed, nil
}

// ModuleName returns the module name the project file or the natmod
// Makefile (evaluated for arch, if given) sets in dir, or "".
func ModuleName(dir, arch string) string {
	if p, err := LoadProject(dir); err == nil && p.Name != "" {
		return p.Name
	}
	if mf := filepath.Join(dir, "Makefile"); fileExists(mf) {
		vars := map[string]string{}
		if arch != "" {
			vars["ARCH"] = arch
		}
		if m, err := readMakefile(mf, vars); err == nil {
			return m.get("MOD")
		}
	}
	return ""
}
