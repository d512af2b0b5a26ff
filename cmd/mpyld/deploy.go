package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/builder"
	"github.com/mpyld/mpyld/deploy"
	"github.com/mpyld/mpyld/mpy"
)

// mpremote runs the mpremote program.
type mpremote struct {
	path  string
	trace func(string)
}

func (m mpremote) Run(ctx context.Context, args []string) (string, error) {
	if m.trace != nil {
		m.trace("mpremote " + deploy.CommandLine(args))
	}
	cmd := exec.CommandContext(ctx, m.path, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		// The last line says what went wrong (the exception, or mpremote's error).
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = strings.TrimSpace(out.String())
		}
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" {
			msg = err.Error()
		}
		return out.String(), fmt.Errorf("mpremote: %s", msg)
	}
	return out.String(), nil
}

func deployCommand() *cli.Command {
	return &cli.Command{
		Name:  "deploy",
		Usage: "copy the build that matches a board (found through mpremote) to it, and import it",
		Description: "Reads sys.implementation._mpy from the board, picks dist/<arch>/<name>.mpy,\n" +
			"dist/<arch>_<X.Y>/<name>.mpy or <name>.mpy for its arch and .mpy version (ARM boards\n" +
			"also load lower ARM arches), builds it if\n" +
			"missing, skips the copy when the board's file has the same sha256, copies it to\n" +
			":lib/<name>.mpy and imports it once.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Aliases: []string{"C"}, Value: ".", Usage: "module folder"},
			&cli.StringFlag{Name: "name", Usage: "module name (default: from mpyld.toml or the Makefile)"},
			&cli.StringFlag{Name: "port", Aliases: []string{"p"}, Usage: "device for mpremote (mpremote connect PORT)"},
			&cli.StringFlag{Name: "target", Usage: "path on the board (default :lib/<name>.mpy)"},
			&cli.StringFlag{Name: "mpremote", Value: "mpremote", Usage: "mpremote program"},
			&cli.BoolFlag{Name: "dry-run", Usage: "read the board, print the commands that would change it, run none of them"},
			&cli.StringFlag{Name: "mpy-dir", EnvVars: []string{"MPY_DIR"}, Usage: "MicroPython tree, for building a missing arch"},
			&cli.StringSliceFlag{Name: "cc", Usage: "compiler for an arch, ARCH=PATH, for building a missing arch"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print each mpremote command"},
		},
		Action: deployAction,
	}
}

func deployAction(c *cli.Context) error {
	dir := c.String("dir")
	name := c.String("name")
	if name == "" {
		name = builder.ModuleName(c.Context, builder.Options{Dir: dir, MPYDirs: nonEmpty(c.String("mpy-dir"))})
	}
	if name == "" {
		return usagef("no module name: give --name, or set name in %s", builder.ProjectFile)
	}
	prog, err := exec.LookPath(c.String("mpremote"))
	if err != nil {
		return &missingToolError{fmt.Sprintf("%s not found: install it with 'pip install mpremote', or give --mpremote", c.String("mpremote"))}
	}
	w := c.App.ErrWriter
	logf := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	r := mpremote{path: prog}
	if c.Bool("verbose") {
		r.trace = func(s string) { fmt.Fprintln(w, s) }
	}
	cc, err := parseCC(c.StringSlice("cc"))
	if err != nil {
		return err
	}
	opt := deploy.Options{
		Name: name, Builds: deploy.FindBuilds(dir, name), Target: c.String("target"), Port: c.String("port"),
		DryRun: c.Bool("dry-run"), Logf: logf, Board: deploy.ReadBoardCache(dir, c.String("port")),
		BuildFor: func(ctx context.Context, a mpy.Arch) (deploy.Build, error) {
			res, err := builder.Build(ctx, builder.Options{Dir: dir, Name: name, Arches: []string{a.String()}, MPYDirs: nonEmpty(c.String("mpy-dir")), CC: cc})
			if err != nil {
				return deploy.Build{}, err
			}
			return deploy.ReadBuild(filepath.Join(dir, res[0].Output))
		},
	}
	rep, err := deploy.Deploy(c.Context, r, opt)
	if rep != nil {
		deploy.WriteBoardCache(dir, opt.Port, rep.MPY)
	}
	if err != nil {
		return err
	}
	switch {
	case rep.Skipped:
		fmt.Fprintf(c.App.Writer, "%s: %s already on the board (%s), imported\n", rep.Board, rep.Target, rep.File)
	case opt.DryRun:
		fmt.Fprintf(c.App.Writer, "%s: would copy %s to %s\n", rep.Board, rep.File, rep.Target)
	default:
		fmt.Fprintf(c.App.Writer, "%s: copied %s to %s, imported\n", rep.Board, rep.File, rep.Target)
	}
	return nil
}
