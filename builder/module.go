// This file implements resolving what one arch of a module is built from:
// the flags, then mpyld.toml, then the natmod Makefile as GNU make reads it.

package builder

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mpyld/mpyld/linker"
)

// module is everything one arch of a build is made from, whichever of
// flags, project file and Makefile it came from.
type module struct {
	name        string
	sources     []string
	mpyDir      string
	build       string // make's $(BUILD): the folder of intermediate files
	float       string // none, float or double
	linkRuntime bool
	cflagsPre   []string // the Makefile's CFLAGS from before it includes dynruntime.mk
	cflagsExtra []string // CFLAGS_EXTRA
	cflagsPost  []string // the Makefile's CFLAGS from after the include
	archFlags   string   // ARCH_FLAGS
	externs     string   // MPY_EXTERN_SYM_FILE
	libsPre     []string // archives linked before the runtime libraries
	libs        []string // archives linked after them
	cross       string   // compiler prefix the Makefile gives (CROSS); "" for the arch's
	// mpyCross is the mpy-cross command (MPY_CROSS), empty to look for one;
	// mpyCrossFlags its flags for each .py source (MPY_CROSS_FLAGS,
	// -march=<arch> included).
	mpyCross      []string
	mpyCrossFlags map[string][]string
	vars          []string      // make variables given, NAME=value, sorted
	target        linker.Target // the MicroPython it is built for
	sourceName    string        // --source-name in MPY_LD_FLAGS: the first qstr
	cc            string        // the Makefile's CC, when it names a compiler of its own
	clangRT       bool          // with Clang, link its builtins library (LINK_CLANG_CLANGRT)
	clangLibc     bool          // with Clang, link its libc.a (LINK_CLANG_LIBC)
	// found maps a source (as SRC names it) to where make found it
	// through vpath or VPATH, for those it found elsewhere; objects are
	// named after the SRC name, as dynruntime.mk's $(BUILD)/%.o does.
	found map[string]string
	// makeRuntime are the runtime libraries make put in MPY_LD_FLAGS for
	// LINK_RUNTIME=1 (LIBGCC_PATH, LIBM_PATH), which is all dynruntime.mk
	// derives from USE_PICOLIBC, USE_MUSL, PICOLIBC_ROOT and the compiler;
	// fromMake says they were read.
	makeRuntime []string
	fromMake    bool
	// usermod is set for a module in MicroPython's core/user C module style.
	usermod *usermodState
}

// path is where source src is read from.
func (m *module) path(src string) string {
	if p, ok := m.found[src]; ok {
		return p
	}
	return src
}

// settings are the inputs given by flags over the project file, before the
// Makefile is read.
type settings struct {
	name, mpyDir, float, cflags, archFlags, externs string
	mpyCrossFlags, goal                             string
	sources, libs                                   []string
	linkRuntime                                     *bool
	vars                                            map[string]string
}

// settings merges the flags over the project file.
func (b *builder) settings() settings {
	o, p := b.opt, b.proj
	pick := func(flag, proj string) string {
		if flag != "" {
			return flag
		}
		return proj
	}
	s := settings{
		name: pick(o.Name, p.Name), mpyDir: p.MPYDir, float: pick(o.Float, p.Float),
		cflags: pick(o.CFlags, p.CFlags), archFlags: pick(o.ArchFlags, p.ArchFlags), externs: pick(o.Externs, p.Externs),
		mpyCrossFlags: pick(o.MPYCrossFlags, p.MPYCrossFlags), goal: pick(o.Goal, p.Goal),
		sources: o.Sources, linkRuntime: o.LinkRuntime, vars: map[string]string{},
		libs: append(append([]string(nil), p.Libs...), o.Libs...),
	}
	if len(o.MPYDirs) > 0 {
		s.mpyDir = o.MPYDirs[0] // each build of several gives its own (resolve)
	}
	if len(s.sources) == 0 {
		s.sources = p.Sources
	}
	if s.linkRuntime == nil {
		s.linkRuntime = p.LinkRuntime
	}
	for k, v := range p.Vars {
		s.vars[k] = v
	}
	for k, v := range o.Vars {
		s.vars[k] = v
	}
	return s
}

// sortedVars lists variables as NAME=value, sorted by name.
func sortedVars(vars map[string]string) []string {
	var out []string
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// resolve works out what arch a is built from, against the tree given (or
// the module's own MPY_DIR when tree is "").
func (b *builder) resolve(ctx context.Context, a *linker.Arch, tree string) (*module, error) {
	s := b.settings()
	if tree != "" {
		s.mpyDir = tree
	}
	if mf := findMakefile(b.opt.Dir); mf != "" {
		return b.resolveMakefile(ctx, a, mf, s)
	}
	if m, ok, err := b.detectUsermod(ctx, s); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return b.finishUsermod(a, m, s)
	}
	if len(s.vars) > 0 {
		return nil, fmt.Errorf("%s: variables are for a Makefile, and %s has none", sortedVars(s.vars)[0], b.opt.Dir)
	}
	if s.goal != "" {
		return nil, fmt.Errorf("goal %q: goals are for a Makefile, and %s has none", s.goal, b.opt.Dir)
	}
	return b.resolveProject(a, s)
}

// resolveProject builds a module from the flags and the project file alone.
func (b *builder) resolveProject(a *linker.Arch, s settings) (*module, error) {
	m := &module{name: s.name, sources: s.sources, mpyDir: s.mpyDir, build: "build",
		archFlags: s.archFlags, externs: s.externs, libs: s.libs, clangRT: true}
	if m.name == "" {
		return nil, fmt.Errorf("no module name: give --name, or set name in %s or MOD in a Makefile", ProjectFile)
	}
	if len(m.sources) == 0 {
		return nil, fmt.Errorf("no sources: give them as arguments, or set sources in %s or SRC in a Makefile", ProjectFile)
	}
	if m.mpyDir == "" {
		m.mpyDir = b.opt.Getenv("MPY_DIR")
	}
	if err := b.setTarget(m, a, s); err != nil {
		return nil, err
	}
	var err error
	if s.linkRuntime != nil {
		m.linkRuntime = *s.linkRuntime
	}
	if m.cflagsExtra, err = shellSplit(s.cflags); err != nil {
		return nil, fmt.Errorf("cflags: %v", err)
	}
	flags, err := shellSplit(s.mpyCrossFlags)
	if err != nil {
		return nil, fmt.Errorf("mpy-cross flags: %v", err)
	}
	flags = append(flags, "-march="+a.Name)
	m.mpyCrossFlags = map[string][]string{}
	for _, src := range m.sources {
		if strings.EqualFold(filepath.Ext(src), ".py") {
			m.mpyCrossFlags[src] = flags
		}
	}
	if m.mpyDir != "" {
		m.mpyCross = []string{filepath.Join(m.mpyDir, "mpy-cross", "build", "mpy-cross")}
	}
	if err := checkFloat(m.float); err != nil {
		return nil, err
	}
	return m, nil
}

// setTarget sets what follows from the MicroPython tree of m (its target,
// build folder and default float for arch a), and the float s asks for.
func (b *builder) setTarget(m *module, a *linker.Arch, s settings) error {
	var err error
	if m.target, err = b.targetFor(m.mpyDir); err != nil {
		return err
	}
	if m.target.Dynruntime().BuildPerArch {
		m.build = "build-" + a.Name
	}
	m.float = m.target.Float(a)
	if s.float != "" {
		m.float = s.float
	}
	return nil
}

func checkFloat(f string) error {
	if f != "none" && f != "float" && f != "double" {
		return fmt.Errorf("float implementation %q: use none, float or double", f)
	}
	return nil
}

// makeCommandLine turns the settings into make's command-line variables, so
// that a flag acts on the Makefile as it would on "make VAR=value": --name
// is MOD, sources are SRC, --cflags is CFLAGS_EXTRA, and so on.
func makeCommandLine(a *linker.Arch, s settings) map[string]string {
	vars := map[string]string{}
	set := func(name, value string) {
		if value != "" {
			vars[name] = value
		}
	}
	if a != nil {
		set("ARCH", a.Name)
	}
	set("MOD", s.name)
	set("SRC", strings.Join(s.sources, " "))
	set("MPY_DIR", s.mpyDir)
	set("MICROPY_FLOAT_IMPL", s.float)
	set("CFLAGS_EXTRA", s.cflags)
	set("ARCH_FLAGS", s.archFlags)
	set("MPY_EXTERN_SYM_FILE", s.externs)
	if s.linkRuntime != nil {
		vars["LINK_RUNTIME"] = map[bool]string{true: "1", false: "0"}[*s.linkRuntime]
	}
	for k, v := range s.vars {
		vars[k] = v
	}
	return vars
}

// resolveMakefile asks make what the Makefile builds for arch a.
func (b *builder) resolveMakefile(ctx context.Context, a *linker.Arch, mf string, s settings) (*module, error) {
	cmdline := makeCommandLine(a, s)
	mk, err := b.readMakefile(ctx, a.Name, mf, s.goal, cmdline, true)
	if err != nil {
		if s.mpyDir == "" {
			err = withMPYDirRemedy(err, b.opt.Getenv("MPY_DIR"))
		}
		return nil, err
	}
	m := &module{name: mk.get("MOD"), sources: strings.Fields(mk.get("SRC")), mpyDir: mk.get("MPY_DIR"),
		build: mk.get("BUILD"), float: mk.get("MICROPY_FLOAT_IMPL"), linkRuntime: mk.get("LINK_RUNTIME") == "1",
		cross: mk.get("CROSS"), vars: sortedVars(cmdline),
		clangRT: mk.get("LINK_CLANG_CLANGRT") != "0", clangLibc: mk.get("LINK_CLANG_LIBC") != ""}
	// dynruntime.mk before the development branch has no CC (make's own
	// default is cc); after, CC is $(CROSS)gcc unless the Makefile names
	// another compiler.
	if cc := mk.get("CC"); cc != "" && cc != "cc" && cc != m.cross+"gcc" {
		m.cc = cc
	}
	if m.name == "" {
		if !mk.includesDynruntime() {
			how := "with no goal"
			if s.goal != "" {
				how = "for goal " + s.goal
			}
			return nil, fmt.Errorf("%s does not include py/dynruntime.mk %s: if it does for some goal, give it with --goal", mf, how)
		}
		return nil, fmt.Errorf("%s sets no MOD (module name)", mf)
	}
	if len(m.sources) == 0 {
		return nil, fmt.Errorf("%s sets no SRC (sources)", mf)
	}
	if found := strings.Fields(mk.get(foundVar)); len(found) == len(m.sources) {
		for i, s := range m.sources {
			if found[i] != s {
				if m.found == nil {
					m.found = map[string]string{}
				}
				m.found[s] = found[i]
			}
		}
	}
	if m.build == "" {
		m.build = "build"
	}
	if m.target, err = b.targetFor(m.mpyDir); err != nil {
		return nil, err
	}
	if m.float == "" {
		m.float = m.target.Float(a)
	}
	if err := checkFloat(m.float); err != nil {
		return nil, err
	}
	if err := m.splitCFlags(a, mk, mf); err != nil {
		return nil, err
	}
	if err := m.splitLDFlags(mk, mf); err != nil {
		return nil, err
	}
	m.libs = append(m.libs, s.libs...)
	if m.mpyCross, err = shellSplit(mk.get("MPY_CROSS")); err != nil {
		return nil, fmt.Errorf("%s: MPY_CROSS: %v", mf, err)
	}
	extra, err := shellSplit(s.mpyCrossFlags)
	if err != nil {
		return nil, fmt.Errorf("mpy-cross flags: %v", err)
	}
	m.mpyCrossFlags = map[string][]string{}
	for src, v := range mk.mpyCrossFlags {
		flags, err := shellSplit(v)
		if err != nil {
			return nil, fmt.Errorf("%s: MPY_CROSS_FLAGS for %s: %v", mf, src, err)
		}
		m.mpyCrossFlags[src] = append(flags, extra...)
	}
	return m, nil
}

// splitCFlags finds in make's CFLAGS the flags dynruntime.mk adds and keeps
// the Makefile's own from before and after them: mpyld composes
// dynruntime.mk's part itself, for its own build folder and compiler.
func (m *module) splitCFlags(a *linker.Arch, mk *makeVars, mf string) error {
	all, err := shellSplit(mk.get("CFLAGS"))
	if err != nil {
		return fmt.Errorf("%s: CFLAGS: %v", mf, err)
	}
	if m.cflagsExtra, err = shellSplit(mk.get("CFLAGS_EXTRA")); err != nil {
		return fmt.Errorf("%s: CFLAGS_EXTRA: %v", mf, err)
	}
	specs := ""
	if a.ISA == linker.ISARISCV {
		specs = strings.TrimPrefix(anySpecs, "-specs=")
	}
	dyn := dynruntimeCFlags(m.target, a, m.mpyDir, m.build+"/"+m.name+".config.h", specs, m.float, m.cflagsExtra)
	pre, post, ok := splitAround(all, dyn)
	if !ok {
		return fmt.Errorf("%s: the CFLAGS make gives for %s do not hold dynruntime.mk's flags as mpyld composes them (%s), so mpyld cannot compile as make does", mf, a.Name, mismatch(all, dyn))
	}
	m.cflagsPre, m.cflagsPost = pre, post
	return nil
}

// splitLDFlags reads the linker flags make gives mpy_ld.py (MPY_LD_FLAGS):
// archives, externs and arch flags. The runtime libraries dynruntime.mk
// adds for LINK_RUNTIME=1 are left out (mpyld finds them itself) and mark
// where the Makefile's own archives go before or after them.
func (m *module) splitLDFlags(mk *makeVars, mf string) error {
	words, err := shellSplit(mk.get("MPY_LD_FLAGS"))
	if err != nil {
		return fmt.Errorf("%s: MPY_LD_FLAGS: %v", mf, err)
	}
	runtime := map[string]bool{}
	if m.linkRuntime {
		for _, v := range []string{"LIBGCC_PATH", "LIBM_PATH"} {
			if p := mk.get(v); p != "" {
				runtime[p] = true
			}
		}
	}
	var libs []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		name, value, hasValue := strings.Cut(w, "=")
		if !strings.HasPrefix(w, "--") {
			name, hasValue = w, false
		}
		arg := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(words) {
				return "", fmt.Errorf("%s: MPY_LD_FLAGS: %s needs a value", mf, w)
			}
			i++
			return words[i], nil
		}
		switch {
		case name == "-l" || name == "--libs":
			v, err := arg()
			if err != nil {
				return err
			}
			libs = append(libs, v)
		case strings.HasPrefix(w, "-l"):
			libs = append(libs, w[2:])
		case name == "-e" || name == "--externs":
			if m.externs, err = arg(); err != nil {
				return err
			}
			if m.externs == "" {
				return fmt.Errorf("%s: MPY_EXTERN_SYM_FILE %q: no such file", mf, mk.get("MPY_EXTERN_SYM_FILE"))
			}
		case name == "--arch-flags":
			if m.archFlags, err = arg(); err != nil {
				return err
			}
		case name == "--source-name":
			if m.sourceName, err = arg(); err != nil {
				return err
			}
		case name == "--verbose" || strings.Trim(w, "v") == "-":
			// Only changes what mpy_ld.py prints.
		default:
			return fmt.Errorf("%s: MPY_LD_FLAGS: %q: mpyld build takes -l, --externs, --arch-flags and --source-name there", mf, w)
		}
	}
	firstRuntime := len(libs)
	for i, l := range libs {
		if runtime[l] {
			firstRuntime = i
			break
		}
	}
	if firstRuntime == len(libs) {
		firstRuntime = 0 // no runtime library: the Makefile's archives go after mpyld's
	}
	m.fromMake = m.linkRuntime
	for i, l := range libs {
		switch {
		case runtime[l]:
			m.makeRuntime = append(m.makeRuntime, l)
		case i < firstRuntime:
			m.libsPre = append(m.libsPre, l)
		default:
			m.libs = append(m.libs, l)
		}
	}
	return nil
}
