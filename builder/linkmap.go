// This file implements the build's size options: the compiler flags of
// --gc-sections and --debug, the link map and the -v size line.

package builder

import (
	"fmt"
	"path/filepath"

	"github.com/mpyld/mpyld/internal/atomicfile"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/linkmap"
)

// gcSections reports whether the build links with --gc-sections: the flag,
// else gc_sections in the project file.
func (j *archBuild) gcSections() bool {
	if j.opt.GCSections != nil {
		return *j.opt.GCSections
	}
	if j.proj.GCSections != nil {
		return *j.proj.GCSections
	}
	// A core/user C module links only what it uses of the support layer.
	return j.mod != nil && j.mod.usermod != nil
}

// sizeCFlags are the flags the size options add ahead of CFLAGS_EXTRA,
// which can still override them.
func (j *archBuild) sizeCFlags() []string {
	var f []string
	if j.gcSections() {
		f = append(f, "-ffunction-sections", "-fdata-sections")
	}
	if j.opt.Debug {
		f = append(f, "-g")
	}
	if j.largeData {
		f = append(f, largeDataFlags...)
	}
	return f
}

// writeMap logs the sizes of the link and writes its map (with
// Options.Map), returning the map's path relative to the module folder.
func (j *archBuild) writeMap(cfg *linker.Config) (string, error) {
	res := j.linked
	vars := res.Variables()
	var dropped, data uint64
	for _, d := range res.Dropped {
		dropped += d.Size
	}
	for _, v := range vars {
		data += v.FileBytes
	}
	more := ""
	if len(vars) > 0 {
		more = fmt.Sprintf("; %d variables, %d bytes of them in the file", len(vars), data)
	}
	if cfg.GCSections {
		more += fmt.Sprintf("; --gc-sections dropped %d sections, %d bytes", len(res.Dropped), dropped)
	}
	j.logf("%s: SIZE text %d, rodata %d, bss %d bytes, %d GOT entries%s", j.arch.Name, res.TextSize, res.RodataSize, res.BSSSize, res.GOTEntries, more)
	for _, v := range vars {
		j.logf("%s: DATA %s (%s) %d bytes in %s, %d bytes in the file%s", j.arch.Name, v.Name, v.Section, v.Size, v.Buffer, v.FileBytes, v.UnscannedNote())
		if v.Unscanned != "" {
			j.res.Unscanned = append(j.res.Unscanned, Unscanned{Variable: v.Name, Object: v.Object, Ports: v.Unscanned})
		}
	}
	if !j.opt.Map {
		return "", nil
	}
	path := filepath.Join(j.out.buildDir, j.mod.name+".map")
	lm := linkmap.New(filepath.ToSlash(j.out.output), j.arch.Name, cfg.GCSections, res)
	// Object paths are relative to the module folder.
	if rel, err := filepath.Rel(j.out.buildDir, "."); err == nil {
		lm.Base = filepath.ToSlash(rel)
	}
	encoded, err := lm.Encode(path)
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(inDir(j.dir, path), encoded, 0o644); err != nil {
		return "", err
	}
	j.logf("%s: MAP %s", j.arch.Name, path)
	return path, nil
}
