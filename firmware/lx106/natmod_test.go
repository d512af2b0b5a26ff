package lx106

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

// preamble returns the code that tests/run-natmodtests.py of the tree puts
// before a test: it mounts a RAM file system holding the module's bytes
// (__buf) and imports the module from it under the name mod.
func preamble(t *testing.T, mpyDir, mod string) string {
	src, err := os.ReadFile(filepath.Join(mpyDir, "tests", "run-natmodtests.py"))
	if err != nil {
		t.Skipf("no natmod test runner in the tree: %v", err)
	}
	m := regexp.MustCompile(`(?s)injected_import_hook_code = """\\\n(.*?)"""`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s: no injected_import_hook_code", filepath.Join(mpyDir, "tests", "run-natmodtests.py"))
	}
	code := strings.ReplaceAll(string(m[1]), "{import_prelude}", "")
	return strings.ReplaceAll(code, "{}", mod)
}

// pyBytes writes b as a Python bytes literal.
func pyBytes(b []byte) string {
	var s strings.Builder
	s.WriteString("b'")
	for _, c := range b {
		switch {
		case c == '\\' || c == '\'':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\t':
			s.WriteString(`\t`)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, `\x%02x`, c)
		}
	}
	s.WriteByte('\'')
	return s.String()
}

// buildNatmod builds examples/natmod/<name> of the tree for xtensa with
// mpyld, in a copy of the example, and returns the .mpy file's bytes.
func buildNatmod(t *testing.T, mpyDir, name string) []byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	cp := exec.Command("cp", "-r", filepath.Join(mpyDir, "examples", "natmod", name), dir)
	if out, err := cp.CombinedOutput(); err != nil {
		t.Skipf("example %s: %v %s", name, err, out)
	}
	build := exec.Command("go", "run", "./cmd/mpyld", "build", "--arch", "xtensa", "-C", dir)
	build.Dir = testutil.Root()
	build.Env = append(os.Environ(), "MPY_DIR="+mpyDir)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("mpyld build --arch xtensa of %s: %v\n%s", name, err, out)
	}
	mpys, _ := filepath.Glob(filepath.Join(dir, "*.mpy"))
	if len(mpys) != 1 {
		t.Fatalf("mpyld build of %s left %d .mpy files", name, len(mpys))
	}
	data, err := os.ReadFile(mpys[0])
	if err != nil {
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
			script := "import sys\nsys.path.remove('')\n\n__buf=" + pyBytes(mpy) + "\n" +
				preamble(t, mpyDir, tc.module) + "print('START TEST')\n" + string(src)
			stdout, stderr, status := run(t, elfPath, script)
			got := strings.TrimPrefix(stdout, "START TEST\n")
			if status != 0 || !bytes.Equal([]byte(got), want) {
				t.Errorf("status %d, stderr %q\ngot:\n%s\nwant:\n%s", status, stderr, got, want)
			}
		})
	}
}
