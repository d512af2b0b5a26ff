package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/release"
)

func releaseCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "version", Usage: "module version (default: version in mpyld.toml)"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "release folder (default: <dir>/release)"},
	}
	for _, f := range buildFlags() {
		if f.Names()[0] != "json" {
			flags = append(flags, f)
		}
	}
	return &cli.Command{
		Name:  "release",
		Usage: "build every arch (default: all with a compiler) and write a release folder and .tar.xz",
		Description: "Writes <arch>/<name>.mpy and <arch>/package.json for each arch, a top-level\n" +
			"package.json with {MPY_ARCH} URLs, manifest.json, SHA256SUMS and <name>-<version>.tar.xz.\n" +
			"Archive entries get the time in SOURCE_DATE_EPOCH (default 0): two runs give the same bytes.",
		ArgsUsage: "[SOURCE...]",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			bo, err := buildOptions(c)
			if err != nil {
				return err
			}
			epoch := time.Unix(0, 0)
			if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return usagef("SOURCE_DATE_EPOCH=%q is not a number of seconds", s)
				}
				epoch = time.Unix(n, 0)
			}
			res, err := release.Make(c.Context, release.Options{Build: bo, Version: c.String("version"), Out: c.String("output"), Epoch: epoch})
			if err != nil {
				return wrapBuildError(err)
			}
			for _, s := range res.Skipped {
				fmt.Fprintf(c.App.Writer, "%-9s skipped: %s\n", s.Arch, s.Skipped)
			}
			for _, f := range res.Manifest.Files {
				fmt.Fprintf(c.App.Writer, "%-9s %s %d bytes %s\n", f.Arch, filepath.ToSlash(filepath.Join(res.Dir, f.Path)), f.Size, f.SHA256[:16])
			}
			fmt.Fprintf(c.App.Writer, "%s\n", res.Archive)
			return nil
		},
	}
}
