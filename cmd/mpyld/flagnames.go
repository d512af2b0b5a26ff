package main

import "github.com/urfave/cli/v2"

// urfave/cli v2 works a flag's names out with a regexp each time it asks for
// them, and before every action it looks each flag up among all the others:
// link's flags took 0.3 ms of regexp work per run. The wrappers below work
// the names out once; every other method is the flag's own.

type boolNames struct {
	*cli.BoolFlag
	names []string
}

type stringNames struct {
	*cli.StringFlag
	names []string
}

type stringSliceNames struct {
	*cli.StringSliceFlag
	names []string
}

type intNames struct {
	*cli.IntFlag
	names []string
}

type durationNames struct {
	*cli.DurationFlag
	names []string
}

func (f boolNames) Names() []string        { return f.names }
func (f stringNames) Names() []string      { return f.names }
func (f stringSliceNames) Names() []string { return f.names }
func (f intNames) Names() []string         { return f.names }
func (f durationNames) Names() []string    { return f.names }

// namedOnce returns flags with their names worked out once. A flag of a kind
// it does not know stays as it is (correct, only slower).
func namedOnce(flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		switch f := f.(type) {
		case *cli.BoolFlag:
			out[i] = boolNames{f, f.Names()}
		case *cli.StringFlag:
			out[i] = stringNames{f, f.Names()}
		case *cli.StringSliceFlag:
			out[i] = stringSliceNames{f, f.Names()}
		case *cli.IntFlag:
			out[i] = intNames{f, f.Names()}
		case *cli.DurationFlag:
			out[i] = durationNames{f, f.Names()}
		default:
			out[i] = f
		}
	}
	return out
}
