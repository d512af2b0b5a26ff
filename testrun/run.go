// Package testrun builds a native module and runs its tests on real
// MicroPython: the unix port for x64 and x86, QEMU boards for the others,
// each firmware built from the user's own tree.
package testrun

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mpyld/mpyld/builder"
	"github.com/mpyld/mpyld/firmware"
	"github.com/mpyld/mpyld/linker"
)

// Config is what to build and run.
type Config struct {
	// Build is the module build, as mpyld build takes it. MPYDirs are
	// the trees whose firmware runs the tests.
	Build builder.Options
	// Tests are the test files; default the module's tests/*.py.
	Tests []string
	// Firmware maps an arch to a firmware file of the user's own, used
	// instead of a build from the tree.
	Firmware map[string]string
	CacheDir string        // the firmware cache; default firmware.DefaultCacheDir
	Jobs     int           // arches and versions run at once; default 1
	Timeout  time.Duration // per test; default 60s
	Logf     func(format string, args ...any)
	Commandf func(format string, args ...any)
	// FirmwareProgress receives the files compiled so far of a firmware build.
	FirmwareProgress func(board string, compiled int)
	// LookPath finds programs (QEMU); default exec.LookPath.
	LookPath func(string) (string, error)
}

// Status is the outcome of one test on one arch and version.
type Status string

// The statuses.
const (
	Pass   Status = "pass"
	Fail   Status = "fail"
	Skip   Status = "skip"
	NotRun Status = "not run"
)

// Result is one test on one arch and version.
type Result struct {
	Test    string  `json:"test"`
	Status  Status  `json:"status"`
	Seconds float64 `json:"seconds"`
	// Cause says why a test failed or did not run.
	Cause  string `json:"cause,omitempty"`
	Diff   string `json:"diff,omitempty"`   // expected against actual output
	Output string `json:"output,omitempty"` // what a failed test printed
}

// Unit is one arch on one MicroPython version.
type Unit struct {
	Arch        string `json:"arch"`
	MicroPython string `json:"micropython"`
	Tree        string `json:"tree"`
	Board       string `json:"board,omitempty"`
	Firmware    string `json:"firmware,omitempty"`
	Module      string `json:"module,omitempty"` // the .mpy under test
	// Note says how the board differs from the hardware it stands for.
	Note string `json:"note,omitempty"`
	// NotRun says why no test ran; Missing is what to install for a
	// missing tool (on Linux, its Debian package), when that is why.
	NotRun  string   `json:"not_run,omitempty"`
	Missing string   `json:"missing,omitempty"`
	Results []Result `json:"results"`
	tree    string
	target  linker.Target
	board   *firmware.Board
	// noCC is the package of the compiler --arch all found missing.
	noCC string
}

// Report is the outcome of a run.
type Report struct {
	Module string   `json:"module"`
	Tests  []string `json:"tests"`
	Units  []*Unit  `json:"units"`
}

// Failed reports whether any test failed.
func (r *Report) Failed() bool {
	for _, u := range r.Units {
		for _, res := range u.Results {
			if res.Status == Fail {
				return true
			}
		}
	}
	return false
}

// Missing lists what to install for the tools that were missing (on Linux,
// their Debian packages).
func (r *Report) Missing() []string {
	seen := map[string]bool{}
	var out []string
	for _, u := range r.Units {
		if u.Missing != "" && !seen[u.Missing] {
			seen[u.Missing] = true
			out = append(out, u.Missing)
		}
	}
	sort.Strings(out)
	return out
}

// Count returns how many results have status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, u := range r.Units {
		for _, res := range u.Results {
			if res.Status == s {
				n++
			}
		}
	}
	return n
}

// ErrNoTree is returned when no MicroPython tree is known.
var ErrNoTree = errors.New("no MicroPython tree to build firmware from: give --mpy-dir (or MPY_DIR)")

// Run builds the module for every arch and tree, and runs the tests on the
// firmware of each.
func Run(ctx context.Context, c Config) (*Report, error) {
	if c.Build.Dir == "" {
		c.Build.Dir = "."
	}
	if c.Jobs <= 0 {
		c.Jobs = 1
	}
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	trees, err := treesOf(c.Build)
	if err != nil {
		return nil, err
	}
	tests, err := testFiles(c.Build.Dir, c.Tests)
	if err != nil {
		return nil, err
	}
	// One build per .mpy ABI: trees of one ABI load the same module.
	var reps []string
	repOf := map[string]string{}
	targets := map[string]linker.Target{}
	for _, t := range trees {
		tg, err := linker.TreeTarget(t)
		if err != nil {
			return nil, err
		}
		targets[t] = tg
		if _, ok := repOf[tg.ABI()]; !ok {
			repOf[tg.ABI()] = t
			reps = append(reps, t)
		}
	}
	bo := c.Build
	bo.MPYDirs = reps
	if bo.Logf == nil {
		bo.Logf = c.Logf
	}
	if bo.Commandf == nil {
		bo.Commandf = c.Commandf
	}
	built, buildErr := builder.Build(ctx, bo)
	if len(built) == 0 && buildErr != nil {
		return nil, buildErr
	}
	rep := &Report{}
	for _, t := range tests {
		rep.Tests = append(rep.Tests, testName(c.Build.Dir, t, tests))
	}
	okArch := map[string]bool{} // arches built for at least one version
	for _, b := range built {
		if b.Err == nil && b.Skipped == "" {
			okArch[b.Arch] = true
		}
	}
	if len(okArch) == 0 && buildErr != nil && !allNotRunnable(built, targets, repOf, c.Firmware) {
		return nil, buildErr // nothing to run: the build's own error
	}
	// builder.Build returns the results tree by tree, in the order of reps.
	perTree := len(built) / len(reps)
	for _, tree := range trees {
		tg := targets[tree]
		for k, b := range built {
			if targets[reps[k/perTree]].ABI() != tg.ABI() {
				continue
			}
			u := &Unit{Arch: b.Arch, MicroPython: versionName(tg), Tree: tree, tree: tree, target: tg}
			u.board = firmware.ForArch(b.Arch)
			if u.board != nil {
				u.Board, u.Note = u.board.Name, u.board.Note
			}
			var cannotLoad error
			if a, err := linker.LookupArch(b.Arch); err == nil {
				cannotLoad = tg.Check(a, 0)
			}
			switch {
			case cannotLoad != nil:
				u.NotRun = cannotLoad.Error()
			case hostCannotRun(b.Arch, c.Firmware) != "":
				// Before the build's own errors: a compiler to install
				// would not make the tests run here.
				u.NotRun = hostCannotRun(b.Arch, c.Firmware)
			case b.Skipped != "":
				u.NotRun = b.Skipped
				var mt *builder.MissingToolError
				if errors.As(b.SkipCause, &mt) {
					u.noCC = mt.Package
				}
			case u.board == nil:
				u.NotRun = "no board runs " + b.Arch + " modules"
			case c.Firmware[b.Arch] == "" && u.board.Available(tree, tg) != "":
				u.NotRun = u.board.Available(tree, tg)
			case b.Err != nil && okArch[b.Arch]:
				u.NotRun = "the module cannot be built for " + u.MicroPython + ": " + firstLine(b.Err.Error())
			case b.Err != nil:
				u.Results = failAll(rep.Tests, "build: "+firstLine(b.Err.Error()), moreLines(b.Err.Error()))
			default:
				u.Module = filepath.Join(c.Build.Dir, b.Output)
				if rep.Module == "" {
					rep.Module = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(b.Output), ".mpy"), "_"+b.Arch)
				}
			}
			rep.Units = append(rep.Units, u)
		}
	}
	// --arch all means every arch with a compiler: one without is not run,
	// and its compiler counts as missing (exit 3) only when no arch runs.
	if !slices.ContainsFunc(rep.Units, func(u *Unit) bool { return u.NotRun == "" }) {
		for _, u := range rep.Units {
			u.Missing = cmp.Or(u.Missing, u.noCC)
		}
	}
	// The cache folder only now, when a firmware is to be built: the
	// tree, the tests and the module build say first what is missing.
	for _, u := range rep.Units {
		if c.CacheDir == "" && u.NotRun == "" && u.Results == nil && c.Firmware[u.Arch] == "" {
			d, err := firmware.DefaultCacheDir()
			if err != nil {
				return nil, err
			}
			c.CacheDir = d
		}
	}
	sem := make(chan struct{}, c.Jobs)
	var wg sync.WaitGroup
	for _, u := range rep.Units {
		if u.NotRun != "" || u.Results != nil {
			continue
		}
		wg.Add(1)
		go func(u *Unit) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c.runUnit(ctx, u, strings.TrimSuffix(filepath.Base(u.Module), ".mpy"), tests, rep.Tests)
		}(u)
	}
	wg.Wait()
	for _, u := range rep.Units {
		if u.NotRun != "" {
			u.Results = notRunAll(rep.Tests, u.NotRun)
		}
	}
	return rep, ctx.Err()
}

// hostCannotRun says why no firmware of arch's board runs on this host
// (the unix port on Windows), when the user gave none of their own.
func hostCannotRun(arch string, own map[string]string) string {
	if b := firmware.ForArch(arch); b != nil && own[arch] == "" {
		return b.NotRun
	}
	return ""
}

// allNotRunnable reports whether every failed build is of an arch its
// version cannot load or this host cannot run (then those are not run,
// rather than an error).
func allNotRunnable(built []builder.Result, targets map[string]linker.Target, repOf map[string]string, own map[string]string) bool {
	for _, b := range built {
		if b.Err == nil || hostCannotRun(b.Arch, own) != "" {
			continue
		}
		tree, ok := repOf[b.MPYABI]
		if !ok {
			for _, t := range repOf {
				tree = t
			}
		}
		a, err := linker.LookupArch(b.Arch)
		if err != nil || targets[tree].Check(a, 0) == nil {
			return false
		}
	}
	return true
}

// runUnit gets the firmware of one arch and version and runs every test.
func (c *Config) runUnit(ctx context.Context, u *Unit, name string, tests, names []string) {
	lookPath := c.LookPath
	if lookPath == nil {
		lookPath = lookPathDefault
	}
	b := u.board
	if b == nil {
		u.NotRun = "no board runs " + u.Arch + " modules"
		return
	}
	fw := c.Firmware[u.Arch]
	if fw == "" {
		if why := b.Available(u.tree, u.target); why != "" {
			u.NotRun = why
			return
		}
	}
	var qemu string
	if b.QEMU != "" {
		p, err := lookPath(b.QEMU)
		if err != nil {
			pkg := firmware.HostPackage(b.QEMUPackage)
			u.NotRun = fmt.Sprintf("%s not found; install %s", b.QEMU, pkg)
			u.Missing = pkg
			return
		}
		qemu = p
	}
	if fw == "" {
		p, err := firmware.Build(ctx, b, firmware.Options{MPYDir: u.tree, CacheDir: c.CacheDir, Jobs: 2,
			Logf: c.Logf, Commandf: c.Commandf, Progress: c.FirmwareProgress})
		var mt *firmware.MissingToolError
		switch {
		case errors.As(err, &mt):
			u.NotRun = err.Error()
			u.Missing = mt.Package
			return
		case err != nil:
			u.Results = failAll(names, "firmware: "+err.Error(), "")
			return
		}
		fw = p
	}
	u.Firmware = fw
	module, err := os.ReadFile(u.Module)
	if err != nil {
		u.Results = failAll(names, err.Error(), "")
		return
	}
	target, err := targetFor(b, qemu, fw)
	if err != nil {
		u.Results = failAll(names, err.Error(), "")
		return
	}
	if st, ok := target.(*StdinTarget); ok {
		defer os.RemoveAll(st.Dir) // the empty working folder targetFor made
	}
	// MicroPython's examples name their module after the arch
	// (MOD = btree_$(ARCH)) and their tests import btree.
	name = strings.TrimSuffix(name, "_"+u.Arch)
	for i, t := range tests {
		u.Results = append(u.Results, runTest(ctx, target, c.Timeout, name, module, t, names[i]))
	}
}

// targetFor makes the Target of a board's firmware.
func targetFor(b *firmware.Board, qemu, fw string) (Target, error) {
	if qemu == "" {
		dir, err := os.MkdirTemp("", "mpyld-test-")
		if err != nil {
			return nil, err
		}
		// An empty working folder: nothing there shadows an import.
		return &StdinTarget{Argv: []string{fw}, Dir: dir, Fault: b.Fault}, nil
	}
	if b.Args != nil {
		args, err := b.Args(fw)
		if err != nil {
			return nil, err
		}
		if len(args) > 0 && args[0] == b.QEMU {
			args = args[1:] // the program, found in PATH
		}
		argv := append([]string{qemu}, args...)
		if b.Console == firmware.RawREPL {
			return &REPLTarget{Argv: argv, Fault: b.Fault}, nil
		}
		return &StdinTarget{Argv: argv, Fault: b.Fault}, nil
	}
	argv := append([]string{qemu}, b.QEMUArgs...)
	switch b.Console {
	case firmware.RawREPL:
		argv = append(argv, "-nographic", "-monitor", "null", "-semihosting", "-serial", "stdio", "-kernel", fw)
		return &REPLTarget{Argv: argv, Fault: b.Fault}, nil
	default:
		argv = append(argv, "-nographic", "-monitor", "null", "-semihosting", "-kernel", fw)
		return &StdinTarget{Argv: argv, Fault: b.Fault}, nil
	}
}

// runTest runs one test file and judges its outcome.
func runTest(ctx context.Context, target Target, limit time.Duration, name string, module []byte, path, display string) Result {
	res := Result{Test: display}
	src, err := os.ReadFile(path)
	if err != nil {
		res.Status, res.Cause = Fail, err.Error()
		return res
	}
	start := time.Now()
	o := target.Run(ctx, scriptParts(name, module, src), limit)
	res.Seconds = time.Since(start).Seconds()
	out, started := afterMarker(o.Output)
	switch {
	case !started:
		res.Status, res.Output = Fail, o.Output
		if o.Crash != "" {
			res.Cause = "the module did not load: " + o.Crash
		} else {
			res.Cause = "the module did not load: " + lastLine(o.Output)
		}
		return res
	case o.Crash != "":
		res.Status, res.Cause, res.Output = Fail, o.Crash, out
		return res
	case !o.Exception && out == "SKIP\n":
		res.Status = Skip
		return res
	}
	exp, err := os.ReadFile(path + ".exp")
	switch {
	case err == nil:
		if want := normalize(string(exp)); out != want {
			res.Status, res.Cause, res.Diff, res.Output = Fail, "output differs from "+filepath.Base(path)+".exp", diffLines(want, out), out
			if o.Exception {
				res.Cause += "; uncaught " + lastLine(out)
			}
			return res
		}
		res.Status = Pass
	case os.IsNotExist(err):
		if o.Exception {
			res.Status, res.Cause, res.Output = Fail, "uncaught "+lastLine(out), out
			return res
		}
		res.Status = Pass
	default:
		res.Status, res.Cause = Fail, err.Error()
	}
	return res
}

// afterMarker returns what follows the start marker line.
func afterMarker(out string) (string, bool) {
	i := strings.Index(out, startMarker+"\n")
	if i < 0 {
		return out, false
	}
	return out[i+len(startMarker)+1:], true
}

// failAll fails every test with cause, and output as what they printed
// (the whole message of a failed build: the compiler's errors, mpyld's hint).
func failAll(tests []string, cause, output string) []Result {
	var out []Result
	for _, t := range tests {
		out = append(out, Result{Test: t, Status: Fail, Cause: cause, Output: output})
	}
	return out
}

func notRunAll(tests []string, cause string) []Result {
	var out []Result
	for _, t := range tests {
		out = append(out, Result{Test: t, Status: NotRun, Cause: cause})
	}
	return out
}

// treesOf lists the MicroPython trees: the options' (MPY_DIR), else the
// project file's, else the tree the module folder is in.
func treesOf(o builder.Options) ([]string, error) {
	dirs := o.MPYDirs
	if len(dirs) == 0 {
		if p, err := builder.LoadProject(o.Dir); err == nil && p != nil {
			for _, d := range p.MicroPython {
				dirs = append(dirs, inDir(o.Dir, d))
			}
			if len(dirs) == 0 && p.MPYDir != "" {
				dirs = []string{inDir(o.Dir, p.MPYDir)}
			}
		}
	}
	if len(dirs) == 0 {
		abs, err := filepath.Abs(o.Dir)
		if err == nil {
			if t := linker.TreeAround(abs); t != "" {
				dirs = []string{t}
			}
		}
	}
	if len(dirs) == 0 {
		return nil, ErrNoTree
	}
	var out []string
	for _, d := range dirs {
		out = append(out, inDir(o.Dir, d))
	}
	return out, nil
}

// testFiles are the given tests, or the module's tests/*.py.
func testFiles(dir string, given []string) ([]string, error) {
	if len(given) > 0 {
		for _, t := range given {
			if _, err := os.Stat(t); err != nil {
				return nil, err
			}
		}
		return given, nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tests", "*.py"))
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no tests: give TEST.py files, or put them in tests/", filepath.Join(dir, "tests"))
	}
	return files, nil
}

// testName is how a test is shown: its file name, or its path when two
// tests share a name.
func testName(dir, path string, all []string) string {
	base := filepath.Base(path)
	for _, o := range all {
		if o != path && filepath.Base(o) == base {
			if r, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(r, "..") {
				return filepath.ToSlash(r)
			}
			return path
		}
	}
	return base
}

func inDir(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

func versionName(t linker.Target) string {
	if t.Version.IsZero() {
		return t.Name
	}
	return t.Version.String()
}

// firstLine is the first line of an error; where that line only
// introduces what follows (it ends with ":", as "make failed reading it
// for rv32imc:" does before make's own message), the next line too.
func firstLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	first := strings.TrimSpace(lines[0])
	if strings.HasSuffix(first, ":") {
		for _, l := range lines[1:] {
			if l = strings.TrimSpace(l); l != "" {
				return first + " " + l
			}
		}
	}
	return first
}

// moreLines is what follows the first line of a multi-line error, with a
// final newline, or "" for one line (which firstLine gives).
func moreLines(s string) string {
	_, rest, ok := strings.Cut(strings.TrimSpace(s), "\n")
	if !ok {
		return ""
	}
	return rest + "\n"
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
