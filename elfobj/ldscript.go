// This file implements the GNU ld scripts that stand in for archives (GROUP/INPUT lists).

package elfobj

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// The patterns compile on first use, not at start-up.
var (
	ldComment = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)/\*.*?\*/`) })
	ldCommand = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)\b(GROUP|INPUT|OUTPUT_FORMAT|AS_NEEDED)\s*\(`)
	})
	ldSplit = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[\s,]+`) })
)

// ParseLDScript reads a linker script made only of GROUP(...), INPUT(...) and
// OUTPUT_FORMAT(...) commands and returns the files it names, in order.
// AS_NEEDED(...) lists inside them are flattened.
func ParseLDScript(name string, data []byte) ([]string, error) {
	text := ldComment().ReplaceAllString(string(data), " ")
	var files []string
	rest := strings.TrimSpace(text)
	for rest != "" {
		m := ldCommand().FindStringSubmatchIndex(rest)
		if m == nil || m[0] != 0 {
			return nil, &Error{File: name, Off: -1, Msg: fmt.Sprintf("not an archive, and not a linker script of GROUP/INPUT commands (found %q)", firstLine(rest))}
		}
		cmd := rest[m[2]:m[3]]
		body, after, err := balanced(rest[m[1]:])
		if err != nil {
			return nil, &Error{File: name, Off: -1, Msg: err.Error()}
		}
		if cmd != "OUTPUT_FORMAT" {
			body = strings.NewReplacer("AS_NEEDED", " ", "(", " ", ")", " ").Replace(body)
			for _, f := range ldSplit().Split(strings.TrimSpace(body), -1) {
				if f != "" {
					files = append(files, f)
				}
			}
		}
		rest = strings.TrimSpace(after)
	}
	if len(files) == 0 {
		return nil, &Error{File: name, Off: -1, Msg: "linker script names no files"}
	}
	return files, nil
}

// balanced splits s, which follows an opening parenthesis, at the matching close.
func balanced(s string) (inside, after string, err error) {
	depth := 1
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[:i], s[i+1:], nil
			}
		}
	}
	return "", "", fmt.Errorf("unbalanced parentheses in linker script")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}
