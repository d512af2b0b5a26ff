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

// FindBuilds looks for the module's builds in dir: <name>.mpy and
// dist/<arch>/<name>.mpy, as mpyld build writes them.
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
	for _, a := range Loadable(b) {
		for _, m := range builds {
			if m.Arch != a {
				continue
			}
			switch {
			case m.Version != b.Version || m.SubVersion != b.SubVersion:
				reasons = append(reasons, fmt.Sprintf("board is %s; %s was built for %d.%d", b, m.Path, m.Version, m.SubVersion))
			case m.Flags&^b.Flags != 0:
				reasons = append(reasons, fmt.Sprintf("board is %s; %s needs arch flags %#x", b, m.Path, m.Flags))
			default:
				return m, nil
			}
		}
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

// Runner runs mpremote with the given arguments and returns its output.
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
	Logf     func(format string, args ...any)
}

// Report says what happened.
type Report struct {
	Board   Board
	File    string
	Target  string
	Copied  bool
	Skipped bool // the board's file was already the same
}

var intLine = regexp.MustCompile(`(?m)^\s*(\d+)\s*$`)
var hexLine = regexp.MustCompile(`(?m)^([0-9a-f]{64})\s*$`)

// Deploy copies the matching build to the board and imports it.
func Deploy(ctx context.Context, r Runner, opt Options) (*Report, error) {
	logf := opt.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	run := func(write bool, args ...string) (string, error) {
		if opt.Port != "" {
			args = append([]string{"connect", opt.Port}, args...)
		}
		if opt.DryRun {
			if write {
				logf("would run: mpremote %s", strings.Join(quoteAll(args), " "))
				return "", nil
			}
			logf("run: mpremote %s", strings.Join(quoteAll(args), " "))
		}
		return r.Run(ctx, args)
	}
	out, err := run(false, "exec", "import sys; print(sys.implementation._mpy)")
	if err != nil {
		return nil, fmt.Errorf("reading the board's .mpy version: %v", err)
	}
	m := intLine.FindAllStringSubmatch(out, -1)
	if m == nil {
		return nil, fmt.Errorf("board did not report sys.implementation._mpy (got %q): its firmware cannot load .mpy files", strings.TrimSpace(out))
	}
	v, _ := strconv.ParseUint(m[len(m)-1][1], 10, 64)
	rep := &Report{Board: ParseBoard(v)}
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
	rep.File = b.Path
	rep.Target = opt.Target
	if rep.Target == "" {
		rep.Target = ":lib/" + opt.Name + ".mpy"
	}
	data, err := os.ReadFile(b.Path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	local := hex.EncodeToString(sum[:])
	if out, err := run(false, "fs", "sha256sum", rep.Target); err == nil {
		if h := hexLine.FindStringSubmatch(out); h != nil && h[1] == local {
			logf("%s is up to date on the board", rep.Target)
			rep.Skipped = true
		}
	}
	if !rep.Skipped {
		if dir := path.Dir(strings.TrimPrefix(rep.Target, ":")); dir != "." && dir != "/" && dir != "" {
			run(true, "fs", "mkdir", ":"+dir) // fails when it exists: fine
		}
		if _, err := run(true, "fs", "cp", b.Path, rep.Target); err != nil {
			return nil, fmt.Errorf("copying %s to %s: %v", b.Path, rep.Target, err)
		}
		rep.Copied = !opt.DryRun
		logf("copied %s to %s", b.Path, rep.Target)
	}
	if _, err := run(true, "exec", "import "+opt.Name); err != nil {
		return rep, fmt.Errorf("import %s on the board failed: %v", opt.Name, err)
	}
	return rep, nil
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " ;'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}
