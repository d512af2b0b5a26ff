package lx106

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mpyld/mpyld/firmware/internal/simtest"
)

// The firmware is built once per test run, into a folder that outlives the
// test when MPYLD_LX106_OUT is set (to iterate quickly by hand).
var (
	buildOnce sync.Once
	builtELF  string
	buildErr  error
	tempOut   string // removed after the tests
)

func TestMain(m *testing.M) {
	code := m.Run()
	if tempOut != "" {
		os.RemoveAll(tempOut)
	}
	os.Exit(code)
}

func firmware(t *testing.T) string {
	t.Helper()
	mpyDir := os.Getenv("MPY_DIR")
	if mpyDir == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree to build the firmware from")
	}
	for _, tool := range []string{Compiler, QEMU, "make", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	buildOnce.Do(func() {
		out := os.Getenv("MPYLD_LX106_OUT")
		if out == "" {
			out, buildErr = os.MkdirTemp("", "mpyld-lx106-")
			if buildErr != nil {
				return
			}
			tempOut = out
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		builtELF, buildErr = Build(ctx, Options{MPYDir: mpyDir, OutDir: out, Logf: t.Logf})
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtELF
}

// run runs the firmware with script on standard input and returns standard
// output, standard error and QEMU's exit status.
func run(t *testing.T, elfPath string, script string) (string, string, int) {
	t.Helper()
	argv, err := QEMUArgs(elfPath)
	if err != nil {
		t.Fatal(err)
	}
	return runArgv(t, argv, script)
}

func runArgv(t *testing.T, argv []string, script string) (string, string, int) {
	t.Helper()
	return simtest.Run(t, argv, script)
}

func TestScript(t *testing.T) {
	elfPath := firmware(t)
	tests := []struct {
		name, script, stdout string
		status               int
	}{
		{"print", "print('hello', 6 * 7, [x * x for x in range(4)])\n", "hello 42 [0, 1, 4, 9]\n", 0},
		// Single precision, as bits: CPython's float32 results (struct
		// rounds each operand and the exactly rounded double result).
		{"float", "import struct\ndef h(x):\n    return struct.pack('<f', x).hex()\n" +
			"print(h(10/3), h(1.5+2.25), h(1/7), h(123456.789*1000), h(1e38*10), h(0.1-0.3), h(1e-30*1e-15), int(2.5e9/1e3))\n",
			"55555540 00007040 2549123e a379eb4c 0000807f cecc4cbe 01000000 2500000\n", 0},
		// As CPython prints it.
		{"bigint", "print(2 ** 100 // 3 ** 20, 10 ** 30 % 987654321)\n", "363558641556578823726 156250000\n", 0},
		{"exception", "print('a')\nraise ValueError('boom')\n", "a\nTraceback (most recent call last):\n  File \"<stdin>\", line 2, in <module>\nValueError: boom\n", 1},
		{"exit", "import sys\nsys.exit(7)\n", "", 7},
		{"native", "@micropython.native\ndef f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\nprint(f(100))\n", "4950\n", 0},
		{"arch", "import sys\nprint(sys.implementation._mpy >> 10 & 15)\n", "9\n", 0},
		// The script is all of standard input: reading more is a failure.
		{"stdin", "import sys\nprint('a')\nsys.stdin.read(1)\nprint('b')\n", "a\n", ExitFatal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, status := run(t, elfPath, tc.script)
			if stdout != tc.stdout || status != tc.status {
				t.Errorf("got status %d, output %q (stderr %q); want status %d, output %q", status, stdout, stderr, tc.status, tc.stdout)
			}
		})
	}
}

// TestCrash checks that a CPU exception ends QEMU with ExitFatal and names
// its cause: inline assembler loads from address 0, where the sim machine
// has no memory.
func TestCrash(t *testing.T) {
	elfPath := firmware(t)
	script := "@micropython.asm_xtensa\ndef f():\n    movi(a2, 0)\n    l32i(a2, a2, 0)\nprint('before')\nf()\nprint('after')\n"
	stdout, stderr, status := run(t, elfPath, script)
	if status != ExitFatal || stdout != "before\n" || !strings.Contains(stderr, "FATAL: LoadStorePIFAddrError (EXCCAUSE 15)") {
		t.Errorf("got status %d, output %q, stderr %q; want status %d, output \"before\\n\", a LoadStorePIFAddrError", status, stdout, stderr, ExitFatal)
	}
}

// TestRawREPL drives the raw REPL as pyboard.py does (Ctrl-C, Ctrl-A, code,
// Ctrl-D) with all input given at once; the end of input ends QEMU.
func TestRawREPL(t *testing.T) {
	elfPath := firmware(t)
	input := "\r\x03\x03\r\x01print(1+1)\x04raise ValueError(3)\x04"
	stdout, _, status := run(t, elfPath, input)
	want := "raw REPL; CTRL-B to exit\r\n>OK2\r\n\x04\x04>OK\x04Traceback (most recent call last):\r\n" +
		"  File \"<stdin>\", line 1, in <module>\r\nValueError: 3\r\n\x04>"
	if status != 0 || !strings.HasSuffix(stdout, want) {
		t.Errorf("got status %d, output %q; want status 0, output ending in %q", status, stdout, want)
	}
}

// TestFile runs a host file read through semihosting, and one that does not
// exist.
func TestFile(t *testing.T) {
	elfPath := firmware(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "a,b.py")
	if err := os.WriteFile(script, []byte("import sys\nprint('from a file', 1 + 1)\nsys.exit(5)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	argv, err := QEMUFileArgs(elfPath, script)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, status := runArgv(t, argv, "print('from stdin')\n")
	if stdout != "from a file 2\n" || status != 5 {
		t.Errorf("got status %d, output %q (stderr %q); want status 5, \"from a file 2\\n\"", status, stdout, stderr)
	}
	argv, _ = QEMUFileArgs(elfPath, filepath.Join(dir, "missing.py"))
	stdout, stderr, status = runArgv(t, argv, "")
	if status != 2 || !strings.Contains(stderr, "can't open file") || stdout != "" {
		t.Errorf("missing file: got status %d, output %q, stderr %q; want status 2 and \"can't open file\"", status, stdout, stderr)
	}
}

func TestBuildRefuses(t *testing.T) {
	tree := t.TempDir()
	if err := os.MkdirAll(filepath.Join(tree, "py"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no tree", Options{MPYDir: t.TempDir(), OutDir: t.TempDir()}, "not a MicroPython source tree"},
		{"output inside the tree", Options{MPYDir: tree, OutDir: filepath.Join(tree, "build-lx106")}, "inside the MicroPython tree"},
		{"no folders", Options{}, "must be set"},
	}
	os.WriteFile(filepath.Join(tree, "py", "mkenv.mk"), nil, 0o644)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(context.Background(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(tree, "build-lx106")); err == nil {
		t.Errorf("Build wrote into the tree")
	}
}

func TestQEMUArgs(t *testing.T) {
	if _, err := QEMUArgs("lx106.go"); err == nil {
		t.Errorf("QEMUArgs accepted a file that is not ELF")
	}
}
