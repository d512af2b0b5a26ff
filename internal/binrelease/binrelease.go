// Package binrelease builds mpyld's own release: static binaries for each
// platform, stamped with the version and revision, in reproducible
// archives with the README and license, and a SHA256SUMS file.
package binrelease

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mpyld/mpyld/internal/atomicfile"
	"github.com/mpyld/mpyld/internal/buildinfo"
)

// Platform is one GOOS/GOARCH a release is built for.
type Platform struct{ OS, Arch string }

func (p Platform) String() string { return p.OS + "/" + p.Arch }

// Platforms are the platforms of a release.
var Platforms = []Platform{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}}

// stamp is the package whose variables -X sets.
const stamp = "github.com/mpyld/mpyld/internal/buildinfo"

// Options are the inputs of a release.
type Options struct {
	Root      string // the module's root folder (go.mod)
	Out       string // where the archives and SHA256SUMS go
	Version   string // "v1.2.3"
	Revision  string // VCS revision, stamped as is
	Dirty     bool   // the tree had uncommitted changes
	Platforms []Platform
	// Epoch is the time of every archive entry (SOURCE_DATE_EPOCH).
	Epoch time.Time
	Go    string   // the go command; default "go" on PATH
	Env   []string // the environment of go build; default os.Environ()
	Logf  func(format string, args ...any)
}

// Result lists what was written.
type Result struct {
	Archives []string // paths, in Platforms order
	Sums     string   // the SHA256SUMS path
}

// Make builds every platform and writes the archives and SHA256SUMS.
func Make(ctx context.Context, opt Options) (*Result, error) {
	if opt.Version == "" {
		return nil, fmt.Errorf("no version: give one (v1.2.3)")
	}
	if strings.ContainsAny(opt.Version, " /\\") {
		return nil, fmt.Errorf("version %q: no spaces or slashes", opt.Version)
	}
	if len(opt.Platforms) == 0 {
		opt.Platforms = Platforms
	}
	if opt.Go == "" {
		opt.Go = "go"
	}
	if opt.Env == nil {
		opt.Env = os.Environ()
	}
	docs, err := docFiles(opt.Root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "mpyld-release-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	res := &Result{}
	sums := map[string][]byte{}
	for _, p := range opt.Platforms {
		exe := "mpyld"
		if p.OS == "windows" {
			exe += ".exe"
		}
		bin := filepath.Join(tmp, p.OS+"-"+p.Arch, exe)
		if err := opt.build(ctx, p, bin); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return nil, err
		}
		dir := "mpyld-" + opt.Version + "-" + p.OS + "-" + p.Arch
		files := []File{{Name: dir + "/" + exe, Data: data, Mode: 0o755}}
		for _, d := range docs {
			files = append(files, File{Name: dir + "/" + d.Name, Data: d.Data, Mode: 0o644})
		}
		var archive []byte
		name := dir + ".tar.gz"
		if p.OS == "windows" {
			name = dir + ".zip"
			archive, err = Zip(files, opt.Epoch)
		} else {
			archive, err = TarGz(files, opt.Epoch)
		}
		if err != nil {
			return nil, err
		}
		path := filepath.Join(opt.Out, name)
		if err := atomicfile.Write(path, archive, 0o644); err != nil {
			return nil, err
		}
		sums[name] = archive
		res.Archives = append(res.Archives, path)
		opt.logf("%s: %s (%d bytes)", p, path, len(archive))
	}
	res.Sums = filepath.Join(opt.Out, "SHA256SUMS")
	if err := atomicfile.Write(res.Sums, sha256sums(sums), 0o644); err != nil {
		return nil, err
	}
	return res, nil
}

func (opt Options) logf(format string, args ...any) {
	if opt.Logf != nil {
		opt.Logf(format, args...)
	}
}

// build runs go build for one platform: no cgo (a static binary), no file
// paths (-trimpath), no build ID, no VCS stamping (the revision is given
// with -X instead, as Go's own stamping needs a plain git checkout), and
// the default microarchitecture levels, so that the same source, Go version
// and options give the same bytes anywhere.
func (opt Options) build(ctx context.Context, p Platform, out string) error {
	dirty := "false"
	if opt.Dirty {
		dirty = "true"
	}
	ldflags := fmt.Sprintf("-s -w -buildid= -X %s.version=%s -X %s.revision=%s -X %s.dirty=%s", stamp, opt.Version, stamp, opt.Revision, stamp, dirty)
	args := []string{"build", "-trimpath", "-buildvcs=false", "-tags=" + buildinfo.Tags, "-ldflags=" + ldflags, "-o", out, "./cmd/mpyld"}
	cmd := exec.CommandContext(ctx, opt.Go, args...)
	cmd.Dir = opt.Root
	cmd.Env = append(append([]string(nil), opt.Env...), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch,
		"GOAMD64=v1", "GOARM64=v8.0", "GOFLAGS=-mod=readonly", "GOEXPERIMENT=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	opt.logf("%s: go %s", p, strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s: %v\n%s", p, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// docFiles are the files every archive carries: README.md and the license
// (LICENSE, LICENSE.md, LICENSE.txt or COPYING). A release without its
// license is refused: nobody could redistribute the binaries.
func docFiles(root string) ([]File, error) {
	var out []File
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		return nil, fmt.Errorf("README.md: %v", err)
	}
	out = append(out, File{Name: "README.md", Data: readme})
	for _, n := range []string{"LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING"} {
		if data, err := os.ReadFile(filepath.Join(root, n)); err == nil {
			return append(out, File{Name: n, Data: data}), nil
		}
	}
	return nil, fmt.Errorf("%s has no LICENSE (or LICENSE.md, LICENSE.txt, COPYING): the archives must carry the license; add one", root)
}

func sha256sums(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&b, "%x  %s\n", sha256.Sum256(files[n]), n)
	}
	return b.Bytes()
}
