package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/buildinfo"
	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
)

// buildBinaries builds mpyld and an empty Go program into dir with the go
// command on PATH, for whole-process benchmarks: static binaries
// (CGO_ENABLED=0) with mpyld's build tags, as the README's install command
// and the release build make mpyld.
func buildBinaries(b *testing.B, dir string) (mpyld, empty string) {
	b.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command to build the binaries with")
	}
	mpyld, empty = filepath.Join(dir, "mpyld"), filepath.Join(dir, "empty")
	src := filepath.Join(dir, "emptysrc")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module empty\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	for _, c := range []*exec.Cmd{
		exec.Command(gocmd, "build", "-tags="+buildinfo.Tags, "-o", mpyld, "."),
		exec.Command(gocmd, "build", "-o", empty, "."),
	} {
		if c.Args[len(c.Args)-2] == empty {
			c.Dir = src
		}
		c.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", strings.Join(c.Args, " "), err, out)
		}
	}
	return mpyld, empty
}

// benchProcess runs the empty program and then cmd, in dir, once per
// iteration, and reports the medians of both and of their difference in
// milliseconds: run next to each other, the two see the same machine load.
// before and after, if set, run untimed around each timed run of cmd.
func benchProcess(b *testing.B, dir, empty string, cmd []string, before, after func(), env ...string) {
	b.Helper()
	run := func(argv []string) time.Duration {
		c := exec.Command(argv[0], argv[1:]...)
		c.Dir = dir
		c.Env = append(os.Environ(), env...)
		start := time.Now()
		out, err := c.CombinedOutput()
		d := time.Since(start)
		if err != nil {
			b.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
		return d
	}
	run(cmd) // once untimed: caches, and the output file exists
	var base, took, over []float64
	for b.Loop() {
		if before != nil {
			b.StopTimer()
			before()
			b.StartTimer()
		}
		e := run([]string{empty})
		t := run(cmd)
		if after != nil {
			b.StopTimer()
			after()
			b.StartTimer()
		}
		base = append(base, ms(e))
		took = append(took, ms(t))
		over = append(over, ms(t-e))
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(median(took), "ms")
	b.ReportMetric(median(base), "empty-ms")
	b.ReportMetric(median(over), "over-empty-ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// copyFiles copies files from the golden case folder src into dst.
func copyFiles(b *testing.B, src, dst string, names ...string) {
	b.Helper()
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, n), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcess measures whole mpyld processes against an empty Go
// program built in the same run (README "Speed").
//
//	link: mpyld link of the armv6m hello module, its output removed before
//	  each run
//	relink: the same, over the output of the run before (same bytes)
//	link-mpydir: relink with MPY_DIR set (the tree's version from the cache
//	  after the first run)
//	link-make: the same as make MPY_LD=mpyld runs it: mpy_ld.py's flags,
//	  without a command
//	mathy-objects, mathy-archives: the armv6m mathy module linked with the
//	  archive members it needs given as objects, and with -l libgcc.a -l libm.a
//	build-hello, build-mathy: mpyld build of an up-to-date module for every
//	  arch with a compiler (mathy links libgcc and libm: not for xtensa, whose
//	  libgcc leaves 64-bit division to the ESP8266 ROM)
//	deploy-known, deploy-new, deploy-first: mpyld deploy to the stand-in
//	  mpremote: a board seen before with the file on it; the same with the
//	  file missing; a board not seen before (sessions: mpremote runs)
func BenchmarkProcess(b *testing.B) {
	tmp := b.TempDir()
	mpyld, empty := buildBinaries(b, tmp)
	g := testutil.Golden()

	hello := filepath.Join(tmp, "hello")
	os.MkdirAll(hello, 0o755)
	copyFiles(b, filepath.Join(g, "armv6m", "hello"), hello, "hello.o", "hello.config.h")
	link := []string{mpyld, "link", "--arch", "armv6m", "--qstrs", "hello.config.h", "-o", "hello.mpy", "hello.o"}
	b.Run("link", func(b *testing.B) {
		benchProcess(b, hello, empty, link, func() { os.Remove(filepath.Join(hello, "hello.mpy")) }, nil, "MPY_DIR=")
	})
	b.Run("relink", func(b *testing.B) {
		benchProcess(b, hello, empty, link, nil, nil, "MPY_DIR=")
	})
	b.Run("link-mpydir", func(b *testing.B) {
		mpyDir := os.Getenv("MPY_DIR")
		if mpyDir == "" {
			b.Skip("MPY_DIR not set: no MicroPython tree")
		}
		benchProcess(b, hello, empty, link, nil, nil, "MPY_DIR="+mpyDir, "XDG_CACHE_HOME="+filepath.Join(tmp, "cache"))
	})
	b.Run("link-make", func(b *testing.B) {
		mpyDir := os.Getenv("MPY_DIR")
		if mpyDir == "" {
			b.Skip("MPY_DIR not set: no MicroPython tree")
		}
		make := []string{mpyld, "--arch", "armv6m", "--qstrs", "hello.config.h", "-o", "hello.mpy", "hello.o"}
		benchProcess(b, hello, empty, make, nil, nil, "MPY_DIR="+mpyDir, "XDG_CACHE_HOME="+filepath.Join(tmp, "cache"))
	})

	mathy := filepath.Join(tmp, "mathy")
	os.MkdirAll(mathy, 0o755)
	copyFiles(b, filepath.Join(g, "armv6m", "mathy"), mathy, "mathy.o", "mathy.config.h", "members.txt")
	b.Run("mathy-archives", func(b *testing.B) {
		args := []string{mpyld, "link", "--arch", "armv6m", "--qstrs", "mathy.config.h", "-o", "mathy.mpy"}
		for _, l := range mathyLibs(b) {
			args = append(args, "-l", l)
		}
		benchProcess(b, mathy, empty, append(args, "mathy.o"), nil, nil)
	})
	b.Run("mathy-objects", func(b *testing.B) {
		args := []string{mpyld, "link", "--arch", "armv6m", "--qstrs", "mathy.config.h", "-o", "mathy.mpy", "mathy.o"}
		benchProcess(b, mathy, empty, append(args, mathyMembers(b, mathy)...), nil, nil)
	})

	for _, mod := range []struct{ name, extra, arches string }{
		{"hello", "", "all"},
		{"mathy", "link_runtime = true\n", "x86,x64,armv6m,armv7m,armv7emsp,armv7emdp,rv32imc,rv64imc"},
	} {
		b.Run("build-"+mod.name, func(b *testing.B) {
			dir := corpusModule(b, filepath.Join(tmp, "build"), mod.name, mod.extra)
			benchProcess(b, dir, empty, []string{mpyld, "build", "--arch", mod.arches}, nil, nil)
		})
	}

	deploy := filepath.Join(tmp, "deploy")
	os.MkdirAll(filepath.Join(deploy, "board"), 0o755)
	for _, a := range []string{"armv6m", "armv7emsp"} {
		os.MkdirAll(filepath.Join(deploy, "dist", a), 0o755)
		copyFiles(b, filepath.Join(g, a, "hello"), filepath.Join(deploy, "dist", a), "hello.mpy")
	}
	for _, c := range []struct {
		name   string
		before func()
	}{
		{"deploy-known", nil},
		{"deploy-new", func() { os.Remove(filepath.Join(deploy, "board", "lib", "hello.mpy")) }},
		{"deploy-first", func() { os.Remove(filepath.Join(deploy, "build", "deploy-boards")) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			if _, err := os.Stat("/usr/bin/python3"); err != nil {
				b.Skip("the stand-in mpremote runs with /usr/bin/python3")
			}
			log := filepath.Join(deploy, "log")
			sessions := 0
			count := func() {
				data, _ := os.ReadFile(log)
				sessions += strings.Count(string(data), "\n")
				os.Remove(log)
			}
			os.Remove(log)
			mpremote, _ := filepath.Abs(filepath.Join("testdata", "mpremote"))
			cmd := []string{mpyld, "deploy", "--name", "hello", "--mpremote", mpremote, "--port", "/dev/ttyACM0"}
			benchProcess(b, deploy, empty, cmd, func() {
				if c.before != nil {
					c.before()
				}
				os.Remove(log) // what the untimed first run logged
			}, count, "FAKE_MPY=8966", "FAKE_FS="+filepath.Join(deploy, "board"), "FAKE_LOG="+log)
			b.ReportMetric(float64(sessions)/float64(b.N), "sessions")
		})
	}
}

// corpusModule copies a corpus module and its header into parent, with a
// project file, builds it once for every arch and returns its folder.
func corpusModule(b *testing.B, parent, name, extra string) string {
	corpus := filepath.Join(testutil.Root(), "testdata", "corpus")
	for _, d := range []string{name, "include"} {
		if err := os.CopyFS(filepath.Join(parent, d), os.DirFS(filepath.Join(corpus, d))); err != nil && !os.IsExist(err) {
			b.Fatal(err)
		}
	}
	dir := filepath.Join(parent, name)
	toml := "name = \"" + name + "\"\nsources = [\"" + name + ".c\"]\ncflags = \"-I../include\"\n" + extra
	if err := os.WriteFile(filepath.Join(dir, "mpyld.toml"), []byte(toml), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// mathyLibs finds the armv6m libgcc.a and libm.a, or skips.
func mathyLibs(b *testing.B) []string {
	a, err := linker.LookupArch("armv6m")
	if err != nil {
		b.Fatal(err)
	}
	return []string{
		testutil.Lib(b, a.CrossPrefix+"gcc", a.CFlags, "<libgcc.a>"),
		testutil.Lib(b, a.CrossPrefix+"gcc", a.CFlags, "<libm.a>"),
	}
}

// mathyMembers writes the archive members that the mathy link pulls
// (members.txt, in pull order) into dir as objects and returns their names.
func mathyMembers(b *testing.B, dir string) []string {
	list, err := os.ReadFile(filepath.Join(dir, "members.txt"))
	if err != nil {
		b.Fatal(err)
	}
	archives := map[string]*elfobj.Archive{}
	for _, l := range mathyLibs(b) {
		data, err := os.ReadFile(l)
		if err != nil {
			b.Fatal(err)
		}
		if archives[filepath.Base(l)], err = elfobj.ReadArchive(l, data); err != nil {
			b.Fatal(err)
		}
	}
	var names []string
	for _, line := range strings.Fields(string(list)) {
		lib, member, _ := strings.Cut(line, ":")
		ar := archives[lib]
		if ar == nil {
			b.Fatalf("members.txt names %s", lib)
		}
		i := slices.IndexFunc(ar.Members, func(m elfobj.Member) bool { return m.Name == member })
		if i < 0 {
			b.Fatalf("%s has no member %s", lib, member)
		}
		name := lib + "_" + member
		if err := os.WriteFile(filepath.Join(dir, name), ar.Members[i].Data, 0o644); err != nil {
			b.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}
