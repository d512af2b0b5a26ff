package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/internal/buildinfo"
)

// Exit codes.
const (
	exitOK      = 0
	exitRefused = 1 // the input was refused or a step failed
	exitUsage   = 2
	exitMissing = 3 // a needed tool is missing
)

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// missingToolError is a program that could not be found.
type missingToolError struct{ msg string }

func (e *missingToolError) Error() string { return e.msg }

// commands makes mpyld's commands, by name; runs says that the command runs
// other programs (make, compilers, QEMU, mpremote), which an interrupt must
// stop.
var commands = []struct {
	name string
	make func() *cli.Command
	runs bool
}{
	{"link", linkCommand, false}, {"check", checkCommand, false}, {"preprocess", preprocessCommand, false},
	{"merge", mergeCommand, false}, {"inspect", inspectCommand, false}, {"size", sizeCommand, false},
	{"addr2line", addr2lineCommand, false}, {"build", buildCommand, true}, {"test", testCommand, true},
	{"clean", cleanCommand, true}, {"release", releaseCommand, true}, {"deploy", deployCommand, true},
	{"version", versionCommand, false},
}

// needsCommands says whether args without a command name first still need
// the whole app: nothing after mpyld (its help), a command named later, or
// help or the version asked for.
func needsCommands(args []string) bool {
	if len(args) < 2 {
		return true
	}
	for _, a := range args[1:] {
		switch a {
		case "help", "h", "-h", "--help", "-help", "--version", "-version":
			return true
		}
		for _, c := range commands {
			if a == c.name {
				return true
			}
		}
	}
	return false
}

// runsPrograms says whether the command args name may run other programs:
// any command but those that only read and write files.
func runsPrograms(args []string) bool {
	for _, c := range commands {
		if len(args) > 1 && c.name == args[1] {
			return c.runs
		}
	}
	return needsCommands(args) // mpy_ld.py's link, merge and preprocess run nothing
}

// newApp makes the command line app for args, holding only what args can
// reach: urfave/cli looks every flag up by every other before an action
// runs, and each command and flag it need not make saves start-up time
// (README "Speed"). A named command gets an app of that command alone;
// mpy_ld.py's flags (as make MPY_LD=mpyld runs it) get the top-level flags
// alone, unless an argument names a command or asks for help or the
// version; the rest gets everything.
func newApp(stdout, stderr io.Writer, args []string) *cli.App {
	var cmds []*cli.Command
	var flags []cli.Flag
	version := ""
	for _, c := range commands {
		if len(args) > 1 && c.name == args[1] {
			cmds = []*cli.Command{c.make()}
		}
	}
	if cmds == nil {
		flags = append(append(linkFlags(), mergeFlags()...),
			&cli.BoolFlag{Name: "preprocess", Usage: "write the qstr config header of the source files instead of linking"},
			&cli.BoolFlag{Name: "merge", Usage: "merge .mpy files instead of linking (mpy-tool.py --merge)"})
		if needsCommands(args) {
			version = buildinfo.Get().Version
			for _, c := range commands {
				cmds = append(cmds, c.make())
			}
		}
	}
	for _, c := range cmds {
		c.Flags = namedOnce(c.Flags)
	}
	app := &cli.App{
		Name:  "mpyld",
		Usage: "build and link MicroPython native modules (.mpy)",
		Description: "mpyld builds and links native .mpy modules for MicroPython v1.20-v1.21 (.mpy 6.1),\n" +
			"v1.22 (6.2), v1.23-v1.28 (6.3, the default) and the development branch, byte-compatible\n" +
			"with each version's tools/mpy_ld.py. Run without a command it takes mpy_ld.py's own\n" +
			"flags, so natmod Makefiles work with 'make MPY_LD=mpyld'. 'mpyld version' lists\n" +
			"the versions and arches.",
		Version:   version,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags:     namedOnce(flags),
		Action: func(c *cli.Context) error {
			if c.Bool("preprocess") {
				return preprocessAction(c)
			}
			if c.Bool("merge") {
				return mergeAction(c)
			}
			if c.NArg() == 0 {
				if c.App.Command("link") == nil {
					// An app made for mpy_ld.py's flags alone: the help
					// lists every command too.
					return newApp(stdout, stderr, nil).Run([]string{"mpyld", "--help"})
				}
				return cli.ShowAppHelp(c)
			}
			if first := c.Args().First(); !strings.Contains(filepath.Base(first), ".") {
				if _, err := os.Stat(first); err != nil {
					names := make([]string, len(commands))
					for i, c := range commands {
						names[i] = c.name
					}
					return usagef("%q is not a command (%s, help) nor an object file", first, strings.Join(names, ", "))
				}
			}
			return linkAction(c, 1) // as mpy_ld.py: the size summary at its default log level
		},
		Commands:       cmds,
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, isSubcommand bool) error {
			return &usageError{err.Error()}
		},
	}
	return app
}

// run runs the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr, args)
	ctx := context.Background()
	if runsPrograms(args) {
		// Interrupted, stop what runs (make, compilers, QEMU) before exiting.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	err := app.RunContext(ctx, normalizeArgs(app, args))
	if err == nil {
		return exitOK
	}
	msg := strings.TrimSpace(err.Error())
	var ue *usageError
	var me *missingToolError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "mpyld: %s\n(see mpyld --help)\n", msg)
		return exitUsage
	case errors.As(err, &me):
		fmt.Fprintf(stderr, "mpyld: %s\n", msg)
		return exitMissing
	case strings.HasPrefix(msg, "flag provided but not defined") || strings.HasPrefix(msg, "Required flag") || strings.HasPrefix(msg, "invalid value"):
		fmt.Fprintf(stderr, "mpyld: %s\n(see mpyld --help)\n", msg)
		return exitUsage
	}
	for _, line := range strings.Split(msg, "\n") {
		fmt.Fprintf(stderr, "mpyld: %s\n", line)
	}
	return exitRefused
}

// valueFlags lists the flags of a command (or of the app, for name "")
// that take a value in the next argument.
func valueFlags(app *cli.App, name string) map[string]bool {
	flags := app.Flags
	for _, c := range app.Commands {
		if c.Name == name {
			flags = c.Flags
		}
	}
	m := map[string]bool{}
	for _, f := range flags {
		if d, ok := f.(cli.DocGenerationFlag); ok && !d.TakesValue() {
			continue // a bool flag
		}
		for _, n := range f.Names() {
			if len(n) == 1 {
				m["-"+n] = true
			} else {
				m["--"+n] = true
				m["-"+n] = true
			}
		}
	}
	return m
}

// normalizeArgs makes mpy_ld.py's argument forms fit urfave/cli: "-vvv"
// becomes three -v, attached values ("-l/path/libgcc.a", "-ofile") are
// split off, and positional arguments move behind the flags so that
// "mpyld link a.o -o a.mpy" works.
func normalizeArgs(app *cli.App, args []string) []string {
	if len(args) == 0 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	cmd := ""
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		cmd = rest[0] // the subcommand
		out = append(out, cmd)
		rest = rest[1:]
	}
	vf := valueFlags(app, cmd)
	var flags, pos []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			pos = append(pos, rest[i+1:]...)
			i = len(rest)
		case len(a) > 2 && a[0] == '-' && a[1] == 'v' && strings.Trim(a[1:], "v") == "":
			for range a[1:] {
				flags = append(flags, "-v")
			}
		case len(a) > 2 && a[0] == '-' && a[1] != '-' && vf[a[:2]] && !vf[a] && !strings.Contains(a, "="):
			flags = append(flags, a[:2], a[2:])
		case vf[a] && i+1 < len(rest):
			flags = append(flags, a, rest[i+1])
			i++
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
		default:
			pos = append(pos, a)
		}
	}
	out = append(out, flags...)
	if len(pos) > 0 {
		out = append(out, "--")
		out = append(out, pos...)
	}
	return out
}
