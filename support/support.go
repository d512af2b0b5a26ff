// Package support is a placeholder for h17b's support layer (issue 17): the
// same API, no functions. The lead replaces this file with h17b's package
// when merging; nothing here is the support layer itself.
package support

// File is one C source or header of the layer.
type File struct {
	Name string
	Data []byte
}

// Header is the layer's header, included after py/dynruntime.h.
const Header = "mpyld_support.h"

// Files returns the layer's sources and headers (none in the placeholder).
func Files() []File { return nil }

// Provides returns every symbol the layer defines (none in the placeholder).
func Provides() []string { return nil }

// Hint says why symbol is still undefined after the support layer, or "".
func Hint(symbol string) string { return "" }
