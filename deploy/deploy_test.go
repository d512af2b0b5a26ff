package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// board answers mpremote commands like a MicroPython board would.
type board struct {
	mpy       uint64
	files     map[string][]byte
	importErr string
	log       []string
}

func (b *board) Run(ctx context.Context, args []string) (string, error) {
	b.log = append(b.log, strings.Join(args, " "))
	if args[0] == "connect" {
		args = args[2:]
	}
	switch {
	case args[0] == "exec" && strings.Contains(args[1], "_mpy"):
		return fmt.Sprintf("%d\n", b.mpy), nil
	case args[0] == "exec":
		if b.importErr != "" {
			return "Traceback (most recent call last):\n", fmt.Errorf("%s", b.importErr)
		}
		return "", nil
	case args[0] == "fs" && args[1] == "sha256sum":
		d, ok := b.files[args[2]]
		if !ok {
			return "", fmt.Errorf("sha256sum: %s: No such file or directory", args[2])
		}
		s := sha256.Sum256(d)
		return "sha256sum " + args[2] + "\n" + hex.EncodeToString(s[:]) + "\n", nil
	case args[0] == "fs" && args[1] == "mkdir":
		return "mkdir " + args[2] + "\n", nil
	case args[0] == "fs" && args[1] == "cp":
		d, err := os.ReadFile(args[2])
		if err != nil {
			return "", err
		}
		b.files[args[3]] = d
		return "cp " + args[2] + " " + args[3] + "\n", nil
	}
	return "", fmt.Errorf("unknown command %v", args)
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
	b := &board{mpy: mpyValue(mpy.ArchARMV7EMDP, 3, 0), files: map[string][]byte{}}
	rep, err := Deploy(context.Background(), b, Options{Name: "hello", Builds: bs, Port: "/dev/ttyACM0"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"connect /dev/ttyACM0 exec import sys; print(sys.implementation._mpy)",
		"connect /dev/ttyACM0 fs sha256sum :lib/hello.mpy",
		"connect /dev/ttyACM0 fs mkdir :lib",
		"connect /dev/ttyACM0 fs cp " + bs[1].Path + " :lib/hello.mpy",
		"connect /dev/ttyACM0 exec import hello",
	}
	if strings.Join(b.log, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\n%s\nwant:\n%s", strings.Join(b.log, "\n"), strings.Join(want, "\n"))
	}
	if !rep.Copied || rep.File != bs[1].Path {
		t.Errorf("report %+v", rep)
	}
	// Again: the board's file is the same, no copy.
	b.log = nil
	rep, err = Deploy(context.Background(), b, Options{Name: "hello", Builds: bs})
	if err != nil || !rep.Skipped || rep.Copied {
		t.Errorf("second deploy: %+v, %v", rep, err)
	}
	for _, c := range b.log {
		if strings.Contains(c, "fs cp") {
			t.Errorf("copied an unchanged file: %s", c)
		}
	}
	// Dry run: reads the board, changes nothing.
	b2 := &board{mpy: mpyValue(mpy.ArchARMV6M, 3, 0), files: map[string][]byte{}}
	var lines []string
	_, err = Deploy(context.Background(), b2, Options{Name: "hello", Builds: bs, DryRun: true,
		Logf: func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }})
	if err != nil || len(b2.files) != 0 {
		t.Errorf("dry run: %v, files %v", err, b2.files)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "would run: mpremote fs cp "+bs[0].Path+" :lib/hello.mpy") {
		t.Errorf("dry run printed:\n%s", strings.Join(lines, "\n"))
	}
	// Mismatch: sub-version.
	b3 := &board{mpy: mpyValue(mpy.ArchARMV6M, 2, 0), files: map[string][]byte{}}
	if _, err := Deploy(context.Background(), b3, Options{Name: "hello", Builds: bs}); err == nil || !strings.Contains(err.Error(), "board is armv6m, .mpy 6.2;") || !strings.Contains(err.Error(), "was built for 6.3") {
		t.Errorf("mismatch: %v", err)
	}
	// Missing build: built on demand.
	b4 := &board{mpy: mpyValue(mpy.ArchX64, 3, 0), files: map[string][]byte{}}
	x := builds(t, "x64")[0]
	built := false
	_, err = Deploy(context.Background(), b4, Options{Name: "hello", Builds: bs, BuildFor: func(ctx context.Context, a mpy.Arch) (Build, error) {
		built = a == mpy.ArchX64
		return x, nil
	}})
	if err != nil || !built || b4.files[":lib/hello.mpy"] == nil {
		t.Errorf("build on demand: %v, built %v", err, built)
	}
	// The smoke test fails: the board's message is reported.
	b5 := &board{mpy: mpyValue(mpy.ArchARMV6M, 3, 0), files: map[string][]byte{}, importErr: "ValueError: incompatible .mpy arch"}
	if _, err := Deploy(context.Background(), b5, Options{Name: "hello", Builds: bs}); err == nil || !strings.Contains(err.Error(), "ValueError: incompatible .mpy arch") {
		t.Errorf("failed import: %v", err)
	}
}
