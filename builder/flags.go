// This file implements what py/dynruntime.mk decides by itself: the compiler
// flags it adds to a module's own, the module's source name (its first
// qstr), and where intermediate files and the module go.

package builder

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mpyld/mpyld/linker"
)

// anySpecs stands for the -specs=picolibc.specs word in a pattern given to
// splitAround: it matches one -specs= word, or none.
const anySpecs = "-specs=*"

// dynruntimeCFlags returns the flags the target's dynruntime.mk puts
// between a Makefile's CFLAGS set before including it and those set after,
// in its order: include paths, language and warnings, the config header,
// position independence and the arch's own flags (CFLAGS_ARCH from v1.25,
// then -specs with picolibc), the float implementation, CFLAGS_EXTRA.
func dynruntimeCFlags(t linker.Target, a *linker.Arch, mpyDir, configH, specs, float string, extra []string) []string {
	f := []string{"-I."}
	if mpyDir != "" {
		f = append(f, "-I"+mpyDir)
	}
	f = append(f, "-std=c99", "-Os", "-Wall", "-Werror", "-DNDEBUG", "-DNO_QSTR", "-DMICROPY_ENABLE_DYNRUNTIME",
		"-DMP_CONFIGFILE=<"+configH+">", "-fpic", "-fno-common")
	d := t.Dynruntime()
	if d.SplitFortify {
		f = append(f, "-U", "_FORTIFY_SOURCE")
	} else {
		f = append(f, "-U_FORTIFY_SOURCE")
	}
	for _, flag := range a.CFlags {
		if d.HostCompilers && flag == "-m32" {
			continue // i686-linux-gnu-gcc builds 32-bit code by itself
		}
		f = append(f, flag)
	}
	if specs != "" {
		f = append(f, "-specs="+specs)
	}
	f = append(f, "-DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_"+strings.ToUpper(float))
	return append(f, extra...)
}

// splitAround finds the words of pattern in words, one after the other, and
// returns the words before and after them. A pattern word anySpecs matches
// one -specs= word or none.
func splitAround(words, pattern []string) (before, after []string, ok bool) {
	for i := 0; i <= len(words); i++ {
		if n, ok := matchAt(words[i:], pattern); ok {
			return words[:i], words[i+n:], true
		}
	}
	return nil, nil, false
}

// matchAt matches pattern at the start of words and returns how many words
// it took.
func matchAt(words, pattern []string) (int, bool) {
	n := 0
	for _, p := range pattern {
		switch {
		case p == anySpecs:
			if n < len(words) && strings.HasPrefix(words[n], "-specs=") {
				n++
			}
		case n < len(words) && words[n] == p:
			n++
		default:
			return 0, false
		}
	}
	return n, true
}

// mismatch describes where pattern fails to match words best, for an error.
func mismatch(words, pattern []string) string {
	bestAt, bestLen := -1, -1
	for i := range words {
		k := 0
		for k < len(pattern) && i+k < len(words) && (words[i+k] == pattern[k]) {
			k++
		}
		if k > bestLen {
			bestAt, bestLen = i, k
		}
	}
	if bestLen <= 0 {
		return fmt.Sprintf("%q is not there", pattern[0])
	}
	if bestAt+bestLen >= len(words) {
		return fmt.Sprintf("it ends before %q", pattern[bestLen])
	}
	return fmt.Sprintf("it has %q where dynruntime.mk puts %q", words[bestAt+bestLen], pattern[bestLen])
}

// sourceName is a module's first qstr: the Makefile's --source-name in
// MPY_LD_FLAGS if it gives one, else the -o path make gives the linker,
// $(BUILD)/$(MOD).native.mpy; for the development branch the base name of
// its $(BUILD)/$(MOD).mpy. It does not depend on how many arches or
// versions are built, so every build of a module has the same one.
func sourceName(m *module) string {
	if m.sourceName != "" {
		return m.sourceName // the Makefile's --source-name
	}
	if m.target.Dynruntime().BuildPerArch {
		return m.target.SourceName(m.build + "/" + m.name + ".mpy")
	}
	return m.target.SourceName(m.build + "/" + m.name + ".native.mpy")
}

// layout is where one arch's files go, relative to the module folder.
type layout struct {
	buildDir string // objects, the config header, the native part
	output   string // the module
}

// layoutFor places one arch: alone, as make does ($(BUILD) and <name>.mpy);
// one of several, in $(BUILD)/<arch> and dist/<arch>/<name>.mpy.
func layoutFor(m *module, a *linker.Arch, several bool) layout {
	if !several {
		return layout{buildDir: filepath.FromSlash(m.build), output: m.name + ".mpy"}
	}
	return layout{buildDir: filepath.Join(filepath.FromSlash(m.build), a.Name), output: filepath.Join("dist", a.Name, m.name+".mpy")}
}

func (l layout) configH(m *module) string {
	return filepath.ToSlash(filepath.Join(l.buildDir, m.name+".config.h"))
}

func (l layout) native(m *module) string {
	return filepath.Join(l.buildDir, m.name+".native.mpy")
}

// objectPath is where a source's object goes: <build dir>/<source without
// extension><ext>, as dynruntime.mk does; ".." steps become "__" so that
// sources outside the module folder still build inside it.
func (l layout) objectPath(src, ext string) string {
	rel := filepath.ToSlash(filepath.Clean(strings.TrimSuffix(src, filepath.Ext(src)) + ext))
	rel = strings.TrimPrefix(rel, "/")
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		if p == ".." {
			parts[i] = "__"
		}
	}
	return filepath.Join(l.buildDir, filepath.FromSlash(strings.Join(parts, "/")))
}
