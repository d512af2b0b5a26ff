package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/internal/atomicfile"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/linkmap"
)

func linkFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "arch", Value: "x64", Usage: "target architecture: " + strings.Join(linker.ArchNames(), ", ")},
		&cli.StringFlag{Name: "arch-flags", Usage: "rv32imc extensions the code needs: zba,zcmp or a number"},
		&cli.StringFlag{Name: "qstrs", Usage: "qstr config header made by preprocess (native qstrs)"},
		&cli.StringSliceFlag{Name: "libs", Aliases: []string{"l"}, Usage: "static archive (or GROUP script) to pull members from; repeatable"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output file (default: first object with .mpy)"},
		&cli.StringFlag{Name: "source-name", Usage: "the module's source name (first qstr; default: -o as given, or its base name for --micropython dev)"},
		&cli.StringFlag{Name: "externs", Aliases: []string{"e"}, Usage: "linker script of fixed-address symbols (sym = 0xADDR;)"},
		&cli.BoolFlag{Name: "no-data", Usage: "refuse initialised writable data and static variables reached PC-relative, as mpy_ld.py does"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Count: new(int), Usage: "more output: -v summary, -vv layout and GOT, -vvv every relocation"},
		&cli.BoolFlag{Name: "gc-sections", Usage: "leave out the sections mpy_init does not reach (compile with -ffunction-sections -fdata-sections)"},
		&cli.StringFlag{Name: "map", Usage: "write a link map to `FILE` (JSON if it ends in .json)"},
	}
	return append(flags, targetFlags()...)
}

func linkCommand() *cli.Command {
	return &cli.Command{
		Name:      "link",
		Usage:     "link relocatable objects into a native .mpy",
		ArgsUsage: "OBJ...",
		Flags:     linkFlags(),
		Action:    func(c *cli.Context) error { return linkAction(c, 0) },
	}
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "list every problem that would stop a link of OBJ..., writing nothing",
		ArgsUsage: "OBJ...",
		Flags:     linkFlags(),
		Action: func(c *cli.Context) error {
			if c.String("map") != "" {
				return usagef("check writes nothing: link with --map for a map")
			}
			cfg, _, err := linkConfig(c, 0)
			if err != nil {
				return err
			}
			res, err := linker.Link(cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "ok: text %d, rodata %d, bss %d bytes, %d GOT entries\n", res.TextSize, res.RodataSize, res.BSSSize, res.GOTEntries)
			return nil
		},
	}
}

// linkConfig turns the link flags into a linker configuration and the output
// path. verbosity is the level without -v: mpy_ld.py's command line starts
// at 1 (it prints the size summary), the link subcommand at 0 (quiet).
func linkConfig(c *cli.Context, verbosity int) (*linker.Config, string, error) {
	objs := c.Args().Slice()
	if len(objs) == 0 {
		return nil, "", usagef("no input objects given")
	}
	arch, err := linker.LookupArch(c.String("arch"))
	if err != nil {
		return nil, "", &usageError{err.Error()}
	}
	flags, err := linker.ParseArchFlags(arch, c.String("arch-flags"))
	if err != nil {
		return nil, "", &usageError{err.Error()}
	}
	out := c.String("output")
	if out == "" {
		if !strings.HasSuffix(objs[0], ".o") {
			return nil, "", usagef("give -o: the first input %q does not end in .o", objs[0])
		}
		out = strings.TrimSuffix(objs[0], "o") + "mpy"
	}
	target, from, err := resolveTarget(c)
	if err != nil {
		return nil, "", err
	}
	cfg := &linker.Config{Arch: arch, Target: target, Objects: objs, Libs: c.StringSlice("libs"), ArchFlags: flags, SourceName: target.SourceName(out), NoData: c.Bool("no-data"),
		GCSections: c.Bool("gc-sections")}
	if n := c.String("source-name"); n != "" {
		cfg.SourceName = n
	}
	for _, l := range cfg.Libs {
		if strings.HasPrefix(filepath.Base(l), "libgcc") {
			cfg.LinkRuntime = true // as LINK_RUNTIME=1 links it
		}
	}
	if q := c.String("qstrs"); q != "" {
		h, err := os.ReadFile(q)
		if err != nil {
			return nil, "", fmt.Errorf("--qstrs: %v", err)
		}
		qs := linker.ParseConfig(h)
		cfg.Qstrs, cfg.Objs = qs.Vals, qs.Objs
	}
	if e := c.String("externs"); e != "" {
		data, err := os.ReadFile(e)
		if err != nil {
			return nil, "", fmt.Errorf("--externs: %v", err)
		}
		if cfg.Externs, err = linker.ParseExterns(e, data); err != nil {
			return nil, "", err
		}
	}
	if v := verbosity + c.Count("verbose"); v > 0 {
		cfg.Verbose = v
		w := c.App.Writer
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
		if c.Count("verbose") > 0 {
			cfg.Logf("target:       %s (from %s)", target, from)
		}
	}
	return cfg, out, nil
}

func linkAction(c *cli.Context, verbosity int) error {
	cfg, out, err := linkConfig(c, verbosity)
	if err != nil {
		return err
	}
	res, err := linker.Link(cfg)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(out, res.MPY, 0o644); err != nil {
		return err
	}
	if p := c.String("map"); p != "" {
		return writeMap(p, out, cfg, res)
	}
	return nil
}

// writeMap writes the link map of res to path; object paths in it are
// relative to the working directory, which the map records relative to
// its own folder.
func writeMap(path, module string, cfg *linker.Config, res *linker.Result) error {
	m := linkmap.New(module, cfg.Arch.Name, cfg.GCSections, res)
	if dir, err := filepath.Abs(filepath.Dir(path)); err == nil {
		if wd, err := os.Getwd(); err == nil {
			m.Base = wd
			if rel, err := filepath.Rel(dir, wd); err == nil {
				m.Base = filepath.ToSlash(rel)
			}
		}
	}
	data, err := m.Encode(path)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}
