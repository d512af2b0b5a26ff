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
	return f
}

// writeMap logs the sizes of the link and writes its map (with
// Options.Map), returning the map's path relative to the module folder.
func (j *archBuild) writeMap(cfg *linker.Config) (string, error) {
	res := j.linked
	var dropped, data uint64
	for _, d := range res.Report.Dropped {
		dropped += d.Size
	}
	for _, v := range res.Data {
		data += v.FileBytes
	}
	more := ""
	if len(res.Data) > 0 {
		more = fmt.Sprintf("; %d variables, %d bytes of them in the file", len(res.Data), data)
	}
	if cfg.GCSections {
		more += fmt.Sprintf("; --gc-sections dropped %d sections, %d bytes", len(res.Report.Dropped), dropped)
	}
	j.logf("%s: SIZE text %d, rodata %d, bss %d bytes, %d GOT entries%s", j.arch.Name, res.TextSize, res.RodataSize, res.BSSSize, res.GOTEntries, more)
	for _, v := range res.Data {
		j.logf("%s: DATA %s (%s) %d bytes in %s, %d bytes in the file", j.arch.Name, v.Name, v.Section, v.Size, v.Buffer, v.FileBytes)
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
	if err := atomicfile.Write(filepath.Join(j.dir, path), encoded, 0o644); err != nil {
		return "", err
	}
	j.logf("%s: MAP %s", j.arch.Name, path)
	return path, nil
}
