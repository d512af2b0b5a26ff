package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/builder"
)

func buildFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "arch", Aliases: []string{"a"}, Usage: "arch to build: a name, a comma list, or all (every arch with a compiler)"},
		&cli.StringFlag{Name: "dir", Aliases: []string{"C"}, Value: ".", Usage: "module folder (with mpyld.toml or a natmod Makefile)"},
		&cli.StringFlag{Name: "name", Usage: "module name (MOD): the import name and output file name"},
		&cli.StringSliceFlag{Name: "mpy-dir", EnvVars: []string{"MPY_DIR"}, Usage: "MicroPython source tree (its headers, mpy-cross and version); repeat to build for several versions (dist/<arch>_<X.Y>/)"},
		&cli.StringFlag{Name: "micropython", Usage: "MicroPython release to build for when no tree says (1.20 to 1.28, or dev)"},
		&cli.StringFlag{Name: "float", Usage: "float implementation: none, float or double (default per arch)"},
		&cli.BoolFlag{Name: "link-runtime", Usage: "link the toolchain's libgcc and libm (LINK_RUNTIME=1)"},
		&cli.StringFlag{Name: "cflags", Usage: "extra compiler flags (CFLAGS_EXTRA)"},
		&cli.StringFlag{Name: "arch-flags", Usage: "rv32imc extensions the code uses: zba,zcmp"},
		&cli.StringFlag{Name: "externs", Usage: "linker script of fixed-address symbols (MPY_EXTERN_SYM_FILE)"},
		&cli.StringSliceFlag{Name: "lib", Aliases: []string{"l"}, Usage: "extra static archive to link; repeatable"},
		&cli.StringSliceFlag{Name: "cc", Usage: "compiler for an arch, ARCH=PATH; repeatable (or MPYLD_CC_<ARCH>)"},
		&cli.StringFlag{Name: "mpy-cross", Usage: "mpy-cross program for .py sources (default: the Makefile's MPY_CROSS or the one in --mpy-dir, then PATH)"},
		&cli.StringFlag{Name: "mpy-cross-flags", Usage: "more mpy-cross flags for .py sources (after the Makefile's MPY_CROSS_FLAGS)"},
		&cli.StringFlag{Name: "goal", Usage: "make goal to read the Makefile for (MAKECMDGOALS), when it sets the module up only for one"},
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.NumCPU(), Usage: "parallel compile jobs"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print one line per step"},
		&cli.BoolFlag{Name: "x", Usage: "print each external command before running it"},
		&cli.BoolFlag{Name: "json", Usage: "print the results as JSON"},
		&cli.BoolFlag{Name: "gc-sections", Usage: "compile with -ffunction-sections -fdata-sections and link only what mpy_init reaches (or gc_sections in mpyld.toml)"},
		&cli.BoolFlag{Name: "map", Usage: "write the link map to the build folder (for mpyld size and addr2line)"},
		&cli.BoolFlag{Name: "debug", Usage: "compile with -g, for source lines in mpyld addr2line (the module does not change)"},
		&cli.BoolFlag{Name: "no-data", Usage: "refuse initialised writable data and static variables reached PC-relative, as mpy_ld.py does (or no_data in mpyld.toml)"},
	}
}

func buildCommand() *cli.Command {
	return &cli.Command{
		Name:      "build",
		Usage:     "compile, link and merge a native module for one, several or all arches",
		ArgsUsage: "[VAR=value...] [SOURCE...]",
		Description: "Inputs come from flags, then mpyld.toml in the module folder, then the natmod\n" +
			"Makefile, which GNU make reads (MPY_DIR, MOD, SRC, ARCH, LINK_RUNTIME, CFLAGS_EXTRA, ...).\n" +
			"VAR=value arguments are make variables, as on make's command line.\n" +
			"One arch writes <name>.mpy in the module folder (as make); several write\n" +
			"dist/<arch>/<name>.mpy. Nothing recompiles unless a source, a header or a flag changed.",
		Flags:  buildFlags(),
		Action: buildAction,
	}
}

func buildOptions(c *cli.Context) (builder.Options, error) {
	sources, vars, err := splitVars(c.Args().Slice())
	if err != nil {
		return builder.Options{}, err
	}
	opt := builder.Options{
		Dir: c.String("dir"), Name: c.String("name"), Sources: sources, Vars: vars, MPYDirs: c.StringSlice("mpy-dir"),
		MicroPython: c.String("micropython"),
		Arches:      c.StringSlice("arch"), Float: c.String("float"), CFlags: c.String("cflags"),
		ArchFlags: c.String("arch-flags"), Externs: c.String("externs"), Libs: c.StringSlice("lib"),
		MPYCross: c.String("mpy-cross"), MPYCrossFlags: c.String("mpy-cross-flags"), Goal: c.String("goal"), Jobs: c.Int("jobs"),
	}
	if opt.CC, err = parseCC(c.StringSlice("cc")); err != nil {
		return opt, err
	}
	if c.IsSet("link-runtime") {
		v := c.Bool("link-runtime")
		opt.LinkRuntime = &v
	}
	if c.IsSet("gc-sections") {
		v := c.Bool("gc-sections")
		opt.GCSections = &v
	}
	opt.Map, opt.Debug, opt.NoData = c.Bool("map"), c.Bool("debug"), c.Bool("no-data")
	stderr := c.App.ErrWriter
	if c.Bool("verbose") {
		opt.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	}
	if c.Bool("x") {
		opt.Commandf = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	}
	if f, ok := stderr.(*os.File); ok && !c.Bool("verbose") && !c.Bool("x") && isTerminal(f) {
		opt.Progress = func(done, total int) { fmt.Fprintf(stderr, "\r[%d/%d]", done, total) }
	}
	return opt, nil
}

// splitVars separates make variables (NAME=value) from sources among the
// arguments, as make tells them from goals.
func splitVars(args []string) (sources []string, vars map[string]string, err error) {
	vars = map[string]string{}
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || strings.ContainsAny(name, "/") {
			sources = append(sources, a)
			continue
		}
		if name == "" || strings.ContainsAny(name, " \t:#") {
			return nil, nil, usagef("%q: a make variable is NAME=value", a)
		}
		vars[name] = value
	}
	return sources, vars, nil
}

// parseCC reads --cc ARCH=PATH values.
func parseCC(values []string) (map[string]string, error) {
	cc := map[string]string{}
	for _, s := range values {
		arch, path, ok := strings.Cut(s, "=")
		if !ok || arch == "" || path == "" {
			return nil, usagef("--cc %q: use ARCH=PATH", s)
		}
		cc[arch] = path
	}
	return cc, nil
}

func buildAction(c *cli.Context) error {
	opt, err := buildOptions(c)
	if err != nil {
		return err
	}
	results, err := builder.Build(c.Context, opt)
	if opt.Progress != nil {
		fmt.Fprint(c.App.ErrWriter, "\r\033[K")
	}
	if c.Bool("json") {
		if e := writeJSON(c.App.Writer, results); e != nil {
			return e
		}
	} else {
		for _, r := range results {
			switch {
			case r.Skipped != "":
				fmt.Fprintf(c.App.Writer, "%-9s skipped: %s\n", r.Arch, r.Skipped)
			case r.Err == nil:
				fmt.Fprintf(c.App.Writer, "%-9s %s: text %d, rodata %d, bss %d bytes (%d compiled, %d up to date; .mpy %s, %s)\n",
					r.Arch, filepath.ToSlash(r.Output), r.TextSize, r.RodataSize, r.BSSSize, r.Compiled, r.UpToDate, r.MPYABI, forMicroPython(r))
			}
		}
	}
	if err == nil {
		err = builder.NothingBuilt(results)
	}
	return wrapBuildError(err)
}

// wrapBuildError gives build errors their exit codes: a missing tool 3, no
// arch given 2.
func wrapBuildError(err error) error {
	var mt *builder.MissingToolError
	if errors.As(err, &mt) {
		return &missingToolError{err.Error()}
	}
	if errors.Is(err, builder.ErrNoArch) {
		return &usageError{err.Error()}
	}
	return err
}

func cleanCommand() *cli.Command {
	return &cli.Command{
		Name:      "clean",
		Usage:     "remove the build and dist folders and the built module",
		ArgsUsage: "[VAR=value...]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Aliases: []string{"C"}, Value: ".", Usage: "module folder"},
			&cli.StringFlag{Name: "name", Usage: "module name (default: from mpyld.toml or the Makefile)"},
			&cli.StringFlag{Name: "mpy-dir", EnvVars: []string{"MPY_DIR"}, Usage: "MicroPython source tree, for reading the Makefile"},
			&cli.StringFlag{Name: "goal", Usage: "make goal to read the Makefile for (MAKECMDGOALS)"},
		},
		Action: func(c *cli.Context) error {
			sources, vars, err := splitVars(c.Args().Slice())
			if err != nil {
				return err
			}
			if len(sources) > 0 {
				return usagef("clean takes no sources, only VAR=value")
			}
			removed, err := builder.Clean(c.Context, builder.Options{Dir: c.String("dir"), Name: c.String("name"),
				MPYDirs: nonEmpty(c.String("mpy-dir")), Goal: c.String("goal"), Vars: vars})
			for _, r := range removed {
				fmt.Fprintf(c.App.ErrWriter, "removed %s\n", r)
			}
			return err
		},
	}
}

// nonEmpty is a list of s, or none when s is empty.
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// forMicroPython says which MicroPython a build is for.
func forMicroPython(r builder.Result) string {
	if r.MicroPython == "" {
		return "profile " + r.Profile
	}
	return "MicroPython " + r.MicroPython
}
