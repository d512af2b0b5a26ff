// Package cli parses mpyld's command line: an app of subcommands, each with
// typed flags, help text and an action. Its API is the part of urfave/cli
// v2 that mpyld used; it exists because urfave/cli's package initialisation
// (its Markdown and man-page support, text/template, net/url) and its flag
// lookups cost more than a whole link of a small module.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ActionFunc runs a command.
type ActionFunc func(*Context) error

// App is a program with flags of its own, an action and subcommands.
type App struct {
	Name        string
	Usage       string
	Description string
	Writer      io.Writer // help output; default os.Stdout
	ErrWriter   io.Writer // default os.Stderr
	Flags       []Flag
	Action      ActionFunc // run when no command is named
	Commands    []*Command
	// OnUsageError, if set, turns a command-line mistake (an unknown flag,
	// a bad or missing value, a required flag not given) into the error
	// Run returns.
	OnUsageError func(c *Context, err error, isSubcommand bool) error
}

// Command is a subcommand.
type Command struct {
	Name        string
	Usage       string
	ArgsUsage   string
	Description string
	Flags       []Flag
	Action      ActionFunc
}

// Run parses args (program name first) and runs the named command, or the
// app's action.
func (a *App) Run(args []string) error { return a.RunContext(context.Background(), args) }

// RunContext is Run with a context for the action.
func (a *App) RunContext(ctx context.Context, args []string) error {
	if a.Writer == nil {
		a.Writer = os.Stdout
	}
	if a.ErrWriter == nil {
		a.ErrWriter = os.Stderr
	}
	if len(args) > 0 {
		args = args[1:]
	}
	var cmd *Command
	if len(args) > 0 {
		for _, c := range a.Commands {
			if c.Name == args[0] {
				cmd, args = c, args[1:]
				break
			}
		}
	}
	flags, action := a.Flags, a.Action
	if cmd != nil {
		flags, action = cmd.Flags, cmd.Action
	}
	c := &Context{Context: ctx, App: a, Command: cmd, flags: flags}
	help, err := c.parse(args)
	if err == nil && !help {
		err = c.checkRequired()
	}
	if err != nil {
		if a.OnUsageError != nil {
			return a.OnUsageError(c, err, cmd != nil)
		}
		return err
	}
	if help {
		return c.showHelp()
	}
	if action == nil {
		return c.showHelp()
	}
	return action(c)
}

// ShowAppHelp writes the app's help to its Writer.
func ShowAppHelp(c *Context) error {
	return (&Context{App: c.App, flags: c.App.Flags}).showHelp()
}

// Flag is one command-line flag.
type Flag interface {
	// Names returns the flag's name, then its aliases.
	Names() []string
	value() flag.Value
	usage() string
	required() bool
	env() []string
}

// StringFlag is a flag with a string value.
type StringFlag struct {
	Name     string
	Aliases  []string
	Usage    string
	Value    string   // default
	EnvVars  []string // taken, first set wins, when the flag is not given
	Required bool
}

// BoolFlag is a flag without a value. With Count set, each use counts
// (-v -v, or -vv after the app has split it).
type BoolFlag struct {
	Name    string
	Aliases []string
	Usage   string
	Count   *int
}

// IntFlag is a flag with an integer value.
type IntFlag struct {
	Name    string
	Aliases []string
	Usage   string
	Value   int
}

// StringSliceFlag is a repeatable flag; each use adds one value.
type StringSliceFlag struct {
	Name    string
	Aliases []string
	Usage   string
}

func (f *StringFlag) Names() []string      { return append([]string{f.Name}, f.Aliases...) }
func (f *BoolFlag) Names() []string        { return append([]string{f.Name}, f.Aliases...) }
func (f *IntFlag) Names() []string         { return append([]string{f.Name}, f.Aliases...) }
func (f *StringSliceFlag) Names() []string { return append([]string{f.Name}, f.Aliases...) }

func (f *StringFlag) usage() string {
	u := f.Usage
	if f.Value != "" {
		u += fmt.Sprintf(" (default: %q)", f.Value)
	}
	for _, e := range f.EnvVars {
		u += " [$" + e + "]"
	}
	return u
}
func (f *BoolFlag) usage() string        { return f.Usage }
func (f *IntFlag) usage() string         { return f.Usage + fmt.Sprintf(" (default: %d)", f.Value) }
func (f *StringSliceFlag) usage() string { return f.Usage }

func (f *StringFlag) required() bool      { return f.Required }
func (f *BoolFlag) required() bool        { return false }
func (f *IntFlag) required() bool         { return false }
func (f *StringSliceFlag) required() bool { return false }

func (f *StringFlag) env() []string      { return f.EnvVars }
func (f *BoolFlag) env() []string        { return nil }
func (f *IntFlag) env() []string         { return nil }
func (f *StringSliceFlag) env() []string { return nil }

func (f *StringFlag) value() flag.Value      { v := stringValue(f.Value); return &v }
func (f *BoolFlag) value() flag.Value        { return &boolValue{count: f.Count} }
func (f *IntFlag) value() flag.Value         { v := intValue(f.Value); return &v }
func (f *StringSliceFlag) value() flag.Value { return &sliceValue{} }

type stringValue string

func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }
func (v *stringValue) String() string     { return string(*v) }

type intValue int

func (v *intValue) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, strconv.IntSize)
	if err != nil {
		return errors.New("parse error")
	}
	*v = intValue(n)
	return nil
}
func (v *intValue) String() string { return strconv.Itoa(int(*v)) }

// boolValue counts the times the flag was given; --flag=false resets it.
type boolValue struct {
	n     int
	count *int // BoolFlag.Count, kept up to date
}

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("parse error")
	}
	if b {
		v.n++
	} else {
		v.n = 0
	}
	if v.count != nil {
		*v.count = v.n
	}
	return nil
}
func (v *boolValue) String() string   { return strconv.FormatBool(v.n > 0) }
func (v *boolValue) IsBoolFlag() bool { return true }

type sliceValue []string

func (v *sliceValue) Set(s string) error { *v = append(*v, s); return nil }
func (v *sliceValue) String() string     { return strings.Join(*v, ",") }

// Context is a parsed command line, handed to an action.
type Context struct {
	Context context.Context
	App     *App
	Command *Command // nil for the app's own action

	flags  []Flag
	values map[string]flag.Value // by every name of every flag
	set    map[Flag]bool
	byName map[string]Flag
	args   Args
}

// parse reads the flags in args; help reports -h or --help.
func (c *Context) parse(args []string) (help bool, err error) {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	c.values = map[string]flag.Value{}
	c.byName = map[string]Flag{}
	c.set = map[Flag]bool{}
	for _, f := range c.flags {
		v := f.value()
		for _, n := range f.Names() {
			fs.Var(v, n, "")
			c.values[n] = v
			c.byName[n] = f
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, err
	}
	fs.Visit(func(fl *flag.Flag) { c.set[c.byName[fl.Name]] = true })
	for _, f := range c.flags {
		if c.set[f] {
			continue
		}
		for _, e := range f.env() {
			if s, ok := os.LookupEnv(e); ok {
				c.values[f.Names()[0]].Set(s)
				c.set[f] = true
				break
			}
		}
	}
	c.args = Args(fs.Args())
	return false, nil
}

func (c *Context) checkRequired() error {
	for _, f := range c.flags {
		if f.required() && !c.set[f] {
			return fmt.Errorf("Required flag %q not set", f.Names()[0])
		}
	}
	return nil
}

// String returns the value of a string flag ("" if there is none).
func (c *Context) String(name string) string {
	if v, ok := c.values[name].(*stringValue); ok {
		return string(*v)
	}
	return ""
}

// Bool reports whether a flag without a value was given.
func (c *Context) Bool(name string) bool { return c.Count(name) > 0 }

// Count returns how many times a flag without a value was given.
func (c *Context) Count(name string) int {
	if v, ok := c.values[name].(*boolValue); ok {
		return v.n
	}
	return 0
}

// Int returns the value of an integer flag.
func (c *Context) Int(name string) int {
	if v, ok := c.values[name].(*intValue); ok {
		return int(*v)
	}
	return 0
}

// StringSlice returns the values of a repeatable flag, in order.
func (c *Context) StringSlice(name string) []string {
	if v, ok := c.values[name].(*sliceValue); ok {
		return []string(*v)
	}
	return nil
}

// IsSet reports whether a flag was given, or taken from its environment
// variable.
func (c *Context) IsSet(name string) bool {
	f, ok := c.byName[name]
	return ok && c.set[f]
}

// Args returns the arguments after the flags.
func (c *Context) Args() Args { return c.args }

// NArg returns the number of arguments after the flags.
func (c *Context) NArg() int { return len(c.args) }

// Args are the positional arguments of a command line.
type Args []string

// Slice returns the arguments.
func (a Args) Slice() []string { return []string(a) }

// Len returns the number of arguments.
func (a Args) Len() int { return len(a) }

// First returns the first argument, or "".
func (a Args) First() string { return a.Get(0) }

// Get returns argument i, or "".
func (a Args) Get(i int) string {
	if i >= 0 && i < len(a) {
		return a[i]
	}
	return ""
}

// Present reports whether there are arguments.
func (a Args) Present() bool { return len(a) > 0 }
