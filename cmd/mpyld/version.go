package main

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/internal/buildinfo"
)

func init() {
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version"} // not -v: that is --verbose
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprint(c.App.Writer, buildinfo.Get()) }
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print mpyld's version, revision, Go version and the .mpy versions it supports",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("version takes no arguments")
			}
			if c.Bool("json") {
				b, err := json.MarshalIndent(buildinfo.Get(), "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(c.App.Writer, "%s\n", b)
				return err
			}
			fmt.Fprint(c.App.Writer, buildinfo.Get())
			return nil
		},
	}
}
