//go:build !windows

package main

import "os"

// isTerminal reports whether f is a terminal, which shows the progress
// line.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
