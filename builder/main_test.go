package builder

import (
	"os"
	"testing"
)

// TestMain clears MPY_DIR: the builds here name their tree or the release
// they build for, and MPY_DIR (which CI sets for the tests that run modules
// on MicroPython) would take the place of the latter.
func TestMain(m *testing.M) {
	os.Unsetenv("MPY_DIR")
	os.Exit(m.Run())
}
