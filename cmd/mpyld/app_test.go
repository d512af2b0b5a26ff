package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
)

func TestExitCodes(t *testing.T) {
	g := testutil.Golden()
	tmp := t.TempDir()
	garbage := filepath.Join(tmp, "garbage.o")
	if err := os.WriteFile(garbage, []byte("\x7fELF\x01\x01\x01garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"ok", []string{"check", "--arch", "x64", g + "/x64/hello/hello.o"}, 0, `^$`},
		{"mistyped command", []string{"biuld", "--arch", "x64"}, 2, `"biuld" is not a command \(link, check, .*, help\) nor an object file`},
		{"help of a command", []string{"help", "link"}, 0, `^$`},
		{"unknown arch", []string{"link", "--arch", "z80", "a.o"}, 2, `unknown architecture "z80" \(valid: x86, x64,`},
		{"unknown flag", []string{"link", "--frobnicate", "a.o"}, 2, `flag provided but not defined`},
		{"no objects", []string{"link", "--arch", "x64"}, 2, `no input objects`},
		{"arch flags", []string{"link", "--arch", "x64", "--arch-flags", "zba", "a.o"}, 2, `takes no --arch-flags`},
		{"bad arch flag name", []string{"link", "--arch", "rv32imc", "--arch-flags", "zbb", "a.o"}, 2, `invalid --arch-flags name "zbb"`},
		{"missing file", []string{"link", "--arch", "x64", "-o", tmp + "/m.mpy", tmp + "/nope.o"}, 1, `nope.o: no such file`},
		{"corrupt", []string{"link", "--arch", "x64", "-o", tmp + "/m.mpy", garbage}, 1, `garbage.o: malformed ELF`},
		{"wrong arch", []string{"link", "--arch", "x64", "-o", tmp + "/m.mpy", g + "/armv6m/hello/hello.o"}, 1, `object is EM_ARM but --arch x64 wants EM_X86_64`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append([]string{"mpyld"}, tt.args...), &out, &errb)
			if code != tt.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if !regexp.MustCompile(tt.stderr).MatchString(errb.String()) {
				t.Errorf("stderr %q does not match %q", errb.String(), tt.stderr)
			}
			if _, err := os.Stat(tmp + "/m.mpy"); err == nil {
				t.Errorf("output file left behind")
			}
		})
	}
}

// TestRefusedLeaveNoOutput links every err_* golden case through the
// command (err_data and err_static_bss with --no-data, without which they
// link): exit 1, a message, and the old output file left as it was.
func TestRefusedLeaveNoOutput(t *testing.T) {
	n := 0
	for _, c := range testutil.Cases(t) {
		if !strings.HasPrefix(c.Module, "err_") || c.Name == "xtensa/err_static_bss" {
			continue
		}
		n++
		out := filepath.Join(t.TempDir(), "out.mpy")
		os.WriteFile(out, []byte("old"), 0o644)
		args := []string{"mpyld", "link", "--no-data", "--arch", c.Arch, "--qstrs", filepath.Join(c.Dir, c.Qstrs), "-o", out}
		for _, o := range c.Objs {
			args = append(args, filepath.Join(c.Dir, o))
		}
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 1 {
			t.Errorf("%s: exit %d, want 1", c.Name, code)
		}
		if !strings.HasPrefix(stderr.String(), "mpyld: ") || !strings.Contains(stderr.String(), c.Module) {
			t.Errorf("%s: stderr %q", c.Name, stderr.String())
		}
		if b, _ := os.ReadFile(out); string(b) != "old" {
			t.Errorf("%s: output file replaced", c.Name)
		}
		entries, _ := os.ReadDir(filepath.Dir(out))
		if len(entries) != 1 {
			t.Errorf("%s: %d files left in the output folder", c.Name, len(entries))
		}
	}
	if n < 30 {
		t.Errorf("only %d cases", n)
	}
}

// TestSummaryAsReference: run as mpy_ld.py (no subcommand), mpyld prints
// the size summary the reference printed for every case it linked.
func TestSummaryAsReference(t *testing.T) {
	n := 0
	for _, c := range testutil.Cases(t) {
		if c.Status != 0 || strings.HasPrefix(c.Module, "err_") {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			a, err := linker.LookupArch(c.Arch)
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"mpyld", "--arch", c.Arch, "-o", filepath.Join(t.TempDir(), c.Output)}
			if c.Qstrs != "" {
				args = append(args, "--qstrs", filepath.Join(c.Dir, c.Qstrs))
			}
			for _, l := range c.Libs {
				args = append(args, "-l", testutil.Lib(t, a.CrossPrefix+"gcc", a.CFlags, l))
			}
			for _, o := range c.Objs {
				args = append(args, filepath.Join(c.Dir, o))
			}
			var out, errb bytes.Buffer
			if code := run(args, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			want, err := os.ReadFile(filepath.Join(c.Dir, "link.out"))
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != string(want) {
				t.Errorf("printed\n%s\nthe reference printed\n%s", out.String(), want)
			}
		})
	}
	if n == 0 {
		t.Fatal("no golden case")
	}
}

// TestOneCommandApp: an app made for one named command (no other commands,
// no mpy_ld.py flags, names worked out once) shows the help the whole app
// shows for it, and finds flags given on the line or through their
// environment variables.
func TestOneCommandApp(t *testing.T) {
	for _, c := range commands {
		var one, whole, e1, e2 bytes.Buffer
		run([]string{"mpyld", c.name, "--help"}, &one, &e1)
		all := newApp(&whole, &e2, []string{"mpyld"}) // every command, and the mpy_ld.py flags
		if len(all.Commands) != len(commands) || len(all.Flags) == 0 {
			t.Fatalf("the whole app has %d commands and %d top-level flags", len(all.Commands), len(all.Flags))
		}
		all.Run([]string{"mpyld", c.name, "--help"})
		var helped bytes.Buffer
		run([]string{"mpyld", "help", c.name}, &helped, &bytes.Buffer{})
		if helped.String() != whole.String() {
			t.Errorf("mpyld help %s:\n%s\nwant what mpyld %s --help shows", c.name, helped.String(), c.name)
		}
		if one.Len() == 0 || one.String() != whole.String() || e1.String() != e2.String() {
			t.Errorf("%s: help of the one-command app differs from the whole app's:\n%s\n---\n%s", c.name, one.String(), whole.String())
		}
	}
	// mpy_ld.py's flags without an object: the whole help, every command.
	var bare, flagsOnly bytes.Buffer
	run([]string{"mpyld"}, &bare, &bytes.Buffer{})
	run([]string{"mpyld", "--arch", "x64", "-v"}, &flagsOnly, &bytes.Buffer{})
	if !strings.Contains(bare.String(), "   deploy ") || flagsOnly.String() != bare.String() {
		t.Errorf("mpyld --arch x64 -v showed:\n%s\nwant the help of mpyld alone:\n%s", flagsOnly.String(), bare.String())
	}
	var seen []bool
	app := newApp(&bytes.Buffer{}, &bytes.Buffer{}, []string{"mpyld", "build"})
	if len(app.Commands) != 1 || len(app.Flags) != 0 {
		t.Fatalf("app for build: %d commands, %d top-level flags; want 1 and none", len(app.Commands), len(app.Flags))
	}
	app.Commands[0].Action = func(c *cli.Context) error {
		seen = append(seen, c.IsSet("gc-sections"), c.IsSet("mpy-dir"), c.IsSet("link-runtime"), c.Bool("gc-sections"))
		return nil
	}
	t.Setenv("MPY_DIR", t.TempDir())
	if err := app.Run([]string{"mpyld", "build", "--gc-sections"}); err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, true, false, true}; !slices.Equal(seen, want) {
		t.Errorf("IsSet gc-sections, mpy-dir (from MPY_DIR), link-runtime and Bool gc-sections: %v, want %v", seen, want)
	}
}
