package main

import (
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/inspect"
	"github.com/mpyld/mpyld/linker"
)

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "show what is inside .mpy files, ELF objects and archives",
		ArgsUsage: "FILE...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print a JSON array of reports (shape documented in the README)"},
			&cli.BoolFlag{Name: "disassemble", Aliases: []string{"d"}, Usage: "disassemble code (x86/x64 and bytecode; hex for other arches)"},
			&cli.StringFlag{Name: "arch", Usage: "for objects: also list what a link for this arch would refuse"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("no files to inspect")
			}
			var arch *linker.Arch
			if a := c.String("arch"); a != "" {
				var err error
				if arch, err = linker.LookupArch(a); err != nil {
					return &usageError{err.Error()}
				}
			}
			var reports []any
			for _, name := range c.Args().Slice() {
				data, err := os.ReadFile(name)
				if err != nil {
					return fmt.Errorf("%s: %v", name, err)
				}
				if len(data) >= 4 && string(data[:4]) == "\x7fELF" || elfobj.IsArchive(data) {
					objs, err := inspect.ReadObjects(name, data, arch)
					if err != nil {
						return err
					}
					for _, o := range objs {
						reports = append(reports, o)
					}
					continue
				}
				r, err := inspect.ReadMPY(name, data, c.Bool("disassemble"))
				if err != nil {
					return err
				}
				reports = append(reports, r)
			}
			w := c.App.Writer
			if c.Bool("json") {
				return writeJSON(w, reports)
			}
			for i, r := range reports {
				if i > 0 {
					fmt.Fprintln(w)
				}
				r.(interface{ WriteText(io.Writer) }).WriteText(w)
			}
			return nil
		},
	}
}
