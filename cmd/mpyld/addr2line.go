package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/addr2line"
	"github.com/mpyld/mpyld/linkmap"
)

func addr2lineCommand() *cli.Command {
	return &cli.Command{
		Name:      "addr2line",
		Usage:     "name the function, object and source line at offsets of a module's text",
		ArgsUsage: "MODULE.mpy|MAP|FOLDER ADDR...",
		Description: "ADDR is a text offset in hex (as in a disassembly of the module), or with --load an\n" +
			"absolute address. Source lines need objects compiled with -g (build --debug); the\n" +
			"objects are read from where the map says the link found them.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "map", Usage: "the module's link map (default: found beside the module or in its build folder)"},
			&cli.StringFlag{Name: "arch", Usage: "which arch's map, when a folder holds several"},
			&cli.StringFlag{Name: "load", Usage: "`ADDR` where the text starts at run time, or SYM=ADDR where a function or variable of the module is; ADDRs are then absolute"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
		},
		Action: addr2lineAction,
	}
}

// parseAddr reads a hex address, with or without 0x.
func parseAddr(s string) (uint64, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"), 16, 64)
	if err != nil {
		return 0, usagef("%q is not a hex address", s)
	}
	return v, nil
}

// pickMap finds the one map an addr2line argument stands for.
func pickMap(path, explicit, arch string) (string, *linkmap.Map, error) {
	files := []string{explicit}
	if explicit == "" {
		var err error
		if files, err = linkmap.Find(path); err != nil {
			return "", nil, err
		}
	}
	var picked []string
	var maps []*linkmap.Map
	for _, f := range files {
		m, err := linkmap.ReadFile(f)
		if err != nil {
			return "", nil, err
		}
		if arch == "" || m.Arch == arch {
			picked, maps = append(picked, f), append(maps, m)
		}
	}
	switch {
	case len(maps) == 1:
		return picked[0], maps[0], nil
	case len(maps) == 0:
		return "", nil, fmt.Errorf("%s: no link map for arch %s", path, arch)
	}
	var arches []string
	for _, m := range maps {
		arches = append(arches, m.Arch)
	}
	return "", nil, usagef("%s holds maps for %s: choose one with --arch", path, strings.Join(arches, ", "))
}

func addr2lineAction(c *cli.Context) error {
	if c.NArg() < 2 {
		return usagef("give a module (or its map, or its build folder) and at least one address")
	}
	args := c.Args().Slice()
	file, m, err := pickMap(args[0], c.String("map"), c.String("arch"))
	if err != nil {
		return err
	}
	if strings.HasSuffix(args[0], ".mpy") {
		if t, err := mpyTotals(args[0]); err == nil && (t.Text != m.Text || t.Arch != m.Arch) {
			return fmt.Errorf("%s: the map %s is of another build (text %d bytes for %s, the module has %d for %s): rebuild with --map", args[0], file, m.Text, m.Arch, t.Text, t.Arch)
		}
	}
	r := &addr2line.Resolver{Map: m, MapFile: file}
	var base uint64
	if l := c.String("load"); l != "" {
		sym, addr, ok := strings.Cut(l, "=")
		if !ok {
			sym, addr = "", l
		}
		a, err := parseAddr(addr)
		if err != nil {
			return err
		}
		if base, err = r.TextBase(sym, a); err != nil {
			return fmt.Errorf("--load: %v", err)
		}
	}
	var locs []addr2line.Location
	for _, s := range args[1:] {
		a, err := parseAddr(s)
		if err != nil {
			return err
		}
		if a < base {
			return fmt.Errorf("address %#x is below the text start %#x", a, base)
		}
		loc, err := r.Lookup(a - base)
		if err != nil {
			return fmt.Errorf("%s: %v", s, err)
		}
		locs = append(locs, loc)
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, locs)
	}
	for _, l := range locs {
		fmt.Fprintln(c.App.Writer, l)
	}
	return nil
}
