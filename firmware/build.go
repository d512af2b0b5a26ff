// This file implements building a board's firmware with the tree's own
// makefiles into a cache folder, once per tree, version, board and options.

package firmware

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mpyld/mpyld/linker"
)

// Options are the inputs of a firmware build.
type Options struct {
	MPYDir   string // the MicroPython tree
	CacheDir string // the cache folder (mpyld's folder in os.UserCacheDir)
	Jobs     int    // make -j; default 2
	Make     string // GNU make; default "make" from PATH
	// Logf receives one line per step; Commandf each command run.
	Logf     func(format string, args ...any)
	Commandf func(format string, args ...any)
	// Progress, if set, receives the number of files compiled so far.
	Progress func(board string, compiled int)
}

// MissingToolError is a program the firmware build or run needs.
type MissingToolError struct {
	Tool, Package string
}

func (e *MissingToolError) Error() string {
	return fmt.Sprintf("%s not found; install %s", e.Tool, e.Package)
}

// DefaultCacheDir is mpyld's folder in the user's cache folder.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder: %v (give --cache DIR)", err)
	}
	return filepath.Join(d, "mpyld"), nil
}

// treeSources are the folders of a tree a port's firmware is built from:
// the core, and the libraries the unix and QEMU ports compile (a full
// checkout's other submodules are left out: they are large and unused).
var treeSources = []string{"py", "extmod", "shared", "drivers", "lib/libm", "lib/libm_dbl", "lib/uzlib", "lib/re1.5",
	"lib/littlefs", "lib/oofatfs", "lib/crypto-algorithms", "lib/berkeley-db-1.xx"}

// Key names the cached build of the board from the tree: its version,
// the board, its make variables, the sources mpyld carries for its own
// ports, and a digest of the tree's sources (the name and contents of
// every file of treeSources and the port). Neither the
// tree's location nor file times are part of it, so a fresh checkout or
// unpacking of the same sources (as CI makes) finds its firmware, and an
// edited source gives a new build.
func (b *Board) Key(mpyDir string, t linker.Target) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "version %s\nboard %s\n", versionOf(t), b.Name)
	for _, v := range b.versionVars(mpyDir, t) {
		fmt.Fprintf(h, "var %s\n", v)
	}
	if b.Digest != nil {
		fmt.Fprintf(h, "port %s\n", b.Digest())
	}
	subs := append([]string(nil), treeSources...)
	if b.Port != "" {
		subs = append(subs, "ports/"+b.Port)
	}
	for _, sub := range subs {
		root := filepath.Join(mpyDir, filepath.FromSlash(sub))
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) && p == root {
					return nil
				}
				return err
			}
			if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), "build") || d.Name() == ".git") {
				return filepath.SkipDir // the tree's own builds
			}
			if !d.Type().IsRegular() {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(mpyDir, p)
			sum := sha256.Sum256(data)
			fmt.Fprintf(h, "file %s %x\n", filepath.ToSlash(rel), sum)
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("reading the tree %s: %v", mpyDir, err)
		}
	}
	return fmt.Sprintf("%s-%s-%s", b.Name, versionOf(t), hex.EncodeToString(h.Sum(nil))[:12]), nil
}

// builds keeps one build per cache key at a time in this process.
var builds sync.Map // key -> *sync.Mutex

// Build returns the firmware of board b for the tree in o.MPYDir, building
// it with the tree's makefile when the cache has none. The build folder is
// in the cache, so the tree itself is only read.
func Build(ctx context.Context, b *Board, o Options) (string, error) {
	if why := b.NotRun; why != "" {
		return "", errors.New(why)
	}
	t, err := linker.TreeTarget(o.MPYDir)
	if err != nil {
		return "", err
	}
	if why := b.Available(o.MPYDir, t); why != "" {
		return "", errors.New(why)
	}
	key, err := b.Key(o.MPYDir, t)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(o.CacheDir, "firmware", key)
	program := filepath.Join(dir, "build", b.Program)
	stamp := filepath.Join(dir, "ok")
	mu, _ := builds.LoadOrStore(key, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if p := cached(stamp, program, b); p != "" && b.Make == nil {
		return p, nil
	}
	if err := b.checkTools(o); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	if p := cached(stamp, program, b); p != "" && b.Make == nil {
		return p, nil // another mpyld built it meanwhile
	}
	if b.Make != nil {
		// mpyld's own ports: their Make rebuilds only what changed (the
		// port's files come with mpyld, so they may have).
		first := cached(stamp, program, b) == ""
		if first {
			logf(o, "firmware %s: building MicroPython %s %s (first run; cached in %s)", b.Name, versionOf(t), b.Name, dir)
		}
		start := time.Now()
		p, err := b.Make(ctx, o.MPYDir, filepath.Join(dir, "build"), func(format string, args ...any) { logf(o, format, args...) })
		if err != nil {
			return "", fmt.Errorf("firmware %s: %v", b.Name, err)
		}
		if err := os.WriteFile(stamp, []byte(p+"\n"), 0o644); err != nil {
			return "", err
		}
		if first {
			logf(o, "firmware %s: built in %.0fs", b.Name, time.Since(start).Seconds())
		}
		return p, nil
	}
	portDir := filepath.Join(o.MPYDir, "ports", b.Port)
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = 2
	}
	args := makeArgs(portDir, filepath.Join(dir, "build"), jobs, b.versionVars(o.MPYDir, t))
	mk := o.Make
	if mk == "" {
		mk = "make"
	}
	logf(o, "firmware %s: building MicroPython %s %s (first run; cached in %s)", b.Name, versionOf(t), b.Name, dir)
	if o.Commandf != nil {
		o.Commandf("%s", commandLine(append([]string{mk}, args...)))
	}
	logPath := filepath.Join(dir, "build.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer logFile.Close()
	start := time.Now()
	cmd := exec.CommandContext(ctx, mk, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var tail tailBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		n := 0
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logFile, line)
			tail.add(line)
			if strings.HasPrefix(line, "CC ") && o.Progress != nil {
				n++
				o.Progress(b.Name, n)
			}
		}
		io.Copy(io.Discard, pr)
	}()
	err = cmd.Run()
	pw.Close()
	<-done
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("firmware %s: make in %s failed (%v); full log %s:\n%s%s", b.Name, portDir, err, logPath, tail.String(), submoduleHint(tail.String()))
	}
	if !isFile(program) {
		return "", fmt.Errorf("firmware %s: make in %s made no %s (log %s)", b.Name, portDir, program, logPath)
	}
	if err := os.WriteFile(stamp, []byte(versionOf(t)+"\n"), 0o644); err != nil {
		return "", err
	}
	logf(o, "firmware %s: built in %.0fs", b.Name, time.Since(start).Seconds())
	return program, nil
}

// makeArgs are make's arguments for a port's build into buildDir. Paths
// that make hands to the shell are given with "/": the shell of a Windows
// make (MSYS2's sh) takes "\" as an escape.
func makeArgs(portDir, buildDir string, jobs int, vars []string) []string {
	args := []string{"-C", portDir, fmt.Sprintf("-j%d", jobs), "BUILD=" + filepath.ToSlash(buildDir)}
	return append(args, vars...)
}

// cached returns the firmware a finished build left, or "": the board's
// program, or for boards mpyld builds itself, the file the stamp names.
func cached(stamp, program string, b *Board) string {
	if !isFile(stamp) {
		return ""
	}
	if b.Make != nil {
		data, _ := os.ReadFile(stamp)
		p := strings.TrimSpace(string(data))
		if isFile(p) {
			return p
		}
		return ""
	}
	if isFile(program) {
		return program
	}
	return ""
}

// checkTools reports the compiler the board's makefile needs, when absent.
func (b *Board) checkTools(o Options) error {
	mk := o.Make
	if mk == "" {
		mk = "make"
	}
	if _, err := exec.LookPath(mk); err != nil { // mpyld's own ports are built with make too
		return &MissingToolError{Tool: "GNU make", Package: HostPackage("make")}
	}
	cc := b.CrossPrefix + "gcc"
	if _, err := exec.LookPath(cc); err != nil {
		return &MissingToolError{Tool: cc + " (to build the " + b.Name + " firmware)", Package: HostPackage(b.CrossPackage)}
	}
	return nil
}

// submoduleHint says so when make stopped on a missing submodule.
func submoduleHint(log string) string {
	if strings.Contains(log, "No such file or directory") && strings.Contains(log, "lib/") {
		return "\n(a file under lib/ is missing: is a git submodule of the tree not checked out? the firmware is built without SSL, FFI, btree and frozen modules)"
	}
	return ""
}

func logf(o Options, format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// tailBuffer keeps the last lines of make's output for the error message.
type tailBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (t *tailBuffer) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > 15 {
		t.lines = t.lines[1:]
	}
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b bytes.Buffer
	for _, l := range t.lines {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// commandLine quotes argv for the shell.
func commandLine(argv []string) string {
	var parts []string
	for _, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]#~&;|<>(){}") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
