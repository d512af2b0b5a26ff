// This file implements the text report: a table of tests by arch and
// version, the reasons for what did not run, and a diff per failure.

package testrun

import (
	"fmt"
	"io"
	"os/exec"
	"strings"
)

var lookPathDefault = exec.LookPath

// WriteText writes the report as a table with one row per test and one
// column per arch and version, then what did not run and why, then each
// failure with its cause and diff, then a summary line.
func (r *Report) WriteText(w io.Writer) {
	width := len("test")
	for _, t := range r.Tests {
		width = max(width, len(t))
	}
	cols := make([]string, len(r.Units))
	for i, u := range r.Units {
		cols[i] = u.Arch + " " + u.MicroPython
	}
	fmt.Fprintf(w, "%-*s", width, "test")
	for _, c := range cols {
		fmt.Fprintf(w, "  %-*s", max(len(c), 13), c)
	}
	fmt.Fprintln(w)
	for ti, t := range r.Tests {
		fmt.Fprintf(w, "%-*s", width, t)
		for i, u := range r.Units {
			cell := ""
			if ti < len(u.Results) {
				res := u.Results[ti]
				cell = string(res.Status)
				if res.Status != NotRun {
					cell = fmt.Sprintf("%-4s %6.2fs", res.Status, res.Seconds)
				}
			}
			fmt.Fprintf(w, "  %-*s", max(len(cols[i]), 13), cell)
		}
		fmt.Fprintln(w)
	}
	noted := map[string]bool{}
	for _, u := range r.Units {
		if u.Note != "" && u.NotRun == "" && !noted[u.Board] {
			noted[u.Board] = true
			fmt.Fprintf(w, "note: %s (%s): %s\n", u.Arch, u.Board, u.Note)
		}
	}
	for _, u := range r.Units {
		if u.NotRun != "" {
			fmt.Fprintf(w, "not run: %s on %s: %s\n", u.Arch, u.MicroPython, u.NotRun)
		}
	}
	for _, u := range r.Units {
		board := u.Board
		if board == "" {
			board = "no board"
		}
		if n, cause, output := sameFailure(u.Results); n > 1 {
			// The build or the firmware failed: once for all tests.
			fmt.Fprintf(w, "\n--- FAIL: all %d tests on %s, MicroPython %s (%s): %s\n", n, u.Arch, u.MicroPython, board, cause)
			if output != "" {
				fmt.Fprint(w, indent(tailLines(output, 20)))
			}
			continue
		}
		for _, res := range u.Results {
			if res.Status != Fail {
				continue
			}
			fmt.Fprintf(w, "\n--- FAIL: %s on %s, MicroPython %s (%s): %s\n", res.Test, u.Arch, u.MicroPython, board, res.Cause)
			switch {
			case res.Diff != "":
				fmt.Fprint(w, res.Diff)
			case res.Output != "":
				fmt.Fprint(w, indent(tailLines(res.Output, 20)))
			}
		}
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped, %d not run\n", r.Count(Pass), r.Count(Fail), r.Count(Skip), r.Count(NotRun))
}

// sameFailure returns the number of results, their cause and output when
// every one failed alike and nothing ran (a failed build or firmware).
func sameFailure(results []Result) (int, string, string) {
	if len(results) == 0 {
		return 0, "", ""
	}
	for _, r := range results {
		if r.Status != Fail || r.Cause != results[0].Cause || r.Output != results[0].Output || r.Diff != "" {
			return 0, "", ""
		}
	}
	return len(results), results[0].Cause, results[0].Output
}

// diffLines is a line diff of want against got: "-" lines only in the
// expected output, "+" lines only in the actual one, " " both.
func diffLines(want, got string) string {
	a := strings.SplitAfter(want, "\n")
	b := strings.SplitAfter(got, "\n")
	if a[len(a)-1] == "" {
		a = a[:len(a)-1]
	}
	if b[len(b)-1] == "" {
		b = b[:len(b)-1]
	}
	if len(a)*len(b) > 4_000_000 {
		return "--- expected\n" + indent(tailLines(want, 20)) + "+++ got\n" + indent(tailLines(got, 20))
	}
	// Longest common subsequence, by dynamic programming.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var s strings.Builder
	s.WriteString("--- expected\n+++ got\n")
	line := func(prefix, l string) {
		s.WriteString(prefix + strings.TrimSuffix(l, "\n"))
		if !strings.HasSuffix(l, "\n") {
			s.WriteString(" (no newline at end)")
		}
		s.WriteString("\n")
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			line(" ", a[i])
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			line("-", a[i])
			i++
		default:
			line("+", b[j])
			j++
		}
	}
	return s.String()
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n") + "\n"
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString("    " + l)
		}
	}
	return b.String()
}
