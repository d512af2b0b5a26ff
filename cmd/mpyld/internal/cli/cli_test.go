package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// testApp records what the action saw.
func testApp(out *bytes.Buffer, got *Context) *App {
	save := func(c *Context) error { *got = *c; return nil }
	return &App{
		Name: "tool", Usage: "does things", Writer: out, ErrWriter: out,
		Flags:  []Flag{&StringFlag{Name: "arch", Value: "x64", Usage: "target"}, &BoolFlag{Name: "verbose", Aliases: []string{"v"}, Count: new(int)}},
		Action: save,
		Commands: []*Command{{
			Name: "build", Usage: "build it", ArgsUsage: "SRC...", Action: save,
			Flags: []Flag{
				&StringFlag{Name: "dir", Aliases: []string{"C"}, Value: "."},
				&StringFlag{Name: "mpy-dir", EnvVars: []string{"TOOL_TEST_MPY_DIR"}},
				&StringFlag{Name: "output", Aliases: []string{"o"}, Required: true},
				&IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: 4},
				&BoolFlag{Name: "link-runtime"},
				&StringSliceFlag{Name: "lib", Aliases: []string{"l"}},
			},
		}},
	}
}

func TestParse(t *testing.T) {
	t.Setenv("TOOL_TEST_MPY_DIR", "/mpy")
	var out bytes.Buffer
	var c Context
	app := testApp(&out, &c)
	if err := app.Run([]string{"tool", "build", "-o", "m.mpy", "-j", "0x10", "-l", "a.a", "--lib=b,c.a", "--link-runtime=false", "x.c", "y.c"}); err != nil {
		t.Fatal(err)
	}
	if c.Command == nil || c.Command.Name != "build" {
		t.Fatalf("command %v", c.Command)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"output", c.String("output"), "m.mpy"},
		{"o", c.String("o"), "m.mpy"},
		{"dir default", c.String("dir"), "."},
		{"dir set", c.IsSet("dir"), false},
		{"env", c.String("mpy-dir"), "/mpy"},
		{"env set", c.IsSet("mpy-dir"), true},
		{"jobs", c.Int("jobs"), 16},
		{"libs", strings.Join(c.StringSlice("lib"), "|"), "a.a|b,c.a"},
		{"link-runtime", c.Bool("link-runtime"), false},
		{"link-runtime set", c.IsSet("link-runtime"), true},
		{"args", strings.Join(c.Args().Slice(), " "), "x.c y.c"},
		{"nargs", c.NArg(), 2},
		{"first", c.Args().First(), "x.c"},
		{"unknown", c.String("nope"), ""},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.what, ch.got, ch.want)
		}
	}
	// The app's own flags and action; counted flags.
	if err := app.Run([]string{"tool", "-v", "-v", "--verbose", "--arch", "armv6m", "a.o"}); err != nil {
		t.Fatal(err)
	}
	if c.Command != nil || c.Count("verbose") != 3 || c.Count("v") != 3 || !c.Bool("v") || c.String("arch") != "armv6m" || c.Args().First() != "a.o" {
		t.Errorf("app action: command %v, count %d, arch %q, args %v", c.Command, c.Count("verbose"), c.String("arch"), c.Args())
	}
	if n := *app.Flags[1].(*BoolFlag).Count; n != 3 {
		t.Errorf("BoolFlag.Count = %d, want 3", n)
	}
}

func TestUsageErrors(t *testing.T) {
	var out bytes.Buffer
	var c Context
	app := testApp(&out, &c)
	wrapped := errors.New("usage")
	var seen error
	app.OnUsageError = func(c *Context, err error, sub bool) error { seen = err; return wrapped }
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"tool", "build", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"tool", "build", "-o"}, "flag needs an argument: -o"},
		{[]string{"tool", "build", "-o", "m", "-j", "many"}, `invalid value "many" for flag -j: parse error`},
		{[]string{"tool", "build", "x.c"}, `Required flag "output" not set`},
	} {
		seen = nil
		if err := app.Run(tt.args); err != wrapped || seen == nil || seen.Error() != tt.want {
			t.Errorf("%v: got %v (%v), want %q", tt.args, err, seen, tt.want)
		}
	}
	if out.Len() != 0 {
		t.Errorf("usage errors printed %q", out.String())
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	var c Context
	app := testApp(&out, &c)
	if err := app.Run([]string{"tool", "--help"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tool - does things", "COMMANDS:\n   build  build it", `--arch value   target (default: "x64")`, "--verbose, -v", "--help, -h"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("app help lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := app.Run([]string{"tool", "build", "-h"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tool build - build it", "tool build [options] SRC...", "--dir value, -C value", "[$TOOL_TEST_MPY_DIR]", "(default: 4)", "--lib value, -l value"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("command help lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	app.Action = ShowAppHelp
	if err := app.Run([]string{"tool"}); err != nil || !strings.Contains(out.String(), "GLOBAL OPTIONS:") {
		t.Errorf("ShowAppHelp: %v\n%s", err, out.String())
	}
}
