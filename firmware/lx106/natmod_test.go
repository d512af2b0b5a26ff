package lx106

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/firmware/internal/simtest"
)

// buildNatmod builds examples/natmod/<name> of the tree for xtensa with
// mpyld, in a copy of the example, and returns the .mpy file's bytes.
func buildNatmod(t *testing.T, mpyDir, name string) []byte {
	t.Helper()
	data, out, err := simtest.BuildNatmod(t, mpyDir, name, "xtensa")
	if err != nil {
		mk, _ := os.ReadFile(filepath.Join(mpyDir, "examples", "natmod", name, "Makefile"))
		if !bytes.Contains(mk, []byte("MPY_EXTERN_SYM_FILE")) && strings.Contains(out, "undefined symbol") {
			// Older trees' examples do not link the ESP8266 ROM's symbol
			// file, so nothing provides the helpers Debian's libgcc lacks.
			t.Skipf("examples/natmod/%s of this tree does not link for xtensa without the ROM's symbol file:\n%s", name, out)
		}
		t.Fatal(err)
	}
	return data
}

// TestNatmod runs natmod tests of tests/extmod on the firmware, with the
// module built by mpyld, the way run-natmodtests.py runs them, and compares
// the output with the test's .exp file. btree and deflate call memcpy and
// memset at their ESP8266 ROM addresses (their Makefiles link the ROM's
// symbol file): without the stubs they end in IllegalInstruction there.
func TestNatmod(t *testing.T) {
	elfPath := firmware(t)
	mpyDir := os.Getenv("MPY_DIR")
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not in PATH")
	}
	tests := []struct{ module, test string }{
		{"random", "random_basic.py"},
		{"framebuf", "framebuf1.py"},
		{"framebuf", "framebuf_polygon.py"},
		{"heapq", "heapq1.py"},
		{"btree", "btree1.py"},
		{"deflate", "deflate_compress.py"},
		// The names before v1.21.
		{"uheapq", "uheapq1.py"},
		{"urandom", "urandom_basic.py"},
	}
	built := map[string][]byte{}
	for _, tc := range tests {
		t.Run(tc.test, func(t *testing.T) {
			testPath := filepath.Join(mpyDir, "tests", "extmod", tc.test)
			src, err := os.ReadFile(testPath)
			if err != nil {
				t.Skipf("%s not in this tree", testPath)
			}
			want, err := os.ReadFile(testPath + ".exp")
			if err != nil {
				// Without .exp, run-natmodtests.py compares with CPython.
				python, perr := exec.LookPath("python3")
				if perr != nil {
					t.Skipf("%s has no .exp and python3 is missing", tc.test)
				}
				if want, err = exec.Command(python, testPath).Output(); err != nil {
					t.Fatalf("python3 %s: %v", testPath, err)
				}
			}
			mpy, ok := built[tc.module]
			if !ok {
				mpy = buildNatmod(t, mpyDir, tc.module)
				built[tc.module] = mpy
			}
			script := simtest.NatmodScript(t, mpyDir, tc.module, mpy, src)
			stdout, stderr, status := run(t, elfPath, script)
			got := strings.TrimPrefix(stdout, "START TEST\n")
			if status == 0 && got == "SKIP\n" {
				t.Skip("the test printed SKIP")
			}
			if status != 0 || !bytes.Equal([]byte(got), want) {
				t.Errorf("status %d, stderr %q\ngot:\n%s\nwant:\n%s", status, stderr, got, want)
			}
		})
	}
}
