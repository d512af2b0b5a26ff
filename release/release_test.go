package release

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpyld/mpyld/builder"
	"github.com/mpyld/mpyld/internal/testutil"
)

// example copies the bundled example module and its header into a new folder.
func example(t *testing.T) string {
	root := t.TempDir()
	td := filepath.Join(testutil.Root(), "testdata")
	if err := os.CopyFS(filepath.Join(root, "example", "hello"), os.DirFS(filepath.Join(td, "example", "hello"))); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(root, "corpus", "include"), os.DirFS(filepath.Join(td, "corpus", "include"))); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "example", "hello")
}

func TestRelease(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	arches := []string{"x64"}
	for _, cc := range []string{"arm-none-eabi-gcc", "riscv64-unknown-elf-gcc"} {
		if _, err := exec.LookPath(cc); err == nil {
			arches = append(arches, map[string]string{"arm-none-eabi-gcc": "armv6m,armv7emsp", "riscv64-unknown-elf-gcc": "rv32imc"}[cc])
		}
	}
	var sums []string
	for run := 0; run < 2; run++ {
		dir := example(t)
		res, err := Make(context.Background(), Options{Build: builder.Options{Dir: dir, Arches: arches}, Epoch: time.Unix(0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "release")
		if res.Archive != filepath.Join(out, "hello-0.1.0.tar.xz") {
			t.Errorf("archive %s", res.Archive)
		}
		a, _ := os.ReadFile(res.Archive)
		s := sha256.Sum256(a)
		sums = append(sums, hex.EncodeToString(s[:]))

		var man Manifest
		readJSON(t, filepath.Join(out, "manifest.json"), &man)
		if man.Name != "hello" || man.Version != "0.1.0" || man.MicroPython != "1.28.0" || man.Layout != "{MPY_ARCH}" || len(man.Files) != len(strings.Split(strings.Join(arches, ","), ",")) {
			t.Fatalf("manifest %+v", man)
		}
		sumsFile, _ := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
		for _, e := range man.Files {
			data, err := os.ReadFile(filepath.Join(out, e.Path))
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.Sum256(data)
			if e.SHA256 != hex.EncodeToString(h[:]) || e.Size != len(data) || e.MPYVersion != 6 || e.MPYSubVersion != 3 || e.Path != e.Arch+"/hello.mpy" {
				t.Errorf("manifest entry %+v does not describe its file", e)
			}
			if !strings.Contains(string(sumsFile), e.SHA256+"  "+e.Path+"\n") {
				t.Errorf("SHA256SUMS lacks %s", e.Path)
			}
			var pkg struct {
				URLs    [][2]string `json:"urls"`
				Version string      `json:"version"`
			}
			readJSON(t, filepath.Join(out, e.Arch, "package.json"), &pkg)
			if len(pkg.URLs) != 1 || pkg.URLs[0] != [2]string{"hello.mpy", "hello.mpy"} || pkg.Version != "0.1.0" {
				t.Errorf("%s/package.json: %+v", e.Arch, pkg)
			}
		}
		top, _ := os.ReadFile(filepath.Join(out, "package.json"))
		if !bytes.Contains(top, []byte(`"{MPY_ARCH}/hello.mpy"`)) {
			t.Errorf("top package.json: %s", top)
		}
	}
	if sums[0] != sums[1] {
		t.Errorf("two releases from two folders differ: %s, %s", sums[0], sums[1])
	}
}

// TestReleaseVersions releases the example for two MicroPython versions
// (the small trees of testdata/trees): each file goes to
// <arch>_<X.Y>/, the top package.json points at {MPY_ARCH}_{MPY_VERSION},
// and the manifest says which MicroPython and ABI each file is for.
func TestReleaseVersions(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	dir := example(t)
	trees := filepath.Join(testutil.Root(), "testdata", "trees")
	res, err := Make(context.Background(), Options{Build: builder.Options{Dir: dir, Arches: []string{"x64"},
		MPYDirs: []string{filepath.Join(trees, "v1.22.2"), filepath.Join(trees, "v1.28.0")}}, Epoch: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "release")
	var man Manifest
	readJSON(t, filepath.Join(out, "manifest.json"), &man)
	if man.Layout != "{MPY_ARCH}_{MPY_VERSION}" || man.MicroPython != "1.22.2, 1.28.0" || len(man.Files) != 2 || res.Dir != out {
		t.Fatalf("manifest %+v", man)
	}
	for _, e := range man.Files {
		want := map[string]int{"6.2": 2, "6.3": 3}[e.MPYABI]
		if e.Path != "x64_"+e.MPYABI+"/hello.mpy" || e.MPYSubVersion != want || e.MicroPython != map[string]string{"6.2": "1.22.2", "6.3": "1.28.0"}[e.MPYABI] {
			t.Errorf("entry %+v", e)
		}
		if _, err := os.Stat(filepath.Join(out, "x64_"+e.MPYABI, "package.json")); err != nil {
			t.Error(err)
		}
	}
	top, _ := os.ReadFile(filepath.Join(out, "package.json"))
	if !bytes.Contains(top, []byte(`"{MPY_ARCH}_{MPY_VERSION}/hello.mpy"`)) {
		t.Errorf("top package.json: %s", top)
	}
}

func readJSON(t *testing.T, path string, v any) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestNoVersion(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mpyld.toml"), []byte("name = \"m\"\n"), 0o644)
	if _, err := Make(context.Background(), Options{Build: builder.Options{Dir: dir}}); err == nil || !strings.Contains(err.Error(), "no version") {
		t.Errorf("got %v", err)
	}
}
