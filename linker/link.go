// This file implements the link driver: load, resolve, build the GOT, lay out,
// relocate and write the module.

package linker

import (
	"fmt"
	"os"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker/riscv"
	"github.com/mpyld/mpyld/linker/x86"
	"github.com/mpyld/mpyld/mpy"
)

// Config is one link.
type Config struct {
	Arch *Arch
	// Target is the MicroPython the module is for; the zero Target means
	// DefaultTarget (v1.28).
	Target    Target
	Objects   []string          // object files, in command-line order
	Libs      []string          // archives or GROUP scripts (-l), in order
	Qstrs     []string          // native qstrs, from the config header
	Objs      []string          // str objects of v1.20's MP_OBJ_NEW_QSTR, from the config header
	Externs   map[string]uint64 // fixed-address symbols (--externs)
	ArchFlags uint64
	// NoData refuses initialised writable data and bss reached at a fixed
	// distance from code, as the reference linker does.
	NoData bool
	// SourceName is qstr 0: Target.SourceName of the output path.
	SourceName string
	// LinkRuntime says that Libs hold the toolchain's runtime libraries
	// (libgcc, libm): error remedies do not suggest linking them.
	LinkRuntime bool
	// ReadFile reads inputs; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// Logf, if set, receives verbose output; Verbose selects how much
	// (1 summary, 2 layout and GOT, 3 every relocation).
	Logf    func(format string, args ...any)
	Verbose int
	// GCSections drops the sections mpy_init does not reach (--gc-sections).
	GCSections bool
	// Slots, for a module in MicroPython's core/user C module style, asks
	// for the table of slots its generated mpy_init fills (slots.go).
	Slots *Slots
}

// Result is a linked module and the one account of where everything in it
// landed, which link maps, size reports, -v output and tests read.
type Result struct {
	MPY        []byte
	TextSize   int
	RodataSize int
	BSSSize    int
	GOTEntries int
	Members    []string // archive members pulled in, "archive:member"
	EntrySize  int      // bytes of the jump to mpy_init at text offset 0
	Sections   []Placed // every laid-out section, in layout order
	// Defs are the named functions and variables of the laid-out
	// sections, locals included, by buffer and address.
	Defs    []Def
	GOT     []GOTSlot // in GOT order
	Dropped []Dropped // sections --gc-sections left out, in load order
}

// Placed says where a section (or a symbol) landed.
type Placed struct {
	Object string // file, or "archive:member"; empty for GOT and LIT
	Name   string // section name (for symbols, the symbol name)
	Buffer string // "text", "rodata" or "bss"
	Addr   uint64 // offset inside the buffer
	Size   uint64
}

type linker struct {
	cfg        *Config
	arch       *Arch
	target     Target
	objs       []*object
	sections   []*section // layout order
	literals   []*section
	globals    map[string]*symbol
	unresolved []*symbol
	errs       errList

	got       []*gotEntry
	gotByName map[string]*gotEntry
	gotSec    *section
	lit       []uint32
	litIndex  map[uint32]int
	litSec    *section
	litMap    map[litKey]litRef

	// Writable data in the bss block (data.go): its size at the start of
	// bss, its initial image and the stub that copies it; on x86 and x64
	// the stub's layout and the GOT-relative fields it moves.
	dataInBSS  bool
	x86Startup x86.Startup
	fixups     []uint64
	rvStartup  riscv.Startup
	rvPairs    []rvPair
	// codeModelRefs are x64 references that keep variables in text where
	// they must live in bss (decideData).
	codeModelRefs []varRef
	dataSize      uint64
	image         *section
	startup       *section

	entryLen int // bytes of the entry jump at text offset 0

	slots []slot // filled by mpy_init (slots.go)

	text    []byte
	rodata  []byte
	bssSize uint64
	relocs  []mpy.Reloc
	members []string

	pseudo map[string]*section

	dropped []Dropped         // by --gc-sections
	gone    map[*section]bool // the sections it dropped
}

func (l *linker) logf(level int, format string, args ...any) {
	if l.cfg.Logf != nil && l.cfg.Verbose >= level {
		l.cfg.Logf(format, args...)
	}
}

func (l *linker) readFile(name string) ([]byte, error) {
	read := l.cfg.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(name)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s: no such file", name)
		}
		return nil, err
	}
	return data, nil
}

// Link links the objects of cfg into a native module.
func Link(cfg *Config) (res *Result, err error) {
	defer func() {
		// Every input is range-checked; this only turns a missed case into
		// an error instead of a crash.
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("internal error while linking %s: %v (please report it with the input files)", strings.Join(cfg.Objects, " "), r)
		}
	}()
	if cfg.Arch == nil {
		return nil, fmt.Errorf("no architecture given")
	}
	if len(cfg.Objects) == 0 {
		return nil, fmt.Errorf("no input objects")
	}
	if cfg.ArchFlags != 0 && !cfg.Arch.ArchFlags {
		return nil, fmt.Errorf("architecture %q takes no --arch-flags (only rv32imc does)", cfg.Arch.Name)
	}
	target := cfg.Target
	if target.Profile == nil {
		target = DefaultTarget
	}
	if err := target.Check(cfg.Arch, cfg.ArchFlags); err != nil {
		return nil, err
	}
	l := &linker{cfg: cfg, arch: cfg.Arch, target: target, globals: map[string]*symbol{}, gotByName: map[string]*gotEntry{},
		litIndex: map[uint32]int{}, litMap: map[litKey]litRef{}, pseudo: map[string]*section{}}
	for _, name := range cfg.Objects {
		data, err := l.readFile(name)
		if err != nil {
			return nil, err
		}
		if elfobj.IsArchive(data) {
			return nil, fmt.Errorf("%s: is an archive: pass it with -l", name)
		}
		f, err := elfobj.Parse(name, data)
		if err != nil {
			return nil, err
		}
		if err := l.load(f); err != nil {
			return nil, err
		}
	}
	if len(cfg.Libs) > 0 {
		if err := l.loadArchives(); err != nil {
			return nil, err
		}
	}
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	l.resolve()
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	l.decideData()
	if cfg.GCSections {
		l.gcSections()
	}
	l.prepareSlots()
	l.placeData()
	if l.arch.ISA == ISAXtensa {
		l.buildXtensaGOT()
	} else {
		l.buildGOT()
	}
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	if err := l.layout(); err != nil {
		return nil, err
	}
	l.fillGOT()
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	l.relocate()
	l.fillSlots()
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	m := &mpy.Native{
		Arch: l.arch.MPY, SubVersion: target.SubVersion, ArchFlags: cfg.ArchFlags,
		Qstrs: append([]string{cfg.SourceName}, cfg.Qstrs...), Objs: cfg.Objs,
		Text: l.text, Rodata: l.rodata, BSSSize: l.bssSize, Relocs: l.relocs,
	}
	out, err := m.Encode()
	if err != nil {
		return nil, err
	}
	res = &Result{MPY: out, TextSize: len(l.text), RodataSize: len(l.rodata),
		BSSSize: int(l.bssSize), GOTEntries: len(l.got), Members: l.members}
	l.account(res)
	l.logf(2, "target:       %s", target)
	l.logf(1, "arch:         %v", l.arch.Machine)
	l.logf(1, "text size:    %d", res.TextSize)
	if res.RodataSize > 0 {
		l.logf(1, "rodata size:  %d", res.RodataSize)
	}
	l.logf(1, "bss size:     %d", res.BSSSize)
	l.logf(1, "GOT entries:  %d", res.GOTEntries)
	for _, v := range res.Variables() {
		l.logf(1, "data:         %s (%s) %d bytes in %s, %d bytes in the file%s", v.Name, v.Section, v.Size, v.Buffer, v.FileBytes, v.UnscannedNote())
	}
	return res, nil
}

func (l *linker) placed(sec *section, name string, off, size uint64) Placed {
	p := Placed{Name: name, Buffer: "text", Addr: sec.addr + off, Size: size}
	if sec.obj != nil {
		p.Object = sec.obj.name
	}
	switch {
	case sec.inRodata:
		p.Buffer = "rodata"
	case sec.cat == catBSS && !sec.inText, sec.cat == catData && !l.dataInText():
		p.Buffer = "bss"
	}
	return p
}
