package linker

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// TestWeakOverride links the weak corpus module (a weak offset() in a.o, a
// strong one in b.o; the reference linker calls that a duplicate) on every
// arch, and checks that the call in a.o reaches the bytes of b.o's offset().
// It does so for every profile: v1.20's and v1.22's own linkers bind the
// call to a.o's weak default instead.
func TestWeakOverride(t *testing.T) {
	n := 0
	for _, c := range testutil.Cases(t) {
		if c.Module != "weak" {
			continue
		}
		for _, target := range []Target{versionTargets["v1.20"], versionTargets["v1.22"], DefaultTarget, versionTargets["dev"]} {
			if a, _ := LookupArch(c.Arch); target.Check(a, 0) != nil {
				continue // no RISC-V before v1.24
			}
			n++
			t.Run(target.Name+"/"+c.Name, func(t *testing.T) {
				cfg := goldenConfig(t, c)
				cfg.Target = target
				res, err := Link(cfg)
				if err != nil {
					t.Fatal(err)
				}
				def := symbolDef(res, "offset")
				if filepath.Base(def.Object) != "b.o" {
					t.Fatalf("offset resolved to %s, want b.o", def.Object)
				}
				f, err := mpy.Read(res.MPY)
				if err != nil {
					t.Fatal(err)
				}
				text := f.Root.Data
				b := parseObj(t, filepath.Join(c.Dir, "b.o"))
				body := symBytes(t, b, "offset")
				addr := def.Addr
				if strings.HasPrefix(c.Arch, "arm") {
					addr &^= 1 // the Thumb bit
				}
				if !bytes.Equal(text[addr:addr+uint64(len(body))], body) {
					t.Errorf("bytes at offset's address are not b.o's offset()")
				}
				if c.Arch == "xtensa" {
					checkXtensa(t, cfg, res)
					return
				}
				// The call site in a.o.
				a := parseObj(t, filepath.Join(c.Dir, "a.o"))
				placed := map[string]uint64{}
				for _, p := range res.Sections {
					placed[filepath.Base(p.Object)+":"+p.Name] = p.Addr
				}
				calls := 0
				for _, s := range a.Sections {
					if s.Type != elf.SHT_REL && s.Type != elf.SHT_RELA {
						continue
					}
					code := a.Sections[s.Info].Name
					rs, _ := a.Relocs(s)
					for _, r := range rs {
						rn := elfobj.RelocName(a.Machine, r.Type)
						if a.Symbols[r.Sym].Name != "offset" {
							continue
						}
						p := placed["a.o:"+code] + r.Off
						switch {
						case isCall(rn):
							if got := decodeCall(c.Arch, text, p); got != addr {
								t.Errorf("%s at %s+%#x reaches %#x, want b.o's offset at %#x", rn, code, r.Off, got, addr)
							}
						case rn == "R_RISCV_GOT_HI20":
							// auipc + lw/ld: the GOT word holds offset's text address.
							slot := decodeCall(c.Arch, text, p)
							w := uint64(binary.LittleEndian.Uint32(text[slot:]))
							if w != addr || kindAt(f, slot, cfg.Arch.Word()) != mpy.KindText {
								t.Errorf("GOT word at %#x holds %#x (%v), want %#x (text)", slot, w, kindAt(f, slot, cfg.Arch.Word()), addr)
							}
						default:
							continue
						}
						calls++
					}
				}
				if calls == 0 {
					t.Errorf("no call to offset found in a.o")
				}
			})
		}
	}
	if n != 18*4-8 {
		t.Errorf("%d weak cases, want %d", n, 18*4-8)
	}
}

func symBytes(t *testing.T, f *elfobj.File, name string) []byte {
	for _, s := range f.Symbols {
		if s.Name == name && s.Shndx != elf.SHN_UNDEF {
			data, err := f.Data(f.Sections[s.Shndx])
			if err != nil {
				t.Fatal(err)
			}
			v := s.Value
			if f.Machine == elf.EM_ARM {
				v &^= 1 // the Thumb bit
			}
			size := s.Size
			if size == 0 || v+size > uint64(len(data)) {
				size = uint64(len(data)) - v
			}
			return data[v : v+size]
		}
	}
	t.Fatalf("%s: no %s", f.Name, name)
	return nil
}

// kindAt returns the relocation kind of the text word at addr, or -1.
func kindAt(f *mpy.File, addr uint64, w int) mpy.RelocKind {
	for _, r := range f.Root.Relocs {
		if !r.InRodata && addr/uint64(w) >= r.Word && addr/uint64(w) < r.Word+r.Count {
			return r.Kind
		}
	}
	return -1
}
