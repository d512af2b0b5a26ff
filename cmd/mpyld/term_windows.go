// This file implements the terminal check on Windows, whose console shows
// the progress line's escape (ESC [K, erase to the end of the line) as text
// unless virtual terminal processing is on.

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// isTerminal reports whether f is a console that takes the progress line's
// escapes, turning virtual terminal processing on (Windows 10 and later)
// where it is off. NUL, pipes and files are not.
func isTerminal(f *os.File) bool {
	h := windows.Handle(f.Fd())
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return false
	}
	if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
		return true
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
