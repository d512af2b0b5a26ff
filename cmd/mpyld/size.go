package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/internal/buildinfo"
	"github.com/mpyld/mpyld/linkmap"
	"github.com/mpyld/mpyld/mpy"
	"github.com/mpyld/mpyld/size"
)

func sizeCommand() *cli.Command {
	return &cli.Command{
		Name:      "size",
		Usage:     "show what takes the bytes of a module, per object and per symbol, from its link map",
		ArgsUsage: "MODULE.mpy|MAP|FOLDER...",
		Description: "A module's map is X.map beside X.mpy, or the one build --map wrote into the build\n" +
			"folder; a folder stands for every map in it and in its build folder. Without a map\n" +
			"only the totals of the .mpy are shown.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "diff", Usage: "compare with an older build: its module, map or folder (maps are paired by arch)"},
			&cli.IntFlag{Name: "top", Usage: "list only the `N` largest symbols (or changes)"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
		},
		Action: sizeAction,
	}
}

// sizeReports reads the reports that a size argument stands for.
func sizeReports(path string) ([]*size.Report, error) {
	maps, err := linkmap.Find(path)
	if err != nil {
		if strings.HasSuffix(path, ".mpy") {
			if r, e := mpyTotals(path); e == nil {
				return []*size.Report{r}, nil
			}
		}
		return nil, err
	}
	var out []*size.Report
	for _, p := range maps {
		m, err := linkmap.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, size.FromMap(m))
	}
	return out, nil
}

// mpyTotals reads the buffer sizes of a native .mpy.
func mpyTotals(path string) (*size.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := mpy.Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	// The native part: the root, or a child of a merged module's root.
	var find func(rc *mpy.RawCode) *mpy.RawCode
	find = func(rc *mpy.RawCode) *mpy.RawCode {
		if rc.Kind == mpy.CodeViper {
			return rc
		}
		for _, c := range rc.Children {
			if n := find(c); n != nil {
				return n
			}
		}
		return nil
	}
	n := find(f.Root)
	if n == nil {
		return nil, fmt.Errorf("%s: no native code", path)
	}
	return size.Totals(path, f.Arch.String(), uint64(len(n.Data)), n.RodataSize, n.BSSSize), nil
}

func sizeAction(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("give a module, a link map or a build folder")
	}
	var reports []*size.Report
	for _, p := range c.Args().Slice() {
		rs, err := sizeReports(p)
		if err != nil {
			return err
		}
		reports = append(reports, rs...)
	}
	w, top := c.App.Writer, c.Int("top")
	if old := c.String("diff"); old != "" {
		olds, err := sizeReports(old)
		if err != nil {
			return err
		}
		var diffs []*size.Diff
		for _, r := range reports {
			var match *size.Report
			for _, o := range olds {
				if o.Arch == r.Arch || len(olds) == 1 && len(reports) == 1 {
					match = o
				}
			}
			if match == nil {
				return fmt.Errorf("--diff %s: no %s build to compare %s with", old, r.Arch, r.Module)
			}
			diffs = append(diffs, size.Compare(match, r))
		}
		if c.Bool("json") {
			return writeJSON(w, diffs)
		}
		for i, d := range diffs {
			if i > 0 {
				fmt.Fprintln(w)
			}
			if err := d.WriteText(w, top); err != nil {
				return err
			}
		}
		return nil
	}
	if c.Bool("json") {
		return writeJSON(w, reports)
	}
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := r.WriteText(w, top); err != nil {
			return err
		}
	}
	return nil
}

// writeJSON prints v as indented JSON, each object (or the object) with
// an "mpyld" member saying which mpyld wrote it.
func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if b, err = buildinfo.Get().Stamp(b); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
