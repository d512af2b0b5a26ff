// Package simtest holds what the tests of mpyld's QEMU firmwares share:
// running QEMU with a script on standard input, and building an
// examples/natmod module with mpyld and wrapping it the way the tree's
// tests/run-natmodtests.py does.
package simtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mpyld/mpyld/internal/testutil"
)

// Run runs argv with input on standard input and returns standard output,
// standard error and the exit status; it fails t after a minute.
func Run(t *testing.T, argv []string, input string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
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

// Preamble returns the code that tests/run-natmodtests.py of the tree puts
// before a test: it mounts a RAM file system holding the module's bytes
// (__buf) and imports the module from it under the name mod.
func Preamble(t *testing.T, mpyDir, mod string) string {
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

// PyBytes writes b as a Python bytes literal.
func PyBytes(b []byte) string {
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

// BuildNatmod builds examples/natmod/<name> of the tree for arch with mpyld
// (go run ./cmd/mpyld build), in a copy of the example, and returns the
// .mpy file's bytes and mpyld's output. A build that fails is returned as
// an error with that output; skip is called when the tree has no such
// example.
func BuildNatmod(t *testing.T, mpyDir, name, arch string, extra ...string) ([]byte, string, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	cp := exec.Command("cp", "-r", filepath.Join(mpyDir, "examples", "natmod", name), dir)
	if out, err := cp.CombinedOutput(); err != nil {
		t.Skipf("example %s: %v %s", name, err, out)
	}
	args := append([]string{"run", "./cmd/mpyld", "build", "--arch", arch, "-C", dir}, extra...)
	build := exec.Command("go", args...)
	build.Dir = testutil.Root()
	build.Env = append(os.Environ(), "MPY_DIR="+mpyDir)
	out, err := build.CombinedOutput()
	if err != nil {
		return nil, string(out), fmt.Errorf("mpyld build --arch %s of %s: %v\n%s", arch, name, err, out)
	}
	mpys, _ := filepath.Glob(filepath.Join(dir, "*.mpy"))
	if len(mpys) != 1 {
		t.Fatalf("mpyld build of %s left %d .mpy files", name, len(mpys))
	}
	data, err := os.ReadFile(mpys[0])
	if err != nil {
		t.Fatal(err)
	}
	return data, string(out), nil
}

// NatmodScript returns what run-natmodtests.py runs for a test: the module
// in a RAM file system, the import, "START TEST" and the test's source.
func NatmodScript(t *testing.T, mpyDir, module string, mpy, test []byte) string {
	return "import sys\nsys.path.remove('')\n\n__buf=" + PyBytes(mpy) + "\n" +
		Preamble(t, mpyDir, module) + "print('START TEST')\n" + string(test)
}
