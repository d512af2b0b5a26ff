// This file implements pulling archive members into a link (spec §3.3).

package linker

import (
	"debug/elf"
	"fmt"
	"sort"

	"github.com/mpyld/mpyld/elfobj"
)

type library struct {
	path  string
	ar    *elfobj.Archive
	files map[int]*elfobj.File // parsed members
}

func (lib *library) member(i int) (*elfobj.File, error) {
	if f, ok := lib.files[i]; ok {
		return f, nil
	}
	m := lib.ar.Members[i]
	f, err := elfobj.Parse(lib.path+":"+m.Name, m.Data)
	if err != nil {
		return nil, err
	}
	lib.files[i] = f
	return f, nil
}

// ensureIndex builds the symbol index from the members themselves when the
// archive has no symbol table.
func (lib *library) ensureIndex() {
	if lib.ar.Index != nil {
		return
	}
	lib.ar.Index = map[string][]int{}
	for i := range lib.ar.Members {
		f, err := lib.member(i)
		if err != nil {
			continue // not an object: nothing to index
		}
		for _, s := range f.Symbols {
			if (s.Bind == elf.STB_GLOBAL || s.Bind == elf.STB_WEAK) && s.Shndx != elf.SHN_UNDEF && s.Name != "" {
				lib.ar.Index[s.Name] = append(lib.ar.Index[s.Name], i)
			}
		}
	}
}

// openLibs reads the -l arguments: archives, or linker scripts that list them.
func (l *linker) openLibs() ([]*library, error) {
	var libs []*library
	var open func(path string, depth int) error
	open = func(path string, depth int) error {
		data, err := l.readFile(path)
		if err != nil {
			return err
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
		ar, err := elfobj.ReadArchive(path, data)
		if err != nil {
			return err
		}
		libs = append(libs, &library{path: path, ar: ar, files: map[int]*elfobj.File{}})
		return nil
	}
	for _, p := range l.cfg.Libs {
		if err := open(p, 0); err != nil {
			return nil, err
		}
	}
	return libs, nil
}

// loadArchives pulls in the members that define still-undefined symbols,
// and recursively what those need (weak references aside). Members are
// loaded in a fixed order: archives in command-line order, members in
// archive order.
func (l *linker) loadArchives() error {
	libs, err := l.openLibs()
	if err != nil {
		return err
	}
	type pick struct{ lib, member int }
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
			lib.ensureIndex()
			ms := lib.ar.Index[name]
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
