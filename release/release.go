// Package release builds a native module for many arches (and MicroPython
// versions) and lays out a publishable release: per-arch files and mip
// package.json files, a manifest, checksums and one reproducible .tar.xz.
package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mpyld/mpyld/builder"
	"github.com/mpyld/mpyld/internal/atomicfile"
	"github.com/mpyld/mpyld/internal/buildinfo"
	"github.com/mpyld/mpyld/mpy"
	"github.com/mpyld/mpyld/release/tarxz"
)

// Options are the inputs of a release.
type Options struct {
	Build   builder.Options // what to build; Arches defaults to all
	Version string          // module version; default from the project file
	Out     string          // release folder; default <module dir>/release
	// Epoch is the time stamped on archive entries (SOURCE_DATE_EPOCH).
	Epoch time.Time
}

// Entry describes one file of the release in manifest.json.
type Entry struct {
	Path          string `json:"path"`
	Arch          string `json:"arch"`
	MPYVersion    int    `json:"mpy_version"`
	MPYSubVersion int    `json:"mpy_sub_version"`
	ArchFlags     uint64 `json:"arch_flags"`
	Size          int    `json:"size"`
	SHA256        string `json:"sha256"`
	Version       string `json:"version"`     // module version
	MicroPython   string `json:"micropython"` // MicroPython tree built against
	MPYABI        string `json:"mpy_abi"`     // "6.3": what {MPY_VERSION} stands for
	Profile       string `json:"profile"`     // mpyld's version profile
}

// Manifest is manifest.json.
type Manifest struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	MicroPython string `json:"micropython"` // versions of the trees built against, comma-separated
	// Layout is the path template of the files: "{MPY_ARCH}" with one
	// MicroPython version, "{MPY_ARCH}_{MPY_VERSION}" with several.
	Layout string  `json:"layout"`
	Files  []Entry `json:"files"`
	// BuiltBy is the mpyld that built the files: version, revision, Go,
	// host ("mpyld v1.2.3 (0123456789ab) go1.26.8 linux/amd64").
	BuiltBy string `json:"built_by"`
}

// Result lists what was written.
type Result struct {
	Dir      string
	Archive  string
	Manifest Manifest
	Skipped  []builder.Result
}

// Make builds and writes the release.
func Make(ctx context.Context, opt Options) (*Result, error) {
	bo := opt.Build
	if bo.Dir == "" {
		bo.Dir = "."
	}
	if len(bo.Arches) == 0 {
		bo.Arches = []string{"all"}
	}
	proj, err := builder.LoadProject(bo.Dir)
	if err != nil {
		return nil, err
	}
	version := opt.Version
	if version == "" {
		version = proj.Version
	}
	if version == "" {
		return nil, fmt.Errorf("no version: give --version or set version in %s", builder.ProjectFile)
	}
	results, err := builder.Build(ctx, bo)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	m := Manifest{Version: version, Layout: "{MPY_ARCH}", BuiltBy: buildinfo.Get().Short()}
	files := map[string][]byte{}
	abis, trees := map[string]bool{}, map[string]bool{}
	var versions []string
	for _, r := range results {
		if r.Skipped == "" {
			abis[r.MPYABI] = true
			if mp := micropython(r); !trees[mp] {
				trees[mp] = true
				versions = append(versions, mp)
			}
		}
	}
	if len(abis) > 1 {
		m.Layout = "{MPY_ARCH}_{MPY_VERSION}"
	}
	m.MicroPython = strings.Join(versions, ", ")
	for _, r := range results {
		if r.Skipped != "" {
			res.Skipped = append(res.Skipped, r)
			continue
		}
		data, err := os.ReadFile(filepath.Join(bo.Dir, r.Output))
		if err != nil {
			return nil, err
		}
		f, err := mpy.Read(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", r.Output, err)
		}
		name := filepath.Base(r.Output)
		if m.Name == "" {
			m.Name = strings.TrimSuffix(name, ".mpy")
		}
		folder := strings.NewReplacer("{MPY_ARCH}", r.Arch, "{MPY_VERSION}", r.MPYABI).Replace(m.Layout)
		path := folder + "/" + name
		sum := sha256.Sum256(data)
		m.Files = append(m.Files, Entry{Path: path, Arch: r.Arch, MPYVersion: f.Version, MPYSubVersion: f.SubVersion,
			ArchFlags: f.ArchFlags, Size: len(data), SHA256: hex.EncodeToString(sum[:]), Version: version,
			MicroPython: micropython(r), MPYABI: r.MPYABI, Profile: r.Profile})
		files[path] = data
		pkg, err := packageJSON([][2]string{{name, name}}, version, proj.Deps)
		if err != nil {
			return nil, err
		}
		files[folder+"/package.json"] = pkg
	}
	if len(m.Files) == 0 {
		return nil, fmt.Errorf("no arch was built (no cross compiler found)")
	}
	top, err := packageJSON([][2]string{{m.Name + ".mpy", m.Layout + "/" + m.Name + ".mpy"}}, version, proj.Deps)
	if err != nil {
		return nil, err
	}
	files["package.json"] = top
	man, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	files["manifest.json"] = append(man, '\n')
	files["SHA256SUMS"] = sha256sums(files)
	out := opt.Out
	if out == "" {
		out = filepath.Join(bo.Dir, "release")
	}
	prefix := m.Name + "-" + version
	var entries []tarxz.File
	dirs := map[string]bool{prefix + "/": true}
	for p, data := range files {
		full := filepath.Join(out, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, err
		}
		if err := atomicfile.Write(full, data, 0o644); err != nil {
			return nil, err
		}
		entries = append(entries, tarxz.File{Name: prefix + "/" + p, Data: data})
		if d := filepath.Dir(p); d != "." {
			dirs[prefix+"/"+d+"/"] = true
		}
	}
	for d := range dirs {
		entries = append(entries, tarxz.File{Name: d})
	}
	archive, err := tarxz.Write(entries, opt.Epoch)
	if err != nil {
		return nil, err
	}
	res.Archive = filepath.Join(out, prefix+".tar.xz")
	if err := atomicfile.Write(res.Archive, archive, 0o644); err != nil {
		return nil, err
	}
	res.Dir, res.Manifest = out, m
	return res, nil
}

// packageJSON is a mip package file: urls as [destination, source] pairs,
// the source relative to the package file.
func packageJSON(urls [][2]string, version string, deps []string) ([]byte, error) {
	type pkg struct {
		URLs    [][2]string `json:"urls"`
		Deps    [][2]string `json:"deps"`
		Version string      `json:"version"`
	}
	p := pkg{URLs: urls, Deps: [][2]string{}, Version: version}
	for _, d := range deps {
		name, ver, _ := strings.Cut(d, "@")
		if ver == "" {
			ver = "latest"
		}
		p.Deps = append(p.Deps, [2]string{name, ver})
	}
	b, err := json.MarshalIndent(p, "", "  ")
	return append(b, '\n'), err
}

func sha256sums(files map[string][]byte) []byte {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		s := sha256.Sum256(files[n])
		fmt.Fprintf(&b, "%x  %s\n", s, n)
	}
	return []byte(b.String())
}

// micropython names the MicroPython a build was for: its version, or its
// .mpy ABI when no tree said which release.
func micropython(r builder.Result) string {
	if r.MicroPython != "" {
		return strings.TrimPrefix(r.MicroPython, "v")
	}
	return "unknown (.mpy " + r.MPYABI + ")"
}
