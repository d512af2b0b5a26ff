package deploy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// board is a MicroPython board behind the stand-in mpremote of
// cmd/mpyld/testdata: its files are in a folder, and every command line
// run is logged.
type board struct {
	t         *testing.T
	mpy       uint64
	fs        string
	importErr string
	log       []string
}

func newBoard(t *testing.T, mpy uint64) *board {
	if _, err := os.Stat("/usr/bin/python3"); err != nil || runtime.GOOS == "windows" {
		t.Skip("the stand-in mpremote is a script for /usr/bin/python3")
	}
	return &board{t: t, mpy: mpy, fs: t.TempDir()}
}

func (b *board) Run(ctx context.Context, args []string) (string, error) {
	b.log = append(b.log, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, filepath.Join(testutil.Root(), "cmd", "mpyld", "testdata", "mpremote"), args...)
	mpyEnv := "FAKE_MPY=" // a board without sys.implementation._mpy
	if b.mpy != 0 {
		mpyEnv += strconv.FormatUint(b.mpy, 10)
	}
	cmd.Env = append(os.Environ(), mpyEnv, "FAKE_FS="+b.fs, "FAKE_IMPORT_ERROR="+b.importErr, "FAKE_LOG=")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%v: %s%s", err, errb.String(), out.String())
	}
	return out.String(), nil
}

func (b *board) file(p string) []byte {
	data, _ := os.ReadFile(filepath.Join(b.fs, p))
	return data
}

// mpyValue is sys.implementation._mpy for an arch, sub-version and flags.
func mpyValue(a mpy.Arch, sub int, flags uint64) uint64 {
	return 6 | uint64(sub|int(a)<<2)<<8 | flags<<16
}

// builds returns golden hello builds for the named arches.
func builds(t *testing.T, arches ...string) []Build {
	var out []Build
	for _, a := range arches {
		p := filepath.Join(testutil.Golden(), a, "hello", "hello.mpy")
		if a == "xtensa" {
			p = filepath.Join(testutil.Golden(), a, "statq", "statq.mpy")
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := mpy.Read(data)
		out = append(out, Build{Path: p, Arch: f.Arch, Version: f.Version, SubVersion: f.SubVersion, Flags: f.ArchFlags})
	}
	return out
}

func TestParseBoard(t *testing.T) {
	// An RP2040 on v1.28: 6 | (3 | 4<<2) << 8.
	b := ParseBoard(6 | (3|4<<2)<<8)
	if b.Version != 6 || b.SubVersion != 3 || b.Arch != mpy.ArchARMV6M || b.Flags != 0 {
		t.Errorf("got %+v", b)
	}
	b = ParseBoard(mpyValue(mpy.ArchRV32IMC, 3, 3))
	if b.Arch != mpy.ArchRV32IMC || b.Flags != 3 {
		t.Errorf("got %+v", b)
	}
}

func TestChoose(t *testing.T) {
	all := builds(t, "x64", "armv6m", "armv7m", "armv7emsp")
	tests := []struct {
		board Board
		want  string // arch chosen, or error text
	}{
		{ParseBoard(mpyValue(mpy.ArchX64, 3, 0)), "x64"},
		{ParseBoard(mpyValue(mpy.ArchARMV7EMSP, 3, 0)), "armv7emsp"}, // exact
		{ParseBoard(mpyValue(mpy.ArchARMV7EMDP, 3, 0)), "armv7emsp"}, // falls back down the chain
		{ParseBoard(mpyValue(mpy.ArchARMV7EM, 3, 0)), "armv7m"},      // Cortex-M3 firmware reports armv7em
		{ParseBoard(mpyValue(mpy.ArchARMV6M, 3, 0)), "armv6m"},
		{ParseBoard(mpyValue(mpy.ArchARMV6M, 2, 0)), "error: board is armv6m, .mpy 6.2; " + all[1].Path + " was built for 6.3"},
		{ParseBoard(mpyValue(mpy.ArchXtensaWin, 3, 0)), "error: board is xtensawin, .mpy 6.3; this module was built for x64, armv6m, armv7m, armv7emsp: build it with --arch xtensawin"},
		{ParseBoard(6), "error: board reports no native arch"},
	}
	for _, tt := range tests {
		got, err := Choose(tt.board, all)
		s := got.Arch.String()
		if err != nil {
			s = "error: " + err.Error()
		}
		if !strings.HasPrefix(s, tt.want) {
			t.Errorf("%v: got %q, want %q", tt.board, s, tt.want)
		}
	}
	// Two ABIs built (dist/<arch>_<X.Y>/): the board's is picked; for a
	// third, the error says which MicroPython to build against.
	two := []Build{{Path: "dist/armv6m_6.2/m.mpy", Arch: mpy.ArchARMV6M, Version: 6, SubVersion: 2},
		{Path: "dist/armv6m_6.3/m.mpy", Arch: mpy.ArchARMV6M, Version: 6, SubVersion: 3}}
	for sub, want := range map[int]string{2: "dist/armv6m_6.2/m.mpy", 3: "dist/armv6m_6.3/m.mpy"} {
		if got, err := Choose(ParseBoard(mpyValue(mpy.ArchARMV6M, sub, 0)), two); err != nil || got.Path != want {
			t.Errorf(".mpy 6.%d board: got %v, %v; want %s", sub, got.Path, err, want)
		}
	}
	_, err := Choose(ParseBoard(mpyValue(mpy.ArchARMV6M, 1, 0)), two)
	if err == nil || !strings.Contains(err.Error(), "dist/armv6m_6.3/m.mpy was built for 6.3 (MicroPython v1.23 and later)") ||
		!strings.Contains(err.Error(), "the board runs MicroPython v1.20 to v1.21: build against that tree (mpyld build --mpy-dir <its tree> --arch armv6m") {
		t.Errorf(".mpy 6.1 board: %v", err)
	}
	// Arch flags: the module's must be a subset of the board's.
	rv := []Build{{Path: "m.mpy", Arch: mpy.ArchRV32IMC, Version: 6, SubVersion: 3, Flags: 3}}
	if _, err := Choose(ParseBoard(mpyValue(mpy.ArchRV32IMC, 3, 1)), rv); err == nil || !strings.Contains(err.Error(), "needs arch flags 0x3") {
		t.Errorf("flags superset accepted: %v", err)
	}
	if _, err := Choose(ParseBoard(mpyValue(mpy.ArchRV32IMC, 3, 3)), rv); err != nil {
		t.Errorf("flags subset refused: %v", err)
	}
}

func TestDeploy(t *testing.T) {
	bs := builds(t, "armv6m", "armv7emsp")
	read := func(p string) []byte {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	// A board seen for the first time: read, then copy and import in a
	// second session that does not reset it again.
	b := newBoard(t, mpyValue(mpy.ArchARMV7EMDP, 3, 0))
	rep, err := Deploy(context.Background(), b, Options{Name: "hello", Builds: bs, Port: "/dev/ttyACM0"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sessions != 2 || len(b.log) != 2 || !strings.HasPrefix(b.log[1], "connect /dev/ttyACM0 resume exec ") ||
		!strings.Contains(b.log[1], " + fs cp "+bs[1].Path+" :lib/hello.mpy + exec ") {
		t.Errorf("%d sessions:\n%s", rep.Sessions, strings.Join(b.log, "\n"))
	}
	if !rep.Copied || rep.File != bs[1].Path || rep.MPY != b.mpy || !bytes.Equal(b.file("lib/hello.mpy"), read(bs[1].Path)) {
		t.Errorf("report %+v", rep)
	}
	// Again, knowing the board: one session; mpremote skips the same file.
	b.log = nil
	rep, err = Deploy(context.Background(), b, Options{Name: "hello", Builds: bs, Board: rep.MPY})
	if err != nil || !rep.Skipped || rep.Copied || rep.Sessions != 1 {
		t.Errorf("second deploy: %+v, %v\n%s", rep, err, strings.Join(b.log, "\n"))
	}
	// Another board where the last one was: the check stops the first
	// session before the copy; the second copies the armv6m build.
	b.log = nil
	b.mpy = mpyValue(mpy.ArchARMV6M, 3, 0)
	rep, err = Deploy(context.Background(), b, Options{Name: "hello", Builds: bs, Board: mpyValue(mpy.ArchARMV7EMDP, 3, 0)})
	if err != nil || rep.Sessions != 2 || rep.File != bs[0].Path || !bytes.Equal(b.file("lib/hello.mpy"), read(bs[0].Path)) {
		t.Errorf("changed board: %+v, %v\n%s", rep, err, strings.Join(b.log, "\n"))
	}
	// One build and a board it fits: one session, guessed from the build.
	b2 := newBoard(t, mpyValue(mpy.ArchARMV6M, 3, 0))
	rep, err = Deploy(context.Background(), b2, Options{Name: "hello", Builds: bs[:1]})
	if err != nil || rep.Sessions != 1 || !bytes.Equal(b2.file("lib/hello.mpy"), read(bs[0].Path)) {
		t.Errorf("single build: %+v, %v\n%s", rep, err, strings.Join(b2.log, "\n"))
	}
	// A target in nested folders, made on the way: not on the board's
	// import path, so the import check puts the folder first on sys.path.
	b2 = newBoard(t, mpyValue(mpy.ArchARMV6M, 3, 0))
	rep, err = Deploy(context.Background(), b2, Options{Name: "hello", Builds: bs[:1], Target: ":a/b/hello.mpy"})
	if err != nil || !rep.Copied || !bytes.Equal(b2.file("a/b/hello.mpy"), read(bs[0].Path)) {
		t.Errorf("nested target: %+v, %v\n%s", rep, err, strings.Join(b2.log, "\n"))
	}
	if log := strings.Join(b2.log, "\n"); !strings.Contains(log, "sys.path.insert(0,'a/b')") {
		t.Errorf("nested target: no sys.path entry for a/b in\n%s", log)
	}
	// Dry run: reads the board in one session, changes nothing.
	b3 := newBoard(t, mpyValue(mpy.ArchARMV6M, 3, 0))
	var lines []string
	rep, err = Deploy(context.Background(), b3, Options{Name: "hello", Builds: bs, DryRun: true,
		Logf: func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }})
	if err != nil || rep.Sessions != 1 || b3.file("lib/hello.mpy") != nil {
		t.Errorf("dry run: %+v, %v", rep, err)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "would run: mpremote resume exec ") || !strings.Contains(strings.Join(lines, "\n"), " + fs cp "+bs[0].Path+" :lib/hello.mpy + exec ") {
		t.Errorf("dry run printed:\n%s", strings.Join(lines, "\n"))
	}
	// Mismatch: sub-version.
	b4 := newBoard(t, mpyValue(mpy.ArchARMV6M, 2, 0))
	if _, err := Deploy(context.Background(), b4, Options{Name: "hello", Builds: bs}); err == nil || !strings.Contains(err.Error(), "board is armv6m, .mpy 6.2;") || !strings.Contains(err.Error(), "was built for 6.3") {
		t.Errorf("mismatch: %v", err)
	}
	// Missing build: built on demand.
	b5 := newBoard(t, mpyValue(mpy.ArchX64, 3, 0))
	x := builds(t, "x64")[0]
	built := false
	_, err = Deploy(context.Background(), b5, Options{Name: "hello", Builds: bs, BuildFor: func(ctx context.Context, a mpy.Arch) (Build, error) {
		built = a == mpy.ArchX64
		return x, nil
	}})
	if err != nil || !built || b5.file("lib/hello.mpy") == nil {
		t.Errorf("build on demand: %v, built %v", err, built)
	}
	// The smoke test fails: the board's message is reported.
	b6 := newBoard(t, mpyValue(mpy.ArchARMV6M, 3, 0))
	b6.importErr = "ValueError: incompatible .mpy arch"
	if _, err := Deploy(context.Background(), b6, Options{Name: "hello", Builds: bs}); err == nil || !strings.Contains(err.Error(), "ValueError: incompatible .mpy arch") {
		t.Errorf("failed import: %v", err)
	}
	// A board without sys.implementation._mpy.
	b7 := newBoard(t, 0)
	if _, err := Deploy(context.Background(), b7, Options{Name: "hello", Builds: bs}); err == nil || !strings.Contains(err.Error(), "reading the board's .mpy version") {
		t.Errorf("no _mpy: %v", err)
	}
}

// TestFindBuildsVersions: builds for two MicroPython versions (reference
// outputs of v1.22 and v1.28) in dist/<arch>_<X.Y>/ are found with their
// ABI, and each board gets its own.
func TestFindBuildsVersions(t *testing.T) {
	dir := t.TempDir()
	for sub, src := range map[string]string{
		"6.2": filepath.Join(testutil.Root(), "testdata", "golden-versions", "v1.22", "x64", "hello", "hello.mpy"),
		"6.3": filepath.Join(testutil.Golden(), "x64", "hello", "hello.mpy"),
	} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dir, "dist", "x64_"+sub), 0o755)
		os.WriteFile(filepath.Join(dir, "dist", "x64_"+sub, "hello.mpy"), data, 0o644)
	}
	builds := FindBuilds(dir, "hello")
	if len(builds) != 2 {
		t.Fatalf("found %v", builds)
	}
	for sub := 2; sub <= 3; sub++ {
		b, err := Choose(ParseBoard(mpyValue(mpy.ArchX64, sub, 0)), builds)
		if err != nil || b.SubVersion != sub || filepath.Base(filepath.Dir(b.Path)) != fmt.Sprintf("x64_6.%d", sub) {
			t.Errorf("board 6.%d: %+v, %v", sub, b, err)
		}
	}
}
