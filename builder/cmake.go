// This file implements reading a user C module's micropython.cmake (the form
// the ESP32 and RP2 ports use) for its common commands: the usermod_*
// INTERFACE library's sources, include directories and definitions. mpyld
// does not run CMake; anything else in the file is refused.

package builder

import (
	"fmt"
	"path/filepath"
	"strings"
)

// usermodCMake is the CMake fragment of a user C module.
const usermodCMake = "micropython.cmake"

// cmakeModule is what a micropython.cmake gives.
type cmakeModule struct {
	sources, includes, defines []string
}

// cmakeCommand is one command: its name, arguments and line.
type cmakeCommand struct {
	name string
	args []string
	line int
}

// parseCMake splits CMake text into commands; arguments are split at
// blanks, with "quoted" arguments kept whole.
func parseCMake(text string) ([]cmakeCommand, error) {
	var cmds []cmakeCommand
	line := 1
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		default:
			start, startLine := i, line
			for i < len(text) && (isIdent(text[i])) {
				i++
			}
			name := text[start:i]
			for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
				i++
			}
			if name == "" || i >= len(text) || text[i] != '(' {
				return nil, fmt.Errorf("line %d: expected a command", startLine)
			}
			i++
			var args []string
			var cur strings.Builder
			inArg, depth := false, 0
			flush := func() {
				if inArg {
					args = append(args, cur.String())
					cur.Reset()
					inArg = false
				}
			}
		loop:
			for {
				if i >= len(text) {
					return nil, fmt.Errorf("line %d: %s( is not closed", startLine, name)
				}
				c := text[i]
				switch {
				case c == ')' && depth == 0:
					i++
					break loop
				case c == '(':
					depth++
					cur.WriteByte(c)
					inArg = true
				case c == ')':
					depth--
					cur.WriteByte(c)
				case c == '"':
					j := strings.IndexByte(text[i+1:], '"')
					if j < 0 {
						return nil, fmt.Errorf("line %d: unterminated string", line)
					}
					cur.WriteString(text[i+1 : i+1+j])
					line += strings.Count(text[i+1:i+1+j], "\n")
					inArg = true
					i += j + 1
				case c == '#':
					for i < len(text) && text[i] != '\n' {
						i++
					}
					continue
				case c == ' ' || c == '\t' || c == '\r' || c == '\n':
					if c == '\n' {
						line++
					}
					flush()
				default:
					cur.WriteByte(c)
					inArg = true
				}
				i++
			}
			flush()
			cmds = append(cmds, cmakeCommand{name: strings.ToLower(name), args: args, line: startLine})
		}
	}
	return cmds, nil
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// readCMake reads dir/micropython.cmake.
func readCMake(dir string, text string) (*cmakeModule, error) {
	path := filepath.Join(dir, usermodCMake)
	cmds, err := parseCMake(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	refuse := func(c cmakeCommand, why string) error {
		return fmt.Errorf("%s:%d: %s(%s): %s; mpyld reads only add_library(usermod_x INTERFACE), target_sources, target_include_directories and target_compile_definitions of it, and target_link_libraries(usermod INTERFACE usermod_x): give the sources with flags or %s instead (or write a micropython.mk)",
			path, c.line, c.name, strings.Join(c.args, " "), why, ProjectFile)
	}
	expand := func(c cmakeCommand, s string) (string, error) {
		s = strings.ReplaceAll(s, "${CMAKE_CURRENT_LIST_DIR}", abs)
		if strings.Contains(s, "${") || strings.Contains(s, "$<") {
			return "", refuse(c, "a variable or generator expression other than ${CMAKE_CURRENT_LIST_DIR}")
		}
		return s, nil
	}
	m := &cmakeModule{}
	libs := map[string]bool{}
	for _, c := range cmds {
		switch c.name {
		case "add_library":
			if len(c.args) != 2 || c.args[1] != "INTERFACE" || !strings.HasPrefix(c.args[0], "usermod_") {
				return nil, refuse(c, "not an INTERFACE library named usermod_*")
			}
			libs[c.args[0]] = true
		case "target_link_libraries":
			if len(c.args) < 3 || c.args[0] != "usermod" || c.args[1] != "INTERFACE" {
				return nil, refuse(c, "not a link of the usermod target")
			}
			for _, l := range c.args[2:] {
				if !libs[l] {
					return nil, refuse(c, fmt.Sprintf("%s is not a library of this file", l))
				}
			}
		case "target_sources", "target_include_directories", "target_compile_definitions":
			if len(c.args) < 2 || !libs[c.args[0]] || c.args[1] != "INTERFACE" {
				return nil, refuse(c, "not the INTERFACE of a usermod_* library of this file")
			}
			for _, a := range c.args[2:] {
				v, err := expand(c, a)
				if err != nil {
					return nil, err
				}
				switch c.name {
				case "target_sources":
					m.sources = append(m.sources, relTo(dir, v))
				case "target_include_directories":
					m.includes = append(m.includes, v)
				default:
					m.defines = append(m.defines, strings.TrimPrefix(v, "-D"))
				}
			}
		default:
			return nil, refuse(c, "a command mpyld does not run")
		}
	}
	if len(m.sources) == 0 {
		return nil, fmt.Errorf("%s: no target_sources: give the sources with flags or %s", path, ProjectFile)
	}
	return m, nil
}
