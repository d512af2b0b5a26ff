package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/internal/atomicfile"
	"github.com/mpyld/mpyld/linker"
)

func linkFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "arch", Value: "x64", Usage: "target architecture: " + strings.Join(linker.ArchNames(), ", ")},
		&cli.StringFlag{Name: "arch-flags", Usage: "rv32imc extensions the code needs: zba,zcmp or a number"},
		&cli.StringFlag{Name: "qstrs", Usage: "qstr config header made by preprocess (native qstrs)"},
		&cli.StringSliceFlag{Name: "libs", Aliases: []string{"l"}, Usage: "static archive (or GROUP script) to pull members from; repeatable"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output file (default: first object with .mpy); its name as given is the module's source name"},
		&cli.StringFlag{Name: "externs", Aliases: []string{"e"}, Usage: "linker script of fixed-address symbols (sym = 0xADDR;)"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Count: new(int), Usage: "more output: -v summary, -vv layout and GOT, -vvv every relocation"},
	}
}

func linkCommand() *cli.Command {
	return &cli.Command{
		Name:      "link",
		Usage:     "link relocatable objects into a native .mpy",
		ArgsUsage: "OBJ...",
		Flags:     linkFlags(),
		Action:    linkAction,
	}
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "list every problem that would stop a link of OBJ..., writing nothing",
		ArgsUsage: "OBJ...",
		Flags:     linkFlags(),
		Action: func(c *cli.Context) error {
			cfg, _, err := linkConfig(c)
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

// linkConfig turns the link flags into a linker configuration and the output path.
func linkConfig(c *cli.Context) (*linker.Config, string, error) {
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
	cfg := &linker.Config{Arch: arch, Objects: objs, Libs: c.StringSlice("libs"), ArchFlags: flags, SourceName: out}
	if q := c.String("qstrs"); q != "" {
		h, err := os.ReadFile(q)
		if err != nil {
			return nil, "", fmt.Errorf("--qstrs: %v", err)
		}
		cfg.Qstrs = linker.ParseQstrs(h)
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
	if v := c.Count("verbose"); v > 0 {
		cfg.Verbose = v
		w := c.App.Writer
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	}
	return cfg, out, nil
}

func linkAction(c *cli.Context) error {
	cfg, out, err := linkConfig(c)
	if err != nil {
		return err
	}
	res, err := linker.Link(cfg)
	if err != nil {
		return err
	}
	return atomicfile.Write(out, res.MPY, 0o644)
}
