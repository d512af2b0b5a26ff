// Package deploy puts the right build of a native module on a MicroPython
// board through mpremote: it reads the board's arch and .mpy version, picks
// (or builds) the matching file, copies it unless unchanged, and imports it.
package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mpyld/mpyld/mpy"
)

// Board is what sys.implementation._mpy says about a board.
type Board struct {
	Version    int
	SubVersion int
	Arch       mpy.Arch
	Flags      uint64 // rv32 extensions the firmware allows
}

// ParseBoard decodes sys.implementation._mpy: bits 0-7 version, 8-9
// sub-version, 10-15 arch, 16 and up arch flags.
func ParseBoard(v uint64) Board {
	return Board{Version: int(v & 0xff), SubVersion: int(v>>8) & 3, Arch: mpy.Arch(v>>10) & 0x3f, Flags: v >> 16}
}

func (b Board) String() string {
	s := fmt.Sprintf("%v, .mpy %d.%d", b.Arch, b.Version, b.SubVersion)
	if b.Flags != 0 {
		s += fmt.Sprintf(", arch flags %#x", b.Flags)
	}
	return s
}

// Loadable lists the arches whose native code the board loads, best first:
// Thumb firmware also loads lower Thumb arches (v1.28 loader), others only
// their own.
func Loadable(b Board) []mpy.Arch {
	if !b.Arch.IsThumb() {
		return []mpy.Arch{b.Arch}
	}
	var out []mpy.Arch
	for a := b.Arch; a >= mpy.ArchARMV6M; a-- {
		out = append(out, a)
	}
	return out
}

// Build is one built file of the module.
type Build struct {
	Path       string
	Arch       mpy.Arch
	Version    int
	SubVersion int
	Flags      uint64
}

// FindBuilds looks for the module's builds in dir: <name>.mpy,
// dist/<arch>/<name>.mpy and dist/<arch>_<X.Y>/<name>.mpy, as mpyld build
// writes them for one or several MicroPython versions.
func FindBuilds(dir, name string) []Build {
	paths := []string{filepath.Join(dir, name+".mpy")}
	more, _ := filepath.Glob(filepath.Join(dir, "dist", "*", name+".mpy"))
	sort.Strings(more)
	var out []Build
	for _, p := range append(paths, more...) {
		if b, err := ReadBuild(p); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// ReadBuild describes the .mpy file at path from its header.
func ReadBuild(path string) (Build, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Build{}, err
	}
	f, err := mpy.Read(data)
	if err != nil {
		return Build{}, fmt.Errorf("%s: %v", path, err)
	}
	return Build{Path: path, Arch: f.Arch, Version: f.Version, SubVersion: f.SubVersion, Flags: f.ArchFlags}, nil
}

// Choose picks the build the board loads: the exact arch first, then down
// the Thumb chain; the module's arch flags must be a subset of the board's.
func Choose(b Board, builds []Build) (Build, error) {
	if b.Arch == mpy.ArchNone {
		return Build{}, fmt.Errorf("board reports no native arch (.mpy %d.%d): its firmware cannot load native modules", b.Version, b.SubVersion)
	}
	var reasons []string
	abi := ""
	for _, a := range Loadable(b) {
		for _, m := range builds {
			if m.Arch != a {
				continue
			}
			switch {
			case m.Version != b.Version || m.SubVersion != b.SubVersion:
				reasons = append(reasons, fmt.Sprintf("board is %s; %s was built for %d.%d (MicroPython %s)", b, m.Path, m.Version, m.SubVersion,
					mpy.Releases(m.Version, m.SubVersion, m.Arch, 0)))
				if abi == "" {
					abi = a.String()
				}
			case m.Flags&^b.Flags != 0:
				reasons = append(reasons, fmt.Sprintf("board is %s; %s needs arch flags %#x", b, m.Path, m.Flags))
			default:
				return m, nil
			}
		}
	}
	if abi != "" {
		// Say which MicroPython the board runs, and how to build for it.
		reasons = append(reasons, fmt.Sprintf("the board runs MicroPython %s: build against that tree (mpyld build --mpy-dir <its tree> --arch %s; several --mpy-dir build for each)",
			mpy.Releases(b.Version, b.SubVersion, b.Arch, 0), abi))
	}
	if len(reasons) > 0 {
		return Build{}, fmt.Errorf("%s", strings.Join(reasons, "; "))
	}
	var have []string
	for _, m := range builds {
		have = append(have, m.Arch.String())
	}
	if len(have) == 0 {
		have = []string{"nothing"}
	}
	return Build{}, fmt.Errorf("board is %s; this module was built for %s: build it with --arch %s", b, strings.Join(have, ", "), Loadable(b)[0])
}

// Runner runs one mpremote command line (commands chained with "+") and
// returns its standard output, also when it fails.
type Runner interface {
	Run(ctx context.Context, args []string) (string, error)
}

// Options configure a deployment.
type Options struct {
	Name   string  // module name: <name>.mpy, imported as <name>
	Builds []Build // what is already built
	// BuildFor builds the module for an arch when no build fits; may be nil.
	BuildFor func(ctx context.Context, a mpy.Arch) (Build, error)
	Target   string // board path; default :lib/<name>.mpy
	Port     string // mpremote device (connect PORT)
	DryRun   bool   // print the commands that change the board instead of running them
	// Board is the sys.implementation._mpy the board reported last time
	// (Report.MPY), or 0. With it the build is copied in the same mpremote
	// session that reads the board; a board that differs costs one more.
	Board uint64
	Logf  func(format string, args ...any)
}

// Report says what happened.
type Report struct {
	Board    Board
	MPY      uint64 // the board's sys.implementation._mpy, for Options.Board
	File     string
	Target   string
	Copied   bool
	Skipped  bool // the board's file was already the same
	Sessions int  // mpremote command lines run
}

// Lines the board-side code prints, to find in mpremote's output.
const (
	boardMark  = "mpyld: board "
	differMark = "mpyld: board differs"
	importMark = "mpyld: importing"
)

// readCode prints the board's sys.implementation._mpy.
const readCode = "import sys\nprint('" + boardMark + "'+str(sys.implementation._mpy))"

// checkCode prints the board's sys.implementation._mpy and stops the
// mpremote session (an exception ends the command chain) unless it is
// expect; then it makes the folders of target.
func checkCode(expect uint64, target string) string {
	code := readCode + fmt.Sprintf("\nif sys.implementation._mpy!=%d:raise Exception('%s')", expect, differMark)
	if dir := path.Dir(strings.TrimPrefix(target, ":")); dir != "." && dir != "/" && dir != "" {
		code += fmt.Sprintf("\nimport os\np=''\nfor d in %s.split('/'):\n p+=d\n try:os.mkdir(p)\n except OSError:pass\n p+='/'", pyQuote(dir))
	}
	return code
}

// importCode imports the module copied to target once, as the smoke test:
// by the file's name, from its folder, which goes first on sys.path for
// the import (a --target folder need not be on it; the boards' default
// path has the current folder and /lib, the unix port's not even that).
func importCode(name, target string) string {
	file := strings.TrimPrefix(target, ":")
	if base := path.Base(file); strings.HasSuffix(base, ".mpy") {
		name = strings.TrimSuffix(base, ".mpy")
	}
	dir := path.Dir(file)
	if dir == "." {
		return fmt.Sprintf("print('%s')\nimport %s", importMark, name)
	}
	return fmt.Sprintf("print('%s')\nimport sys\nsys.path.insert(0,%s)\ntry:\n import %s\nfinally:\n sys.path.pop(0)", importMark, pyQuote(dir), name)
}

// pyQuote writes s as a Python string literal.
func pyQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// boardValue reads what the board printed for sys.implementation._mpy.
func boardValue(out string) (uint64, bool) {
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), boardMark); ok {
			if v, err := strconv.ParseUint(rest, 10, 64); err == nil {
				return v, true
			}
		}
	}
	return 0, false
}

// Deploy copies the matching build to the board and imports it, in one
// mpremote session when Options.Board (or the only build) says what the
// board is: the session's first command checks that it still is, and
// makes the target folder; mpremote's "fs cp" skips a file the board
// already has (from v1.24). Otherwise, or when the check fails, the board
// is read first and a second session (resumed, not soft-reset again)
// copies and imports.
func Deploy(ctx context.Context, r Runner, opt Options) (*Report, error) {
	logf := opt.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	rep := &Report{Target: opt.Target}
	if rep.Target == "" {
		rep.Target = ":lib/" + opt.Name + ".mpy"
	}
	run := func(args ...string) (string, error) {
		if opt.Port != "" {
			args = append([]string{"connect", opt.Port}, args...)
		}
		rep.Sessions++
		if opt.DryRun {
			logf("run: mpremote %s", CommandLine(args))
		}
		return r.Run(ctx, args)
	}
	// act copies b and imports it, after checking the board is still v.
	act := func(v uint64, b Build, resume bool) (string, error) {
		args := []string{"exec", checkCode(v, rep.Target), "+", "fs", "cp", b.Path, rep.Target, "+", "exec", importCode(opt.Name, rep.Target)}
		if resume {
			args = append([]string{"resume"}, args...)
		}
		return run(args...)
	}
	// finish reads the outcome of act.
	finish := func(b Build, out string, err error) (*Report, error) {
		rep.File = b.Path
		if err != nil {
			if strings.Contains(out, importMark) {
				return rep, fmt.Errorf("import %s on the board failed: %v", opt.Name, err)
			}
			return nil, fmt.Errorf("copying %s to %s: %v", b.Path, rep.Target, err)
		}
		rep.Skipped = strings.Contains(out, "Up to date: "+strings.TrimPrefix(rep.Target, ":"))
		rep.Copied = !rep.Skipped
		if rep.Skipped {
			logf("%s is up to date on the board", rep.Target)
		} else {
			logf("copied %s to %s", b.Path, rep.Target)
		}
		return rep, nil
	}

	// The board it probably is: the one of last time, or the one the only
	// build is for.
	guess := opt.Board
	if guess == 0 && len(opt.Builds) == 1 {
		b := opt.Builds[0]
		guess = uint64(b.Version) | uint64(b.SubVersion)<<8 | uint64(b.Arch)<<10 | b.Flags<<16
	}
	var v uint64
	known := false
	boardSum := "" // sha256 of the board's target file, for a dry run
	if guess != 0 && !opt.DryRun {
		if b, err := Choose(ParseBoard(guess), opt.Builds); err == nil {
			out, err := act(guess, b, false)
			if v, known = boardValue(out); known && v == guess {
				rep.MPY, rep.Board = v, ParseBoard(v)
				logf("board: %s", rep.Board)
				return finish(b, out, err)
			}
			if !known {
				return nil, boardError(out, err)
			}
			logf("board is not the one of last time")
		}
	}
	if !known {
		args := []string{"exec", readCode}
		if opt.DryRun {
			args = append(args, "+", "fs", "sha256sum", rep.Target)
		}
		out, err := run(args...)
		if v, known = boardValue(out); !known {
			return nil, boardError(out, err)
		}
		if h := hexLine().FindStringSubmatch(out); h != nil {
			boardSum = h[1]
		}
	}
	rep.MPY, rep.Board = v, ParseBoard(v)
	logf("board: %s", rep.Board)
	b, err := Choose(rep.Board, opt.Builds)
	if err != nil && opt.BuildFor != nil && rep.Board.Arch != mpy.ArchNone {
		var errs []string
		for _, a := range Loadable(rep.Board) {
			if a == mpy.ArchARMV7EM {
				continue // not a native-module target; armv7m below it is
			}
			logf("building for %v", a)
			nb, berr := opt.BuildFor(ctx, a)
			if berr != nil {
				errs = append(errs, berr.Error())
				continue
			}
			b, err = Choose(rep.Board, append(opt.Builds, nb))
			break
		}
		if err != nil && len(errs) > 0 {
			err = fmt.Errorf("%v (building it failed: %s)", err, strings.Join(errs, "; "))
		}
	}
	if err != nil {
		return nil, err
	}
	if opt.DryRun {
		rep.File = b.Path
		data, err := os.ReadFile(b.Path)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		if rep.Skipped = boardSum == hex.EncodeToString(sum[:]); rep.Skipped {
			logf("%s is up to date on the board", rep.Target)
		}
		args := []string{"resume", "exec", checkCode(v, rep.Target), "+", "fs", "cp", b.Path, rep.Target, "+", "exec", importCode(opt.Name, rep.Target)}
		if opt.Port != "" {
			args = append([]string{"connect", opt.Port}, args...)
		}
		logf("would run: mpremote %s", CommandLine(args))
		return rep, nil
	}
	out, err := act(v, b, rep.Sessions > 0)
	return finish(b, out, err)
}

// boardError explains a session that did not say what the board is.
func boardError(out string, err error) error {
	if err != nil {
		return fmt.Errorf("reading the board's .mpy version: %v", err)
	}
	return fmt.Errorf("board did not report sys.implementation._mpy (got %q): its firmware cannot load .mpy files", strings.TrimSpace(out))
}

// hexLine is a sha256sum line of mpremote's output; it compiles on first
// use, not at start-up.
var hexLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^([0-9a-f]{64})\s*$`) })

// quoteAll quotes args for a shell, one line each: code with newlines in
// bash's $'...' form.
func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		switch {
		case strings.Contains(a, "\n"):
			a = "$'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(a) + "'"
		case a == "" || strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,+-@%") != "":
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}

// CommandLine is args as one shell command line, for logs.
func CommandLine(args []string) string { return strings.Join(quoteAll(args), " ") }
