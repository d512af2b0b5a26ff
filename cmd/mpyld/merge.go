package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/internal/atomicfile"
	"github.com/mpyld/mpyld/mpy"
)

func mergeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "march-flags", Usage: "arch flags for the merged header (default: the native input's)"},
	}
}

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "join .mpy files into one module (native part first), as mpy-tool.py --merge",
		ArgsUsage: "IN.mpy...",
		Flags: append(mergeFlags(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Required: true, Usage: "merged .mpy to write"}),
		Action: mergeAction,
	}
}

func mergeAction(c *cli.Context) error {
	names := c.Args().Slice()
	if len(names) == 0 {
		return usagef("no .mpy files to merge")
	}
	out := c.String("output")
	if out == "" {
		return usagef("give -o for the merged file")
	}
	var flags *uint64
	if s := c.String("march-flags"); s != "" {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return usagef("invalid --march-flags %q", s)
		}
		flags = &v
	}
	var ins []mpy.MergeInput
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			return fmt.Errorf("%s: %v", n, err)
		}
		ins = append(ins, mpy.MergeInput{Name: n, Data: data})
	}
	merged, err := mpy.Merge(ins, flags)
	if err != nil {
		return err
	}
	return atomicfile.Write(out, merged, 0o644)
}
