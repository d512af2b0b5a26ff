package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/internal/atomicfile"
	"github.com/mpyld/mpyld/linker"
)

func preprocessCommand() *cli.Command {
	return &cli.Command{
		Name:      "preprocess",
		Usage:     "write the qstr config header (MP_QSTR_ macros) for source files",
		ArgsUsage: "SRC...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "header to write (default: first source with .config.h)"},
			&cli.StringFlag{Name: "arch", Usage: "accepted for mpy_ld.py compatibility; no effect"},
			&cli.StringFlag{Name: "arch-flags", Usage: "accepted for mpy_ld.py compatibility; no effect"},
		},
		Action: preprocessAction,
	}
}

func preprocessAction(c *cli.Context) error {
	srcs := c.Args().Slice()
	if len(srcs) == 0 {
		return usagef("no source files given")
	}
	if a := c.String("arch"); a != "" {
		arch, err := linker.LookupArch(a)
		if err != nil {
			return &usageError{err.Error()}
		}
		if _, err := linker.ParseArchFlags(arch, c.String("arch-flags")); err != nil {
			return &usageError{err.Error()}
		}
	}
	out := c.String("output")
	if out == "" {
		if !strings.HasSuffix(srcs[0], ".c") {
			return usagef("give -o: the first source %q does not end in .c", srcs[0])
		}
		out = strings.TrimSuffix(srcs[0], "c") + "config.h"
	}
	var data [][]byte
	for _, s := range srcs {
		b, err := os.ReadFile(s)
		if err != nil {
			return fmt.Errorf("%s: %v", s, err)
		}
		data = append(data, b)
	}
	return atomicfile.Write(out, linker.ConfigHeader(linker.NativeQstrs(data...)), 0o644)
}
