// This file implements pulling archive members into a link (spec §3.3).

package linker

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"runtime/debug"
	"sort"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/mapfile"
)

type library struct {
	path  string
	data  []byte
	idx   *elfobj.Index
	files map[int64]*elfobj.File // parsed members, by header offset
}

// member parses the member whose header is at off. Its bytes are copied out
// of the archive, which is unmapped when the archives are loaded.
func (lib *library) member(off int64) (*elfobj.File, error) {
	if f, ok := lib.files[off]; ok {
		return f, nil
	}
	m, err := lib.idx.Member(off)
	if err != nil {
		return nil, err
	}
	f, err := elfobj.Parse(lib.path+":"+m.Name, bytes.Clone(m.Data))
	if err != nil {
		return nil, err
	}
	lib.files[off] = f
	return f, nil
}

// ensureIndex builds the symbol index from the members themselves when the
// archive has no symbol table.
func (lib *library) ensureIndex() error {
	if lib.idx.HasTable() || lib.data == nil {
		return nil
	}
	ar, err := elfobj.ReadArchive(lib.path, lib.data)
	lib.data = nil
	if err != nil {
		return err
	}
	for _, m := range ar.Members {
		f, err := lib.member(m.Off)
		if err != nil {
			continue // not an object: nothing to index
		}
		for _, s := range f.Symbols {
			if (s.Bind == elf.STB_GLOBAL || s.Bind == elf.STB_WEAK) && s.Shndx != elf.SHN_UNDEF && s.Name != "" {
				lib.idx.Add(s.Name, m.Off)
			}
		}
	}
	return nil
}

// openLibs reads the -l arguments: archives, or linker scripts that list
// them. Archives are mapped, not read, when Config.ReadFile is not set: only
// their symbol tables and the members a link pulls are ever touched. The
// caller must call release once it no longer needs the archives' bytes.
func (l *linker) openLibs() (_ []*library, _ func(), err error) {
	var libs []*library
	var releases []func()
	release := func() {
		for _, r := range releases {
			r()
		}
	}
	defer func() {
		if err != nil {
			release()
		}
	}()
	var open func(path string, depth int) error
	open = func(path string, depth int) error {
		var data []byte
		if l.cfg.ReadFile != nil {
			var err error
			if data, err = l.readFile(path); err != nil {
				return err
			}
		} else {
			d, rel, err := mapfile.Map(path)
			if err != nil {
				if os.IsNotExist(err) {
					return fmt.Errorf("%s: no such file", path)
				}
				return err
			}
			data = d
			releases = append(releases, rel)
		}
		if !elfobj.IsArchive(data) {
			if depth > 0 {
				return fmt.Errorf("%s: not an archive (nested linker scripts are not supported)", path)
			}
			files, err := elfobj.ParseLDScript(path, data)
			if err != nil {
				return err
			}
			for _, f := range files {
				if err := open(f, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		idx, err := elfobj.ReadIndex(path, data)
		if err != nil {
			return err
		}
		libs = append(libs, &library{path: path, data: data, idx: idx, files: map[int64]*elfobj.File{}})
		return nil
	}
	for _, p := range l.cfg.Libs {
		if err := open(p, 0); err != nil {
			return nil, nil, err
		}
	}
	return libs, release, nil
}

// loadArchives pulls in the members that define still-undefined symbols,
// and recursively what those need (weak references aside). Members are
// loaded in a fixed order: archives in command-line order, members in
// archive order.
func (l *linker) loadArchives() error {
	// A mapped archive that shrinks under us faults: make that a panic,
	// which Link turns into an error.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	libs, release, err := l.openLibs()
	if err != nil {
		return err
	}
	defer release()
	type pick struct {
		lib    int
		member int64 // header offset
	}
	chosen := map[pick]bool{}
	provided := map[string]bool{}
	for name := range l.globals {
		provided[name] = true
	}
	var queue []string
	for _, s := range l.unresolved {
		queue = append(queue, s.Name)
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if provided[name] {
			continue
		}
		for li, lib := range libs {
			if err := lib.ensureIndex(); err != nil {
				return err
			}
			ms := lib.idx.Lookup(name)
			if len(ms) == 0 {
				continue
			}
			p := pick{li, ms[len(ms)-1]}
			if chosen[p] {
				break
			}
			chosen[p] = true
			f, err := lib.member(p.member)
			if err != nil {
				return err
			}
			for _, s := range f.Symbols {
				if s.Name == "" || s.Bind != elf.STB_GLOBAL && s.Bind != elf.STB_WEAK {
					continue
				}
				if s.Shndx != elf.SHN_UNDEF {
					provided[s.Name] = true
				} else if s.Bind == elf.STB_GLOBAL && !provided[s.Name] {
					queue = append(queue, s.Name)
				} else if s.Bind == elf.STB_WEAK {
					l.logf(2, "Skipping weak dependency: %s", s.Name)
				}
			}
			break
		}
	}
	picks := make([]pick, 0, len(chosen))
	for p := range chosen {
		picks = append(picks, p)
	}
	sort.Slice(picks, func(i, j int) bool {
		if picks[i].lib != picks[j].lib {
			return picks[i].lib < picks[j].lib
		}
		return picks[i].member < picks[j].member
	})
	for _, p := range picks {
		f, _ := libs[p.lib].member(p.member)
		l.members = append(l.members, f.Name)
		if err := l.load(f); err != nil {
			return err
		}
	}
	return nil
}
