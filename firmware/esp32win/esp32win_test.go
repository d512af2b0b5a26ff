package esp32win

import (
	"bytes"
	"context"
	"fmt"
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
// test when MPYLD_ESP32WIN_OUT is set (to iterate quickly by hand).
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
	for _, tool := range port.Tools {
		if _, err := exec.LookPath(tool.Name); err != nil {
			t.Skipf("%s not installed (%s)", tool.Name, tool.Package)
		}
	}
	for _, tool := range []string{QEMU, "make", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	buildOnce.Do(func() {
		out := os.Getenv("MPYLD_ESP32WIN_OUT")
		if out == "" {
			out, buildErr = os.MkdirTemp("", "mpyld-esp32win-")
			if buildErr != nil {
				return
			}
			tempOut = out
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		builtELF, buildErr = Build(ctx, Options{MPYDir: mpyDir, OutDir: out, Logf: t.Logf})
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtELF
}

func run(t *testing.T, elfPath string, script string) (string, string, int) {
	t.Helper()
	argv, err := QEMUArgs(elfPath)
	if err != nil {
		t.Fatal(err)
	}
	return simtest.Run(t, argv, script)
}

func TestScript(t *testing.T) {
	elfPath := firmware(t)
	tests := []struct {
		name, script, stdout string
		status               int
	}{
		{"print", "print('hello', 6 * 7, [x * x for x in range(4)])\n", "hello 42 [0, 1, 4, 9]\n", 0},
		// Single precision on the FPU, as bits: CPython's float32 results.
		{"float", "import struct\ndef h(x):\n    return struct.pack('<f', x).hex()\n" +
			"print(h(10/3), h(1.5+2.25), h(1/7), h(123456.789*1000), h(1e38*10), h(0.1-0.3), h(1e-30*1e-15), int(2.5e9/1e3))\n",
			"55555540 00007040 2549123e a379eb4c 0000807f cecc4cbe 01000000 2500000\n", 0},
		// lib/libm, three of whose files are built without the FPU.
		{"math", "import math\nprint('%.5f %.5f %.5f' % (math.sqrt(2), math.acos(0.5), math.erf(0.5)), round(2.5), math.log2(8))\n",
			"1.41421 1.04720 0.52050 2 3.0\n", 0},
		// objcomplex.c is built without the FPU: soft float from rt.c.
		{"complex", "print(1j * 1j, complex(1, 2) * 2, abs(3 + 4j), 1.5 < 2.5, 2.5 >= 3.0)\n", "(-1+0j) (2+4j) 5.0 True False\n", 0},
		{"bigint", "print(2 ** 100 // 3 ** 20, 10 ** 30 % 987654321)\n", "363558641556578823726 156250000\n", 0},
		// Exceptions are non-local returns: setjmp/longjmp across windows.
		{"exception", "print('a')\nraise ValueError('boom')\n", "a\nTraceback (most recent call last):\n  File \"<stdin>\", line 2, in <module>\nValueError: boom\n", 1},
		{"deep", "def f(n):\n    if n == 0:\n        raise KeyError(n)\n    return f(n - 1)\ntry:\n    f(100)\nexcept KeyError as e:\n    print('caught', e)\n", "caught 0\n", 0},
		// Variadic functions of the firmware (mp_raise_msg_varg, mp_printf)
		// with up to six arguments.
		{"varargs", "try:\n    (lambda a, b: 0)(1, 2, 3)\nexcept TypeError as e:\n    print(e)\ntry:\n    int('abc', 5)\nexcept ValueError as e:\n    print(e)\nfrom collections import namedtuple\nP = namedtuple('P', 'x y')\nprint(P(1, 'b'))\n",
			"<lambda>() takes 2 positional arguments but 3 were given\ninvalid syntax for integer with base 5: 'abc'\nP(x=1, y='b')\n", 0},
		{"exit", "import sys\nsys.exit(7)\n", "", 7},
		{"native", "@micropython.native\ndef f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\nprint(f(100))\n", "4950\n", 0},
		{"viper", "@micropython.viper\ndef f(a: int) -> int:\n    return a * 3 + 1\nprint(f(14))\n", "43\n", 0},
		{"arch", "import sys\nprint(sys.implementation._mpy >> 10 & 15)\n", "10\n", 0},
		{"implementation", "import sys\nprint(sys.implementation.name, sys.implementation._machine)\n", "micropython qemu-sim with de233_fpu\n", 0},
		// Three rounds of 1.5 MiB in a 2 MiB heap: each needs the previous
		// freed, and the live dictionary must survive.
		{"gc", "import gc\nd = {i: str(i) for i in range(3000)}\nfor k in range(3):\n    l = [bytearray(1000) for i in range(1500)]\n    l = None\n    gc.collect()\nprint(all(d[i] == str(i) for i in range(3000)))\n", "True\n", 0},
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
// its cause: viper code loads a word from an odd address, which faults on
// de233_fpu (an ESP32 would fault too, with another cause).
func TestCrash(t *testing.T) {
	elfPath := firmware(t)
	script := "@micropython.viper\ndef f(b) -> int:\n    p = ptr8(b)\n    return ptr32(int(p) + 1)[0]\nb = bytearray(8)\nprint('before')\nf(b)\nprint('after')\n"
	stdout, stderr, status := run(t, elfPath, script)
	if status != ExitFatal || stdout != "before\n" || !strings.Contains(stderr, "FATAL: LoadStoreAlignment (EXCCAUSE 9)") {
		t.Errorf("got status %d, output %q, stderr %q; want status %d, output \"before\\n\", a LoadStoreAlignment", status, stdout, stderr, ExitFatal)
	}
}

// TestFile runs a host file read through semihosting.
func TestFile(t *testing.T) {
	elfPath := firmware(t)
	script := filepath.Join(t.TempDir(), "a,b.py")
	if err := os.WriteFile(script, []byte("import sys\nprint('from a file', 1 + 1)\nsys.exit(5)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	argv, err := QEMUFileArgs(elfPath, script)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, status := simtest.Run(t, argv, "print('from stdin')\n")
	if stdout != "from a file 2\n" || status != 5 {
		t.Errorf("got status %d, output %q (stderr %q); want status 5, \"from a file 2\\n\"", status, stdout, stderr)
	}
}

// clangFlags make mpyld compile with clang-22 even where Espressif's GCC
// is installed.
var clangFlags = []string{"--cc", "xtensawin=" + Compiler, "-v"}

// buildNatmod builds a module for xtensawin with mpyld and clang-22.
func buildNatmod(t *testing.T, mpyDir, name string) []byte {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not in PATH")
	}
	data, out, err := simtest.BuildNatmod(t, mpyDir, name, "xtensawin", clangFlags...)
	if err != nil && strings.Contains(out, `undefined symbol "errno"`) {
		// v1.22's btree example; not a matter of the firmware.
		t.Skipf("mpyld cannot link %s of this tree for xtensawin: nothing provides errno\n%s", name, out)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "xtensawin: "+Compiler+", assembled by llvm-mc") {
		t.Fatalf("mpyld did not say it compiled with %s:\n%s", Compiler, out)
	}
	return data
}

// TestNatmod runs natmod tests of tests/extmod on the firmware, with the
// module built by mpyld for xtensawin, the way run-natmodtests.py runs
// them, and compares the output with the test's .exp file.
func TestNatmod(t *testing.T) {
	elfPath := firmware(t)
	mpyDir := os.Getenv("MPY_DIR")
	tests := []struct{ module, test string }{
		{"heapq", "heapq1.py"},
		{"random", "random_basic.py"},
		{"framebuf", "framebuf1.py"},
		{"re", "re1.py"},
		{"btree", "btree1.py"},
		{"deflate", "deflate_decompress.py"},
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
			stdout, stderr, status := run(t, elfPath, simtest.NatmodScript(t, mpyDir, tc.module, mpy, src))
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

// TestHandlers runs a module (testdata/handlers) whose code has MULUH and
// MULSH, which de233_fpu lacks, and MOVSP after a recursion that spilled
// its caller's window (llvm-objdump-22 shows the three in the object
// clang-22 makes): the firmware's illegal-instruction and alloca handlers
// must compute the products and reload the window. The expected values are
// computed here.
func TestHandlers(t *testing.T) {
	elfPath := firmware(t)
	mpyDir := os.Getenv("MPY_DIR")
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not in PATH")
	}
	// BuildNatmod takes examples from a tree: give it one whose
	// examples/natmod holds handlers, and the real tree's other folders.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "examples", "natmod"), 0o755); err != nil {
		t.Fatal(err)
	}
	cp := exec.Command("cp", "-r", filepath.Join("testdata", "handlers"), filepath.Join(dir, "examples", "natmod", "handlers"))
	if out, err := cp.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v %s", cp.Args, err, out)
	}
	for _, sub := range []string{"py", "tools", "tests"} {
		if err := os.Symlink(filepath.Join(mpyDir, sub), filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
	}
	mpy, out, err := simtest.BuildNatmod(t, dir, "handlers", "xtensawin", clangFlags...)
	if err != nil {
		t.Fatal(err)
	}
	var script, want strings.Builder
	script.WriteString("import handlers\n")
	pairs := [][2]int64{{3, 5}, {0xffffffff, 0xffffffff}, {0x80000000, 2}, {-1, 1}, {-7, 0x7fffffff}, {123456789, -987654321}, {-1 << 31, -1 << 31}}
	for _, p := range pairs {
		fmt.Fprintf(&script, "print(handlers.muluh(%d, %d), handlers.mulsh(%d, %d))\n", p[0], p[1], p[0], p[1])
		ua, ub := uint64(uint32(p[0])), uint64(uint32(p[1]))
		sa, sb := int64(int32(p[0])), int64(int32(p[1]))
		fmt.Fprintf(&want, "%d %d\n", ua*ub>>32, sa*sb>>32)
	}
	for _, c := range [][2]int{{50, 100}, {3, 5}, {200, 3000}} {
		fmt.Fprintf(&script, "print(handlers.vla_sum(%d, %d))\n", c[0], c[1])
		d := uint32(1)
		for k := 1; k <= c[0]; k++ {
			d = d*3 + uint32(k)
		}
		sum := int(d & 0xffff)
		for i := 0; i < c[1]; i++ {
			sum += i * 7 & 0xff
		}
		fmt.Fprintf(&want, "%d\n", sum)
	}
	stdout, stderr, status := run(t, elfPath, simtest.NatmodScript(t, mpyDir, "handlers", mpy, []byte(script.String())))
	got := strings.TrimPrefix(stdout, "START TEST\n")
	if status != 0 || got != want.String() {
		t.Errorf("status %d, stderr %q (mpyld: %s)\ngot:\n%s\nwant:\n%s", status, stderr, out, got, want.String())
	}
}

func TestQEMUArgs(t *testing.T) {
	if _, err := QEMUArgs("esp32win.go"); err == nil {
		t.Errorf("QEMUArgs accepted a file that is not ELF")
	}
}
