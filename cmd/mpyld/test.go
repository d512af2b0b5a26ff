package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/testrun"
)

func testCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringSliceFlag{Name: "firmware", Usage: "your own firmware for an arch, ARCH=PATH (a unix port binary, or a QEMU board's ELF); repeatable"},
		&cli.StringFlag{Name: "cache", EnvVars: []string{"MPYLD_CACHE"}, Usage: "firmware cache folder (default: mpyld in the user's cache folder)"},
		&cli.DurationFlag{Name: "timeout", Value: 60e9, Usage: "time limit of one test"},
	}
	for _, f := range buildFlags() {
		switch f.Names()[0] {
		case "map", "debug":
			continue
		case "jobs":
			f = &cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: 2, Usage: "arches and versions built and run at once"}
		case "json":
			f = &cli.BoolFlag{Name: "json", Usage: "print the results as JSON"}
		}
		flags = append(flags, f)
	}
	return &cli.Command{
		Name:      "test",
		Usage:     "build the module, then run its tests on real MicroPython for each arch and version",
		ArgsUsage: "[VAR=value...] [TEST.py...]",
		Description: "Builds the module as mpyld build does, then runs each test (tests/*.py, or the\n" +
			"files given) on the unix port (x64, x86) or a QEMU board (armv6m, armv7m: mps2-an385;\n" +
			"armv7emsp, armv7emdp: mps2-an500; rv32imc: virt RV32; rv64imc: virt RV64) built from\n" +
			"each --mpy-dir tree and cached. A test passes when its output equals TEST.py.exp, or,\n" +
			"without one, when it ends without an exception; printing SKIP skips it.\n" +
			"Exit status 0 when nothing failed, 1 when a test failed, 3 when a tool is missing.",
		Flags:  flags,
		Action: testAction,
	}
}

func testAction(c *cli.Context) error {
	opt, err := buildOptions(c)
	if err != nil {
		return err
	}
	if opt.Progress != nil {
		opt.Progress = nil
	}
	cfg := testrun.Config{Build: opt, Tests: opt.Sources, Jobs: c.Int("jobs"), Timeout: c.Duration("timeout"),
		CacheDir: c.String("cache"), Logf: opt.Logf, Commandf: opt.Commandf, Firmware: map[string]string{}}
	cfg.Build.Sources = nil
	cfg.Build.Jobs = 2
	for _, s := range c.StringSlice("firmware") {
		arch, path, ok := strings.Cut(s, "=")
		if !ok || arch == "" || path == "" {
			return usagef("--firmware %q: use ARCH=PATH", s)
		}
		cfg.Firmware[arch] = path
	}
	stderr := c.App.ErrWriter
	if cfg.Logf == nil {
		// The first firmware build takes minutes: say so even without -v.
		cfg.Logf = func(format string, args ...any) {
			if strings.HasPrefix(format, "firmware ") {
				fmt.Fprintf(stderr, format+"\n", args...)
			}
		}
		if f, ok := stderr.(*os.File); ok && isTerminal(f) {
			cfg.FirmwareProgress = func(board string, n int) { fmt.Fprintf(stderr, "\r%s: %d files compiled\033[K", board, n) }
		}
	}
	rep, err := testrun.Run(c.Context, cfg)
	if cfg.FirmwareProgress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return wrapBuildError(err)
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.WriteText(c.App.Writer)
	}
	switch {
	case rep.Failed():
		return fmt.Errorf("%d of %d tests failed", rep.Count(testrun.Fail), rep.Count(testrun.Fail)+rep.Count(testrun.Pass)+rep.Count(testrun.Skip))
	case len(rep.Missing()) > 0:
		return &missingToolError{"some arches did not run: install " + strings.Join(rep.Missing(), "; ")}
	}
	return nil
}
