// This file implements building for the MicroPython versions asked for: the
// trees given (each one's version decides its .mpy ABI and linker
// profile), and where each version's outputs go.

package builder

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/mpyld/mpyld/linker"
)

// variant is one MicroPython tree the module is built for.
type variant struct {
	tree string // MPY_DIR given for this variant; "" to take the module's own
	// tag names the variant's folders when several are built: "6.2" in
	// dist/<arch>_6.2/; "" with one tree.
	tag string
}

// trees lists the variants: each --mpy-dir (or micropython tree in the
// project file) when there are several, else one that takes MPY_DIR as the
// module says it. Two trees of one ABI would write the same folders: one
// serves both, so that is refused.
func (b *builder) trees() ([]variant, error) {
	dirs := b.opt.MPYDirs
	if len(dirs) == 0 {
		for _, d := range b.proj.MicroPython {
			dirs = append(dirs, inDir(b.opt.Dir, d))
		}
	}
	if len(dirs) <= 1 {
		v := variant{}
		if len(dirs) == 1 {
			v.tree = dirs[0]
		}
		return []variant{v}, nil
	}
	var out []variant
	seen := map[string]string{}
	for _, d := range dirs {
		t, err := linker.TreeTarget(inDir(b.opt.Dir, d))
		if err != nil {
			return nil, err
		}
		if prev, ok := seen[t.ABI()]; ok {
			return nil, fmt.Errorf("%s and %s are both MicroPython for .mpy %s (%s): a module built for one loads on the other, so give one of them", prev, d, t.ABI(), t)
		}
		seen[t.ABI()] = d
		out = append(out, variant{tree: d, tag: t.ABI()})
	}
	return out, nil
}

// targetFor finds the target of a build against the tree mpyDir (relative
// to the module folder): the tree's version; without a tree,
// Options.MicroPython or v1.28. A folder that is not a MicroPython tree
// (stand-in headers) builds for the default, said with -v.
func (b *builder) targetFor(mpyDir string) (linker.Target, error) {
	if mpyDir != "" {
		t, err := linker.TreeTarget(inDir(b.opt.Dir, mpyDir))
		if !errors.Is(err, linker.ErrNotTree) {
			return t, err
		}
		b.logf("%s: not a MicroPython tree (no py/mpconfig.h): building for the default target", mpyDir)
	}
	if b.opt.MicroPython != "" {
		return linker.ParseMicroPython(b.opt.MicroPython)
	}
	return linker.DefaultTarget, nil
}

// versionedLayout places one arch of one of several versions: build folders
// and dist/<arch>_<X.Y>/<name>.mpy, the layout mip's {MPY_ARCH}_{MPY_VERSION}
// URL templates expect.
func versionedLayout(m *module, a *linker.Arch, tag string) layout {
	dir := a.Name + "_" + tag
	return layout{buildDir: filepath.Join(filepath.FromSlash(m.build), dir), output: filepath.Join("dist", dir, m.name+".mpy")}
}
