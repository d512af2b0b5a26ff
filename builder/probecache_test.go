package builder

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loggingCompiler writes a compiler that appends its arguments to a log,
// then runs the real one, and returns its path and the log's.
func loggingCompiler(t *testing.T, real string) (cc, log string) {
	t.Helper()
	dir := t.TempDir()
	cc, log = filepath.Join(dir, "cc"), filepath.Join(dir, "log")
	script := "#!/bin/sh\necho \"$*\" >> " + log + "\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(cc, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return cc, log
}

func readLog(t *testing.T, log string) []string {
	t.Helper()
	data, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// TestProbeCache: an up-to-date build runs no compiler at all, not even to
// probe it; a changed compiler is probed again.
func TestProbeCache(t *testing.T) {
	real, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not installed")
	}
	cc, log := loggingCompiler(t, real)
	dir := copyModule(t, "mathy", "link_runtime = true\n")
	build := func() {
		t.Helper()
		res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, CC: map[string]string{"x64": cc}})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Output == "" {
			t.Fatalf("nothing built: %+v", res[0])
		}
	}
	build()
	first := readLog(t, log)
	for _, want := range []string{"-dumpmachine", "--print-libgcc-file-name", "--print-file-name=libm.a", "-c mathy.c"} {
		if !strings.Contains(strings.Join(first, "\n"), want) {
			t.Errorf("first build did not run %q:\n%s", want, strings.Join(first, "\n"))
		}
	}
	os.Remove(log)
	build()
	if runs := readLog(t, log); len(runs) != 0 {
		t.Errorf("up-to-date build ran the compiler:\n%s", strings.Join(runs, "\n"))
	}
	// Another compiler in the same place: new size and time.
	script, _ := os.ReadFile(cc)
	later := time.Now().Add(time.Second)
	if err := os.WriteFile(cc, append(script, "# changed\n"...), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(cc, later, later)
	build()
	if runs := strings.Join(readLog(t, log), "\n"); !strings.Contains(runs, "-dumpmachine") || !strings.Contains(runs, "--print-libgcc-file-name") {
		t.Errorf("a changed compiler was not probed again:\n%s", runs)
	}
}

// TestProbeCacheIdentity: answers are believed only for the compiler,
// environment and arguments they were given for, and a remembered library
// path that is gone is asked again.
func TestProbeCacheIdentity(t *testing.T) {
	dir := t.TempDir()
	cc := filepath.Join(dir, "cc")
	os.WriteFile(cc, []byte("one"), 0o755)
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	id1 := compilerIdentity(cc, getenv)
	path := filepath.Join(dir, "build", "probe-x64.cache")
	c := openProbeCache(path, id1)
	c.put(probeKey("gcc", "", []string{"-dumpmachine"}), "x86_64-linux-gnu\n")
	if got := openProbeCache(path, id1).answers[probeKey("gcc", "", []string{"-dumpmachine"})]; got != "x86_64-linux-gnu\n" {
		t.Errorf("same compiler: got %q", got)
	}
	if got := openProbeCache(path, id1).answers[probeKey("gcc", "", []string{"-m32", "-dumpmachine"})]; got != "" {
		t.Errorf("other arguments: got %q", got)
	}
	env["LIBRARY_PATH"] = "/opt/lib"
	if id := compilerIdentity(cc, getenv); id == id1 || len(openProbeCache(path, id).answers) != 0 {
		t.Errorf("LIBRARY_PATH does not change the identity")
	}
	delete(env, "LIBRARY_PATH")
	os.WriteFile(cc, []byte("two!"), 0o755)
	if id := compilerIdentity(cc, getenv); id == id1 || len(openProbeCache(path, id).answers) != 0 {
		t.Errorf("a new compiler file keeps the old answers")
	}
	link := filepath.Join(dir, "gcc")
	os.Symlink(cc, link)
	if id := compilerIdentity(link, getenv); id == compilerIdentity(cc, getenv) {
		t.Errorf("the symlink and its target have the same identity")
	}
	if compilerIdentity(filepath.Join(dir, "missing"), getenv) != "" {
		t.Errorf("a missing compiler has an identity")
	}
	lib := filepath.Join(dir, "libgcc.a")
	os.WriteFile(lib, nil, 0o644)
	if !exists(lib+"\n") || !exists("libm.a\n") {
		t.Errorf("valid answers refused")
	}
	os.Remove(lib)
	if exists(lib + "\n") {
		t.Errorf("a vanished library accepted")
	}
	// A corrupt file is no answer.
	os.WriteFile(path, []byte(id1+"\n\"-dumpmachine\" no tab\n"), 0o644)
	if len(openProbeCache(path, id1).answers) != 0 {
		t.Errorf("corrupt cache believed")
	}
}
