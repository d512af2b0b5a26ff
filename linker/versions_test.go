package linker

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// versionTargets are the folders of testdata/golden-versions and the target
// each was made with.
var versionTargets = map[string]Target{
	"v1.20":     {Profile: ProfileV120, Version: V(1, 20, 0)},
	"v1.22":     {Profile: ProfileV122, Version: V(1, 22, 2)},
	"dev":       {Profile: ProfileDev, Version: Version{Major: 1, Minor: 29, Preview: true}},
	"dev-clang": {Profile: ProfileDev, Version: Version{Major: 1, Minor: 29, Preview: true}},
}

// versionConfig is goldenConfig for a case of another version: objects
// named members/NN-<member>.o (archive members the reference was given as
// plain objects, not stored) are pulled from the archives of members.txt.
func versionConfig(t *testing.T, c testutil.Case, target Target) *Config {
	t.Helper()
	var objs []string
	members := false
	for _, o := range c.Objs {
		if strings.HasPrefix(o, "members/") {
			members = true
		} else {
			objs = append(objs, o)
		}
	}
	c.Objs = objs
	if members {
		m, err := os.ReadFile(filepath.Join(c.Dir, "members.txt"))
		if err != nil {
			t.Fatal(err)
		}
		for _, lib := range []string{"libgcc.a", "libm.a"} {
			if strings.Contains(string(m), lib+":") {
				c.Libs = append(c.Libs, "<"+lib+">")
			}
		}
	}
	cfg := goldenConfig(t, c)
	cfg.Target = target
	cfg.SourceName = target.SourceName(c.Output)
	return cfg
}

// referenceWrong lists outputs of other versions' mpy_ld.py that are wrong
// although they linked; mpyld's are checked by decoding instead.
var referenceWrong = map[string]string{
	// v1.22 keys Xtensa literals by file and offset, so the literal pools of
	// -ffunction-sections (one per function) collide: nine l32r of its
	// output load another function's literal (decoded with checkXtensa).
	"v1.22/xtensa/statq/sections": "literal pools collide in v1.22's output",
}

// TestGoldenVersions links every case that v1.20's, v1.22's and the
// development branch's own mpy_ld.py linked, with that profile, and
// compares the bytes. Where the development branch's entry jump misses
// mpy_init (ENTRY_WRONG: -ffunction-sections builds), mpyld's must reach it,
// which is checked by decoding the jump.
func TestGoldenVersions(t *testing.T) {
	for ver, target := range versionTargets {
		n, wrong, skippedWrong := 0, 0, 0
		for _, c := range testutil.VersionCases(t, ver) {
			if c.Status != 0 || c.Module == "weak" || strings.HasPrefix(c.Module, "err_") {
				// weak: v1.20 and v1.22 bind a.o's call to a.o's own weak
				// default; mpyld binds it to b.o's strong definition
				// (TestWeakOverride checks that for every profile).
				// err_static_bss links on x86 and RISC-V with every
				// reference, reading the wrong memory; mpyld refuses it
				// (TestErrors).
				continue
			}
			_, err := os.Stat(filepath.Join(c.Dir, "ENTRY_WRONG"))
			entryWrong := err == nil
			n++
			t.Run(ver+"/"+c.Name, func(t *testing.T) {
				defer func() {
					if entryWrong && t.Skipped() { // its runtime library is not installed
						skippedWrong++
					}
				}()
				cfg := versionConfig(t, c, target)
				res, err := Link(cfg)
				if err != nil {
					t.Fatalf("link: %v", err)
				}
				checkEntry(t, c.Arch, res)
				if c.Arch == "xtensa" {
					checkXtensa(t, cfg, res)
				}
				if entryWrong {
					wrong++
					return
				}
				if why := referenceWrong[ver+"/"+c.Name]; why != "" {
					t.Logf("not compared with the reference: %s", why)
					return
				}
				want, err := os.ReadFile(filepath.Join(c.Dir, c.Output))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(res.MPY, want) {
					t.Errorf("output differs from %s's reference: %s", ver, firstDiff(res.MPY, want))
				}
			})
		}
		// Linked cases of README's counts, less weak and err_static_bss.
		if want := map[string]int{"v1.20": 16, "v1.22": 54, "dev": 97, "dev-clang": 14}[ver]; n != want {
			t.Errorf("%s: %d cases compared, want %d", ver, n, want)
		}
		if want := map[string]int{"dev": 48}[ver]; wrong+skippedWrong != want {
			t.Errorf("%s: %d ENTRY_WRONG cases checked (%d skipped), want %d", ver, wrong, skippedWrong, want)
		}
	}
}

// checkEntry decodes the instruction at text offset 0 and checks that it
// reaches mpy_init (or that there is none and mpy_init is at offset 0).
func checkEntry(t *testing.T, arch string, res *Result) {
	t.Helper()
	f, err := mpy.Read(res.MPY)
	if err != nil {
		t.Fatal(err)
	}
	want := symbolDef(res, "mpy_init").Addr
	if strings.HasPrefix(arch, "arm") {
		want &^= 1
	}
	got, ok := entryTarget(arch, f.Root.Data)
	switch {
	case want == 0 && !ok:
		// mpy_init starts the text: no jump is needed.
	case !ok:
		t.Errorf("text starts with % x: not an entry jump (mpy_init at %#x)", f.Root.Data[:8], want)
	case got != want:
		t.Errorf("entry jump reaches %#x, mpy_init is at %#x", got, want)
	}
}

// entryTarget decodes the jump forms of NATMOD_SPEC §3.8 and VERSIONS.md.
func entryTarget(arch string, text []byte) (uint64, bool) {
	le := binary.LittleEndian
	if len(text) < 8 {
		return 0, false
	}
	switch arch {
	case "x86", "x64":
		switch text[0] {
		case 0xeb: // jmp rel8
			return uint64(2 + int64(int8(text[1]))), true
		case 0xe9: // jmp rel32
			return uint64(5 + int64(int32(le.Uint32(text[1:])))), true
		}
	case "xtensa":
		w := uint32(text[0]) | uint32(text[1])<<8 | uint32(text[2])<<16
		if w&0x3f == 6 { // j: offset in bits 6..23, from PC + 4
			return uint64(4 + int64(int32(w<<8)>>14)), true
		}
	case "rv32imc", "rv64imc":
		h := uint32(le.Uint16(text))
		if h&0xe003 == 0xa001 { // c.j: imm[11|4|9:8|10|6|7|3:1|5]
			imm := (h>>12&1)<<11 | (h>>11&1)<<4 | (h>>9&3)<<8 | (h>>8&1)<<10 | (h>>7&1)<<6 | (h>>6&1)<<7 | (h>>3&7)<<1 | (h>>2&1)<<5
			return uint64(int64(int32(imm<<20) >> 20)), true
		}
		a, j := le.Uint32(text), le.Uint32(text[4:])
		if a&0x7f == 0x17 && j&0x7f == 0x67 { // auipc + jalr
			return uint64(int64(int32(a&0xfffff000)) + int64(int32(j)>>20)), true
		}
	default: // Thumb
		h := le.Uint16(text)
		switch {
		case h&0xf800 == 0xe000: // b (T2): imm11 * 2 from PC + 4
			return uint64(4 + int64(int16(h<<5)>>4)), true
		case h&0xf800 == 0xf000 && le.Uint16(text[2:])&0xd000 == 0x9000: // b.w
			return decodeCall(arch, text, 0), true
		case h == 0xb501: // push {r0, lr}; bl; pop {r0, pc}
			return decodeCall(arch, text, 2), true
		}
	}
	return 0, false
}

// TestVersionConfigHeaders: the config header of every case of every
// version, from the corpus sources, equals that version's --preprocess
// output.
func TestVersionConfigHeaders(t *testing.T) {
	corpus := filepath.Join(testutil.Root(), "testdata", "corpus")
	for ver, target := range versionTargets {
		n := 0
		for _, c := range testutil.VersionCases(t, ver) {
			want, err := os.ReadFile(filepath.Join(c.Dir, c.Module+".config.h"))
			if err != nil {
				continue
			}
			srcs, _ := filepath.Glob(filepath.Join(corpus, c.Module, "*.c"))
			var data [][]byte
			for _, s := range srcs {
				b, err := os.ReadFile(s)
				if err != nil {
					t.Fatal(err)
				}
				data = append(data, b)
			}
			if got := ConfigHeader(target, ScanQstrs(target, data...)); !bytes.Equal(got, want) {
				t.Errorf("%s/%s: config header differs from the reference", ver, c.Name)
			}
			n++
		}
		if n < 14 {
			t.Errorf("%s: only %d headers compared", ver, n)
		}
	}
}
