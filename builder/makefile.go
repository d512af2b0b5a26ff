// This file implements reading a natmod Makefile: its variable assignments,
// conditionals and the few make functions natmod Makefiles use, evaluated for
// one ARCH as "make ARCH=..." would.

package builder

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// makeVars is the result of evaluating a Makefile.
type makeVars struct {
	vars map[string]string
	// cflagsAfter is what the Makefile appends to CFLAGS after including
	// dynruntime.mk; those flags come after dynruntime's own.
	cflagsAfter string
	// cmdline variables override every assignment, as on make's command line.
	cmdline map[string]bool
	dir     string
}

// readMakefile evaluates the Makefile at path with the given command-line
// variables (ARCH, MPY_DIR...).
func readMakefile(path string, cmdline map[string]string) (*makeVars, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := &makeVars{vars: map[string]string{}, cmdline: map[string]bool{}, dir: filepath.Dir(path)}
	for k, v := range cmdline {
		m.vars[k] = v
		m.cmdline[k] = true
	}
	// Join continuation lines.
	text := strings.ReplaceAll(string(data), "\\\r\n", " ")
	text = strings.ReplaceAll(text, "\\\n", " ")
	included := false
	type cond struct{ active, taken, parent bool }
	var stack []cond
	active := func() bool { return len(stack) == 0 || stack[len(stack)-1].active }
	for n, raw := range strings.Split(text, "\n") {
		if strings.HasPrefix(raw, "\t") {
			continue // a recipe
		}
		line := strings.TrimSpace(stripComment(raw))
		if line == "" {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch word {
		case "ifeq", "ifneq", "ifdef", "ifndef":
			parent := active()
			ok := false
			if parent {
				var err error
				if ok, err = m.condition(word, rest); err != nil {
					return nil, fmt.Errorf("%s:%d: %v", path, n+1, err)
				}
			}
			stack = append(stack, cond{active: parent && ok, taken: ok, parent: parent})
			continue
		case "else":
			if len(stack) == 0 {
				return nil, fmt.Errorf("%s:%d: else without if", path, n+1)
			}
			c := &stack[len(stack)-1]
			if rest != "" { // else ifeq ...
				w, r, _ := strings.Cut(rest, " ")
				ok := false
				if c.parent && !c.taken {
					var err error
					if ok, err = m.condition(w, strings.TrimSpace(r)); err != nil {
						return nil, fmt.Errorf("%s:%d: %v", path, n+1, err)
					}
				}
				c.active, c.taken = c.parent && !c.taken && ok, c.taken || ok
			} else {
				c.active, c.taken = c.parent && !c.taken, true
			}
			continue
		case "endif":
			if len(stack) == 0 {
				return nil, fmt.Errorf("%s:%d: endif without if", path, n+1)
			}
			stack = stack[:len(stack)-1]
			continue
		}
		if !active() {
			continue
		}
		if word == "include" || word == "-include" || word == "sinclude" {
			included = true
			continue
		}
		line = strings.TrimPrefix(strings.TrimPrefix(line, "override "), "export ")
		name, op, value, ok := splitAssignment(line)
		if !ok {
			continue // a rule or something else make-only
		}
		if m.cmdline[name] {
			continue
		}
		if name == "CFLAGS" && included {
			if op == "+=" {
				m.cflagsAfter = strings.TrimSpace(m.cflagsAfter + " " + m.expand(value, 0))
			} else {
				m.cflagsAfter = m.expand(value, 0)
			}
			continue
		}
		switch op {
		case "=":
			m.vars[name] = value
		case ":=", "::=":
			m.vars[name] = m.expand(value, 0)
		case "?=":
			if _, ok := m.vars[name]; !ok {
				m.vars[name] = value
			}
		case "+=":
			if old, ok := m.vars[name]; ok && old != "" {
				m.vars[name] = old + " " + value
			} else {
				m.vars[name] = value
			}
		}
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("%s: missing endif", path)
	}
	return m, nil
}

// get returns the expanded value of a variable.
func (m *makeVars) get(name string) string { return strings.TrimSpace(m.expand(m.vars[name], 0)) }

func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '#' {
			return s[:i]
		}
	}
	return s
}

func splitAssignment(line string) (name, op, value string, ok bool) {
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '=':
			op = "="
			if i > 0 && strings.ContainsRune(":?+", rune(line[i-1])) {
				op = line[i-1 : i+1]
				i--
				if op == ":=" && i > 0 && line[i-1] == ':' {
					op, i = "::=", i-1
				}
			}
			name = strings.TrimSpace(line[:i])
			value = strings.TrimSpace(line[i+len(op):])
			if name == "" || strings.ContainsAny(name, " \t:$") {
				return "", "", "", false
			}
			return name, op, value, true
		case c == ':' && (i+1 >= len(line) || line[i+1] != '=') && !(i+2 < len(line) && line[i+1] == ':' && line[i+2] == '='):
			return "", "", "", false // a rule
		case c == '$':
			i = skipRef(line, i)
		}
	}
	return "", "", "", false
}

// skipRef returns the index of the last byte of the reference starting at i.
func skipRef(s string, i int) int {
	if i+1 >= len(s) {
		return i
	}
	open := s[i+1]
	if open != '(' && open != '{' {
		return i + 1
	}
	close := byte(')')
	if open == '{' {
		close = '}'
	}
	depth := 0
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(s) - 1
}

func (m *makeVars) condition(word, rest string) (bool, error) {
	switch word {
	case "ifdef", "ifndef":
		v := m.get(m.expand(rest, 0)) != ""
		return v == (word == "ifdef"), nil
	}
	var a, b string
	if strings.HasPrefix(rest, "(") && strings.HasSuffix(rest, ")") {
		inner := rest[1 : len(rest)-1]
		i := topLevelComma(inner)
		if i < 0 {
			return false, fmt.Errorf("cannot read condition %q", rest)
		}
		a, b = inner[:i], inner[i+1:]
	} else {
		f := strings.Fields(rest)
		if len(f) != 2 {
			return false, fmt.Errorf("cannot read condition %q", rest)
		}
		a, b = strings.Trim(f[0], `"'`), strings.Trim(f[1], `"'`)
	}
	eq := strings.TrimSpace(m.expand(a, 0)) == strings.TrimSpace(m.expand(b, 0))
	return eq == (word == "ifeq"), nil
}

func topLevelComma(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '{':
			depth++
		case ')', '}':
			depth--
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// expand substitutes variable references and the supported functions.
func (m *makeVars) expand(s string, depth int) string {
	if depth > 20 || !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(', '{':
			end := skipRef(s, i)
			b.WriteString(m.ref(s[i+2:end], depth))
			i = end
		default:
			b.WriteString(m.expand(m.vars[s[i+1:i+2]], depth+1))
			i++
		}
	}
	return b.String()
}

func (m *makeVars) ref(inner string, depth int) string {
	fn, args, hasArgs := strings.Cut(inner, " ")
	if !hasArgs {
		return m.expand(m.vars[m.expand(inner, depth+1)], depth+1)
	}
	split := func(n int) []string {
		var parts []string
		for len(parts) < n-1 {
			i := topLevelComma(args)
			if i < 0 {
				break
			}
			parts = append(parts, args[:i])
			args = args[i+1:]
		}
		parts = append(parts, args)
		for i := range parts {
			parts[i] = m.expand(parts[i], depth+1)
		}
		return parts
	}
	abs := func(p string) string {
		if !filepath.IsAbs(p) {
			p = filepath.Join(m.dir, p)
		}
		return filepath.Clean(p)
	}
	mapWords := func(list string, f func(string) string) string {
		var out []string
		for _, w := range strings.Fields(list) {
			if r := f(w); r != "" {
				out = append(out, r)
			}
		}
		return strings.Join(out, " ")
	}
	switch fn {
	case "addprefix":
		p := split(2)
		return mapWords(p[1], func(w string) string { return strings.TrimSpace(p[0]) + w })
	case "addsuffix":
		p := split(2)
		return mapWords(p[1], func(w string) string { return w + strings.TrimSpace(p[0]) })
	case "realpath":
		return mapWords(split(1)[0], func(w string) string {
			r, err := filepath.EvalSymlinks(abs(w))
			if err != nil {
				return ""
			}
			return r
		})
	case "abspath":
		return mapWords(split(1)[0], abs)
	case "filter", "filter-out":
		p := split(2)
		pats := strings.Fields(p[0])
		return mapWords(p[1], func(w string) string {
			match := false
			for _, pat := range pats {
				if patMatch(pat, w) {
					match = true
				}
			}
			if match == (fn == "filter") {
				return w
			}
			return ""
		})
	case "patsubst":
		p := split(3)
		return mapWords(p[2], func(w string) string { return patSubst(strings.TrimSpace(p[0]), strings.TrimSpace(p[1]), w) })
	case "subst":
		p := split(3)
		return strings.ReplaceAll(p[2], p[0], p[1])
	case "notdir":
		return mapWords(split(1)[0], filepath.Base)
	case "dir":
		return mapWords(split(1)[0], func(w string) string { return filepath.Dir(w) + "/" })
	case "basename":
		return mapWords(split(1)[0], func(w string) string { return strings.TrimSuffix(w, filepath.Ext(w)) })
	case "strip":
		return strings.Join(strings.Fields(split(1)[0]), " ")
	case "wildcard":
		return mapWords(split(1)[0], func(w string) string {
			matches, _ := filepath.Glob(filepath.Join(m.dir, w))
			sort.Strings(matches)
			for i := range matches {
				matches[i], _ = filepath.Rel(m.dir, matches[i])
			}
			return strings.Join(matches, " ")
		})
	}
	return m.expand(m.vars[inner], depth+1)
}

func patMatch(pat, w string) bool {
	pre, suf, ok := strings.Cut(pat, "%")
	if !ok {
		return pat == w
	}
	return len(w) >= len(pre)+len(suf) && strings.HasPrefix(w, pre) && strings.HasSuffix(w, suf)
}

func patSubst(pat, repl, w string) string {
	pre, suf, ok := strings.Cut(pat, "%")
	if !ok {
		if w == pat {
			return repl
		}
		return w
	}
	if !patMatch(pat, w) {
		return w
	}
	stem := w[len(pre) : len(w)-len(suf)]
	return strings.Replace(repl, "%", stem, 1)
}
