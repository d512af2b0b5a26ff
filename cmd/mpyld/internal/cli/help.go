// This file implements the help text of the app and of each command.

package cli

import (
	"fmt"
	"strings"
)

// showHelp writes the help of c's command, or of the app.
func (c *Context) showHelp() error {
	a := c.App
	var b strings.Builder
	section := func(title, text string) {
		if text == "" {
			return
		}
		fmt.Fprintf(&b, "%s:\n", title)
		for _, line := range strings.Split(text, "\n") {
			fmt.Fprintf(&b, "   %s\n", line)
		}
		b.WriteString("\n")
	}
	flags, title := a.Flags, "GLOBAL OPTIONS"
	if cmd := c.Command; cmd != nil {
		section("NAME", a.Name+" "+cmd.Name+" - "+cmd.Usage)
		usage := a.Name + " " + cmd.Name + " [options]"
		if cmd.ArgsUsage != "" {
			usage += " " + cmd.ArgsUsage
		}
		section("USAGE", usage)
		section("DESCRIPTION", cmd.Description)
		flags, title = cmd.Flags, "OPTIONS"
	} else {
		section("NAME", a.Name+" - "+a.Usage)
		section("USAGE", a.Name+" [global options] command [command options]")
		section("DESCRIPTION", a.Description)
		if len(a.Commands) > 0 {
			w := 0
			for _, cmd := range a.Commands {
				w = max(w, len(cmd.Name))
			}
			var lines []string
			for _, cmd := range a.Commands {
				lines = append(lines, fmt.Sprintf("%-*s  %s", w, cmd.Name, cmd.Usage))
			}
			section("COMMANDS", strings.Join(lines, "\n"))
		}
	}
	var names, usages []string
	for _, f := range append(append([]Flag(nil), flags...), &BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help"}) {
		var parts []string
		for _, n := range f.Names() {
			p := "--" + n
			if len(n) == 1 {
				p = "-" + n
			}
			if _, isBool := f.(*BoolFlag); !isBool {
				p += " value"
			}
			parts = append(parts, p)
		}
		names = append(names, strings.Join(parts, ", "))
		usages = append(usages, f.usage())
	}
	w := 0
	for _, n := range names {
		w = max(w, len(n))
	}
	var lines []string
	for i := range names {
		lines = append(lines, fmt.Sprintf("%-*s  %s", w, names[i], usages[i]))
	}
	section(title, strings.Join(lines, "\n"))
	_, err := fmt.Fprint(a.Writer, strings.TrimSuffix(b.String(), "\n"))
	return err
}
