// Package builder compiles, links and merges MicroPython native modules for
// one or many architectures, as py/dynruntime.mk does, with parallel jobs
// and a content-hash cache.
package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/mpyld/mpyld/linker"
)

// Options are the inputs of a build. Set fields win over the project file,
// which wins over the natmod Makefile's assignments: with a Makefile they
// are given to make as command-line variables (Name is MOD, Sources SRC,
// CFlags CFLAGS_EXTRA, ...), as "make VAR=value" would.
type Options struct {
	Dir     string // module folder; default "."
	Name    string // module name (MOD)
	Sources []string
	// MPYDirs are the MicroPython trees to build for (MPY_DIR); with
	// several, the module is built for each (dist/<arch>_<X.Y>/).
	MPYDirs []string
	// MicroPython is the release to build for without a tree ("1.22",
	// "dev"); a tree's own version wins.
	MicroPython string
	Arches      []string // arch names, or "all"
	Float       string
	LinkRuntime *bool
	CFlags      string // CFLAGS_EXTRA, sh syntax
	ArchFlags   string
	Externs     string
	Libs        []string
	CC          map[string]string // per-arch compiler override
	MPYCross    string            // mpy-cross program; default from the Makefile, MPYDir or PATH
	// MPYCrossFlags are more mpy-cross flags, sh syntax (added after
	// the Makefile's MPY_CROSS_FLAGS).
	MPYCrossFlags string
	// Goal is the make goal the Makefile is read for (MAKECMDGOALS), for
	// Makefiles that set the module up only for one goal.
	Goal string
	// Vars are make variables, given to make as on its command line.
	Vars   map[string]string
	Jobs   int // parallel compile jobs; default 1
	Getenv func(string) string
	// Logf receives one line per step (-v); Commandf each external command (-x).
	Logf     func(format string, args ...any)
	Commandf func(format string, args ...any)
	// Progress, if set, is called after each step with the steps done and planned.
	Progress func(done, total int)
	// GCSections compiles with function and data sections and links only
	// what mpy_init reaches; nil leaves it to the project file.
	GCSections *bool
	Map        bool // write the link map to the build folder
	Debug      bool // compile with -g (the module's bytes do not change)
	// NoData refuses writable data and static variables, as mpy_ld.py
	// does (or no_data in the project file).
	NoData bool
}

// Unscanned is a writable variable that some ports' GC does not scan.
type Unscanned struct {
	Variable string `json:"variable"`
	Object   string `json:"object"`
	Ports    string `json:"ports"`
}

// NothingBuilt returns, when every arch of results was skipped and one for
// want of a compiler (--arch all on a machine with none), that compiler's
// error, so that the build fails as a missing tool; else nil.
func NothingBuilt(results []Result) error {
	var missing error
	for _, r := range results {
		if r.Skipped == "" {
			return nil
		}
		var mt *MissingToolError
		if missing == nil && errors.As(r.SkipCause, &mt) {
			missing = fmt.Errorf("no arch built: %w", mt)
		}
	}
	return missing
}

// Result is the outcome for one arch.
type Result struct {
	Arch    string `json:"arch"`
	Output  string `json:"output,omitempty"`
	Skipped string `json:"skipped,omitempty"` // why the arch was not built
	// SkipCause is the error Skipped says (a *MissingToolError when a
	// compiler is missing).
	SkipCause  error    `json:"-"`
	TextSize   int      `json:"text_size"`
	RodataSize int      `json:"rodata_size"`
	BSSSize    int      `json:"bss_size"`
	GOTEntries int      `json:"got_entries"`
	Compiled   int      `json:"compiled"` // sources compiled this time
	UpToDate   int      `json:"up_to_date"`
	Objects    []string `json:"objects,omitempty"`
	Map        string   `json:"map,omitempty"` // the link map, with --map
	// Unscanned lists the writable variables that some ports' GC does not
	// scan (linker.Def.Unscanned).
	Unscanned []Unscanned `json:"unscanned,omitempty"`
	// The MicroPython built for: its version ("v1.22.2", or "" when only
	// the ABI is known), .mpy ABI ("6.2") and mpyld profile.
	MicroPython string `json:"micropython,omitempty"`
	MPYABI      string `json:"mpy_abi,omitempty"`
	Profile     string `json:"profile,omitempty"`
	Err         error  `json:"-"`
	Error       string `json:"error,omitempty"`
}

type builder struct {
	opt  Options
	proj *Project
	sem  chan struct{}
	// makeMu is held by the first make run that makes sources.
	makeMu      sync.Mutex
	sourcesMade bool
	mu          sync.Mutex
	done        int
	plan        int
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

func newBuilder(opt Options) (*builder, error) {
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
	return &builder{opt: opt, proj: proj, sem: make(chan struct{}, opt.Jobs)}, nil
}

// Build builds the module for each requested arch. With one arch the module
// goes to <dir>/<name>.mpy and the intermediate files to <dir>/build, as make
// does; with several (or "all") each arch builds in build/<arch> and writes
// dist/<arch>/<name>.mpy. Arches without a compiler are skipped under "all",
// and an error otherwise.
func Build(ctx context.Context, opt Options) ([]Result, error) {
	b, err := newBuilder(opt)
	if err != nil {
		return nil, err
	}
	if names := b.usermodNames(ctx); len(names) > 1 {
		// Sources that register several modules: one module each, one
		// after the other (they share the build folder).
		var all []Result
		var errs []error
		for _, n := range names {
			one := opt
			one.Name = n
			res, err := Build(ctx, one)
			all = append(all, res...)
			if err != nil {
				errs = append(errs, err)
			}
		}
		return all, errors.Join(errs...)
	}
	arches, all, err := b.arches(ctx)
	if err != nil {
		return nil, err
	}
	trees, err := b.trees()
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(arches)*len(trees))
	var wg sync.WaitGroup
	for t, tree := range trees {
		for i, a := range arches {
			wg.Add(1)
			go func(k int, a *linker.Arch, tree variant) {
				defer wg.Done()
				results[k] = b.buildArch(ctx, a, tree, len(arches) > 1 || all, all)
			}(t*len(arches)+i, a, tree)
		}
	}
	wg.Wait()
	return results, joinArchErrors(results)
}

// joinArchErrors joins the errors of the results, saying once an error that
// several arches hit alike ("x86, x64: Makefile: make failed reading it:
// ..."), such as make failing to read the Makefile for each.
func joinArchErrors(results []Result) error {
	type group struct {
		arches []string
		first  error
	}
	var order []string
	groups := map[string]*group{}
	for _, r := range results {
		if r.Err == nil {
			continue
		}
		// The arch's name where readMakefile and buildArch put it; a
		// message that names it elsewhere stays its own.
		msg := strings.Replace(r.Err.Error(), r.Arch+": ", "\x00", 1)
		msg = strings.Replace(msg, " for "+r.Arch+":", ":", 1)
		if strings.Contains(msg, r.Arch) || !strings.HasPrefix(msg, "\x00") {
			msg = r.Err.Error()
		}
		g, ok := groups[msg]
		if !ok {
			g = &group{first: r.Err}
			groups[msg] = g
			order = append(order, msg)
		}
		g.arches = append(g.arches, r.Arch)
	}
	var errs []error
	for _, msg := range order {
		g := groups[msg]
		if len(g.arches) == 1 {
			errs = append(errs, g.first)
			continue
		}
		errs = append(errs, &sharedError{msg: strings.Join(g.arches, ", ") + ": " + strings.TrimPrefix(msg, "\x00"), err: g.first})
	}
	return errors.Join(errs...)
}

// sharedError is one error several arches hit; it unwraps to the first
// arch's, so that errors.As finds a MissingToolError in it.
type sharedError struct {
	msg string
	err error
}

func (e *sharedError) Error() string { return e.msg }
func (e *sharedError) Unwrap() error { return e.err }

// arches resolves the requested arch names: the flags, else the project
// file, else the Makefile's ARCH.
func (b *builder) arches(ctx context.Context) ([]*linker.Arch, bool, error) {
	names := b.opt.Arches
	if len(names) == 0 {
		names = b.proj.Arch
	}
	if len(names) == 0 {
		if mf := findMakefile(b.opt.Dir); mf != "" {
			s := b.settings()
			mk, err := b.readMakefile(ctx, "", mf, s.goal, makeCommandLine(nil, s), false)
			var mt *MissingToolError
			if errors.As(err, &mt) {
				return nil, false, err
			}
			if err != nil {
				// Most often dynruntime.mk refusing an empty ARCH; say what make said.
				return nil, false, fmt.Errorf("%w\n%v", ErrNoArch, err)
			}
			if a := mk.get("ARCH"); a != "" {
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

// inDir resolves a path given relative to the module folder.
func inDir(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Clean removes what Build writes: build/ (and the Makefile's BUILD),
// dist/, <name>.mpy (name from the options, the project file or the
// Makefile) and mpy_ld.py's archive cache.
// A Makefile that make cannot read is an error, as under make clean, and
// nothing is removed.
func Clean(ctx context.Context, opt Options) ([]string, error) {
	name, build, err := describe(ctx, opt)
	if err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	if opt.Dir == "" {
		opt.Dir = "."
	}
	paths := []string{"build", "dist", ".mpy_ld_cache"}
	if build != "" && build != "build" {
		paths = append(paths, build)
	}
	if name != "" {
		paths = append(paths, name+".mpy")
	} else if b, err := newBuilder(opt); err == nil {
		// A core/user C module: one module per registration, and the
		// development branch's build-<arch> folders.
		for _, n := range b.usermodNames(ctx) {
			paths = append(paths, n+".mpy")
		}
		if names := b.usermodNames(ctx); len(names) > 0 {
			for _, a := range linker.Arches {
				paths = append(paths, "build-"+a.Name)
			}
		}
	}
	var removed []string
	for _, p := range paths {
		full := filepath.Join(opt.Dir, p)
		if fileExists(full) {
			if err := os.RemoveAll(full); err != nil {
				return removed, err
			}
			removed = append(removed, full)
		}
	}
	return removed, nil
}

// ModuleName returns the module name the options, the project file or the
// natmod Makefile (read for opt.Arches[0], if given) set, or "".
func ModuleName(ctx context.Context, opt Options) string {
	name, _, _ := describe(ctx, opt)
	return name
}

// describe returns the module name and build folder, as far as they can be
// known without building; the error says why make could not read the
// Makefile, with the remedy when MPY_DIR is missing.
func describe(ctx context.Context, opt Options) (name, build string, err error) {
	b, err := newBuilder(opt)
	if err != nil {
		return opt.Name, "", err
	}
	s := b.settings()
	if s.name != "" {
		return s.name, "build", nil
	}
	mf := findMakefile(b.opt.Dir)
	if mf == "" {
		return "", "build", nil
	}
	var a *linker.Arch
	if len(opt.Arches) == 1 {
		a, _ = linker.LookupArch(opt.Arches[0])
	}
	if s.mpyDir == "" {
		s.mpyDir = b.opt.Getenv("MPY_DIR")
	}
	mk, err := b.readMakefile(ctx, "", mf, s.goal, makeCommandLine(a, s), false)
	if err != nil {
		return "", "", withMPYDirRemedy(err, s.mpyDir)
	}
	return mk.get("MOD"), mk.get("BUILD"), nil
}

// withMPYDirRemedy adds the remedy to a make error when no MicroPython
// tree was given: most natmod Makefiles include $(MPY_DIR)/py/dynruntime.mk.
func withMPYDirRemedy(err error, mpyDir string) error {
	if mpyDir != "" || !strings.Contains(err.Error(), "dynruntime.mk") {
		return err
	}
	return fmt.Errorf("%w\nno MicroPython tree was given: give --mpy-dir or set MPY_DIR to a MicroPython checkout", err)
}
