// Package testutil finds the golden corpus and toolchain archives for tests.
package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Root returns the repository root: the folder above the working
// directory at start-up (go test runs in the package's folder) whose
// go.mod is mpyld's, else the one this file was compiled in. The working
// directory comes first because the compiled-in path is the build host's:
// a test binary built on Linux and run under Wine cannot use it. It is
// found before any test changes the working directory.
func Root() string { return root }

var root = findRoot()

func findRoot() string {
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(data), "module github.com/mpyld/mpyld\n") {
				return dir
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Golden returns the path of testdata/golden.
func Golden() string { return filepath.Join(Root(), "testdata", "golden") }

// Case is one golden link: a folder with link.cmd.
type Case struct {
	Dir    string // absolute folder
	ObjDir string // where its objects are: Dir, or the case of testdata/golden
	Name   string // arch/module[/sections]
	Arch   string
	Module string
	Qstrs  string
	Output string
	Libs   []string // as written: <libgcc.a>, <libm.a>
	Objs   []string
	Status int
}

// Cases lists every golden folder with a link command.
func Cases(t testing.TB) []Case { return CasesIn(t, Golden()) }

// VersionCases lists the cases of testdata/golden-versions/<version>.
// Objects the folder does not hold are those of the same case in
// testdata/golden.
func VersionCases(t testing.TB, version string) []Case {
	return CasesIn(t, filepath.Join(Root(), "testdata", "golden-versions", version))
}

// CasesIn lists every folder under root with a link command.
func CasesIn(t testing.TB, root string) []Case {
	var cases []Case
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.Name() != "link.cmd" {
			return err
		}
		cmd, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		rel, _ := filepath.Rel(root, dir)
		c := Case{Dir: dir, ObjDir: dir, Name: filepath.ToSlash(rel)}
		parts := strings.Split(c.Name, "/")
		c.Module = parts[1]
		f := strings.Fields(string(cmd))
		for i := 1; i < len(f); i++ {
			switch f[i] {
			case "--arch":
				i++
				c.Arch = f[i]
			case "--qstrs":
				i++
				c.Qstrs = f[i]
			case "-o":
				i++
				c.Output = f[i]
			case "-l":
				i++
				c.Libs = append(c.Libs, f[i])
			default:
				c.Objs = append(c.Objs, f[i])
			}
		}
		if len(c.Objs) > 0 {
			if _, err := os.Stat(filepath.Join(dir, c.Objs[0])); err != nil {
				c.ObjDir = filepath.Join(Golden(), rel)
			}
		}
		st, _ := os.ReadFile(filepath.Join(dir, "link.status"))
		if strings.TrimSpace(string(st)) != "0" {
			c.Status = 1
		}
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// Lib resolves a <libgcc.a> or <libm.a> placeholder with a cross compiler
// and the flags that pick the arch's multilib, skipping the test when the
// compiler or archive is missing (CI installs them, so there it runs).
func Lib(t testing.TB, cc string, flags []string, placeholder string) string {
	t.Helper()
	if _, err := exec.LookPath(cc); err != nil {
		if os.Getenv("CI") != "" && ciInstalls(cc) {
			t.Fatalf("%s not found, but CI must have it", cc)
		}
		t.Skipf("%s not installed: cannot find %s", cc, placeholder)
	}
	arg := "--print-libgcc-file-name"
	if placeholder == "<libm.a>" {
		arg = "--print-file-name=libm.a"
	}
	out, err := exec.Command(cc, append(flags, arg)...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", cc, arg, err)
	}
	p := strings.TrimSpace(string(out))
	if !filepath.IsAbs(p) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s: %s not found", cc, placeholder)
		}
		t.Skipf("%s %v: %s not found", cc, flags, placeholder)
	}
	return p
}

// Compile compiles the C source src with the cross compiler cc and flags
// into out, skipping the test when cc is not installed (and failing under
// CI, which installs every compiler). RISC-V compilers get picolibc's specs
// for their C headers, as the build does.
func Compile(t testing.TB, cc string, flags []string, src, out string) {
	t.Helper()
	if _, err := exec.LookPath(cc); err != nil {
		if os.Getenv("CI") != "" && ciInstalls(cc) {
			t.Fatalf("%s not found, but CI must have it", cc)
		}
		t.Skipf("%s not installed: cannot compile %s", cc, filepath.Base(src))
	}
	args := append([]string(nil), flags...)
	if strings.Contains(cc, "riscv") {
		if p, err := exec.Command(cc, "--print-file-name=picolibc.specs").Output(); err == nil && filepath.IsAbs(strings.TrimSpace(string(p))) {
			args = append(args, "-specs="+strings.TrimSpace(string(p)))
		}
	}
	args = append(args, "-c", "-o", out, src)
	if msg, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, msg)
	}
}

// WriteArchive writes an ar archive (System V form, no symbol table) of
// the files, under their base names.
func WriteArchive(t testing.TB, out string, files ...string) {
	t.Helper()
	data := []byte("!<arch>\n")
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f) + "/"
		if len(name) > 16 {
			t.Fatalf("%s: member name longer than 15 bytes", f)
		}
		data = append(data, []byte(fmt.Sprintf("%-16s%-12s%-6s%-6s%-8s%-10d`\n", name, "0", "0", "0", "644", len(body)))...)
		data = append(data, body...)
		if len(body)%2 == 1 {
			data = append(data, '\n')
		}
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ciInstalls reports whether CI installs the compiler cc: every one but
// xtensawin's (ESP-IDF's xtensa-esp32-elf-gcc, which Debian does not have).
func ciInstalls(cc string) bool { return !strings.HasPrefix(filepath.Base(cc), "xtensa-esp32-elf-") }
