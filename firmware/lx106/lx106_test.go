package lx106

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The firmware is built once per test run, into a folder that outlives the
// test when MPYLD_LX106_OUT is set (to iterate quickly by hand).
var (
	buildOnce sync.Once
	builtELF  string
	buildErr  error
)

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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(script)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("QEMU did not end within a minute; output so far:\n%s", stdout.String())
	}
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), status
}

func TestScript(t *testing.T) {
	elfPath := firmware(t)
	tests := []struct {
		name, script, stdout string
		status               int
	}{
		{"print", "print('hello', 6 * 7, [x * x for x in range(4)])\n", "hello 42 [0, 1, 4, 9]\n", 0},
		// Single precision: the output of v1.28's QEMU mps2-an385 board
		// (Cortex-M3, libgcc's soft float) for the same line.
		{"float", "print(10/3, 1.5+2.25, 7/2, int(2.5e9/1e3), 1e38*10, -3.5//1, 1/7, 2.0**0.5, 123456.789*1000)\n",
			"3.3333332 3.75 3.5 2500000 inf -4.0 0.14285715 1.4142135 123456790.0\n", 0},
		// As CPython prints it.
		{"bigint", "print(2 ** 100 // 3 ** 20, 10 ** 30 % 987654321)\n", "363558641556578823726 156250000\n", 0},
		{"exception", "print('a')\nraise ValueError('boom')\n", "a\nTraceback (most recent call last):\n  File \"<stdin>\", line 2, in <module>\nValueError: boom\n", 1},
		{"exit", "import sys\nsys.exit(7)\n", "", 7},
		{"native", "@micropython.native\ndef f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\nprint(f(100))\n", "4950\n", 0},
		{"arch", "import sys\nprint(sys.implementation._mpy >> 10 & 15)\n", "9\n", 0},
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
