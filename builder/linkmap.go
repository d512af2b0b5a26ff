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

// extraCFlags are the flags the size options add ahead of CFLAGS_EXTRA,
// which can still override them.
func (b *builder) extraCFlags(m *module) []string {
	var f []string
	if m.gcSections {
		f = append(f, "-ffunction-sections", "-fdata-sections")
	}
	if b.opt.Debug {
		f = append(f, "-g")
	}
	return f
}

// linked logs the sizes of a link and writes its map (with Options.Map),
// returning the map's path relative to the module folder.
func (b *builder) linked(m *module, cfg *linker.Config, res *linker.Result) (string, error) {
	var dropped uint64
	for _, d := range res.Report.Dropped {
		dropped += d.Size
	}
	gc := ""
	if cfg.GCSections {
		gc = fmt.Sprintf("; --gc-sections dropped %d sections, %d bytes", len(res.Report.Dropped), dropped)
	}
	b.logf("%s: SIZE text %d, rodata %d, bss %d bytes, %d GOT entries%s", m.arch.Name, res.TextSize, res.RodataSize, res.BSSSize, res.GOTEntries, gc)
	if !b.opt.Map {
		return "", nil
	}
	path := filepath.Join(m.buildDir, m.name+".map")
	lm := linkmap.New(filepath.ToSlash(m.output), m.arch.Name, cfg.GCSections, res)
	// Object paths are relative to the module folder.
	if rel, err := filepath.Rel(m.buildDir, "."); err == nil {
		lm.Base = filepath.ToSlash(rel)
	}
	data, err := lm.Encode(path)
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(b.opt.Dir, path), data, 0o644); err != nil {
		return "", err
	}
	b.logf("%s: MAP %s", m.arch.Name, path)
	return path, nil
}
