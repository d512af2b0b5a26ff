package binrelease

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpyld/mpyld/internal/testutil"
)

// TestReproducible builds the release twice, the second time from a copy of
// the source at another path, and compares the archives and SHA256SUMS byte
// for byte; then checks what the archives hold and that the linux/amd64
// binary says the stamped version. Slow the first time (go builds the
// standard library for each platform): skipped under -short.
func TestReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mpyld for five platforms twice")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	root := testutil.Root()
	copyRoot := filepath.Join(t.TempDir(), "elsewhere", "mpyld")
	if err := copySource(root, copyRoot); err != nil {
		t.Fatal(err)
	}
	epoch := time.Unix(1700000000, 0)
	var results []*Result
	for i, r := range []string{root, copyRoot} {
		opt := Options{Root: r, Out: filepath.Join(t.TempDir(), "dist"), Version: "v9.8.7", Revision: "0123456789abcdef", Epoch: epoch, Go: gocmd}
		res, err := Make(context.Background(), opt)
		if err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		results = append(results, res)
	}
	a, b := results[0], results[1]
	for i := range a.Archives {
		x, _ := os.ReadFile(a.Archives[i])
		y, _ := os.ReadFile(b.Archives[i])
		if filepath.Base(a.Archives[i]) != filepath.Base(b.Archives[i]) || !bytes.Equal(x, y) {
			t.Errorf("%s differs between the two builds", filepath.Base(a.Archives[i]))
		}
	}
	x, _ := os.ReadFile(a.Sums)
	y, _ := os.ReadFile(b.Sums)
	if !bytes.Equal(x, y) || strings.Count(string(x), "\n") != len(Platforms) {
		t.Errorf("SHA256SUMS differ or miss archives:\n%s\n%s", x, y)
	}
	names := map[string]bool{}
	for _, p := range a.Archives {
		names[filepath.Base(p)] = true
	}
	for _, want := range []string{"mpyld-v9.8.7-linux-amd64.tar.gz", "mpyld-v9.8.7-linux-arm64.tar.gz", "mpyld-v9.8.7-darwin-amd64.tar.gz",
		"mpyld-v9.8.7-darwin-arm64.tar.gz", "mpyld-v9.8.7-windows-amd64.zip"} {
		if !names[want] {
			t.Errorf("no %s in %v", want, names)
		}
	}
	// The linux/amd64 binary, where this test runs on it, says its version.
	bin := extractTarGz(t, a.Archives[0], "mpyld-v9.8.7-linux-amd64/mpyld")
	if exe := filepath.Join(t.TempDir(), "mpyld"); os.WriteFile(exe, bin, 0o755) == nil {
		if out, err := exec.Command(exe, "--version").Output(); err == nil {
			if !strings.HasPrefix(string(out), "mpyld v9.8.7 (0123456789ab) go") {
				t.Errorf("--version: %q", out)
			}
		} else {
			t.Logf("cannot run the linux/amd64 binary here: %v", err)
		}
	}
	zr, err := zip.OpenReader(a.Archives[len(a.Archives)-1])
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var zipNames []string
	for _, f := range zr.File {
		zipNames = append(zipNames, f.Name)
		if !f.Modified.Equal(epoch) {
			t.Errorf("%s: time %v, want %v", f.Name, f.Modified, epoch)
		}
	}
	if got := strings.Join(zipNames, " "); got != "mpyld-v9.8.7-windows-amd64/LICENSE mpyld-v9.8.7-windows-amd64/README.md mpyld-v9.8.7-windows-amd64/mpyld.exe" {
		t.Errorf("zip holds %s", got)
	}
}

// TestArchives: the same files in another order give the same bytes; the
// entries are sorted, timed and owned as promised.
func TestArchives(t *testing.T) {
	files := []File{{Name: "d/mpyld", Data: []byte("binary"), Mode: 0o755}, {Name: "d/README.md", Data: []byte("# mpyld\n"), Mode: 0o644}}
	rev := []File{files[1], files[0]}
	epoch := time.Unix(1700000000, 0)
	for name, f := range map[string]func([]File, time.Time) ([]byte, error){"tar.gz": TarGz, "zip": Zip} {
		x, err := f(files, epoch)
		if err != nil {
			t.Fatal(err)
		}
		y, _ := f(rev, epoch)
		if !bytes.Equal(x, y) {
			t.Errorf("%s: order of the files changes the bytes", name)
		}
		if _, err := f(append(files, files[0]), epoch); err == nil {
			t.Errorf("%s: duplicate entry accepted", name)
		}
	}
	data, _ := TarGz(files, epoch)
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, time %v", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h.Name)
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" {
			t.Errorf("%s: time %v, owner %d/%d %q", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname)
		}
		if h.Name == "d/mpyld" && h.Mode != 0o755 {
			t.Errorf("binary mode %o", h.Mode)
		}
	}
	if strings.Join(got, " ") != "d/README.md d/mpyld" {
		t.Errorf("entries %v", got)
	}
}

func extractTarGz(t *testing.T, path, name string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s: no %s: %v", path, name, err)
		}
		if h.Name == name {
			b, _ := io.ReadAll(tr)
			return b
		}
	}
}

// copySource copies the module's source to dst: everything but .git and
// testdata folders.
func copySource(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

// TestNoLicenseRefused: a source tree without a license gets no release,
// and nothing is written.
func TestNoLicenseRefused(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "README.md"), []byte("# mpyld\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "dist")
	_, err := Make(context.Background(), Options{Root: root, Out: out, Version: "v1.0.0", Go: "go"})
	if err == nil || !strings.Contains(err.Error(), "no LICENSE") || !strings.Contains(err.Error(), "add one") {
		t.Errorf("error %v, want one saying there is no LICENSE and to add one", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s written", out)
	}
	docs, err := docFiles(testutil.Root())
	if err != nil || len(docs) != 2 || docs[1].Name != "LICENSE" {
		t.Errorf("the repository's archive files: %v, %v; want README.md and LICENSE", docs, err)
	}
}
