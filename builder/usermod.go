// This file implements building a module written in MicroPython's core/user
// C module style (MP_REGISTER_MODULE, no mpy_init): its sources come from
// the flags, mpyld.toml or micropython.mk (read by GNU make with USERMOD_DIR
// set, as the firmware's build reads it); package usermod translates it.

package builder

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/mpyld/mpyld/addr2line"
	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/linkmap"
	"github.com/mpyld/mpyld/support"
	"github.com/mpyld/mpyld/usermod"
)

// supportDir is the folder, in the build folder, of the support layer.
const supportDir = "mpyld_support"

// usermodMK is the makefile fragment of a user C module.
const usermodMK = "micropython.mk"

// usermodVars are the variables of micropython.mk mpyld reads.
var usermodVars = []string{"SRC_USERMOD", "SRC_USERMOD_C", "SRC_USERMOD_LIB_C", "CFLAGS_USERMOD"}

// usermodState is what a build in this style carries besides the module.
type usermodState struct {
	names []string // registered modules
	style string   // where the sources came from, for -v
}

// detectUsermod says whether the folder holds a module in this style: its
// sources (given, or those of micropython.mk) register a module and none
// defines mpy_init.
func (b *builder) detectUsermod(ctx context.Context, s settings) (*module, bool, error) {
	dir := b.opt.Dir
	var sources []string
	var cflags []string
	style := ""
	switch {
	case len(s.sources) > 0:
		sources, style = s.sources, "sources given"
	case fileExists(filepath.Join(dir, usermodMK)):
		mk, err := b.readUsermodMK(ctx)
		if err != nil {
			return nil, true, err
		}
		style = usermodMK
		for _, v := range []string{"SRC_USERMOD", "SRC_USERMOD_C", "SRC_USERMOD_LIB_C"} {
			for _, f := range strings.Fields(mk.get(v)) {
				sources = append(sources, relTo(dir, f))
			}
		}
		if cflags, err = shellSplit(mk.get("CFLAGS_USERMOD")); err != nil {
			return nil, true, fmt.Errorf("%s: CFLAGS_USERMOD: %v", filepath.Join(dir, usermodMK), err)
		}
		if len(sources) == 0 {
			return nil, true, fmt.Errorf("%s sets no SRC_USERMOD_C (sources)", filepath.Join(dir, usermodMK))
		}
	case fileExists(filepath.Join(dir, usermodCMake)):
		text, err := os.ReadFile(filepath.Join(dir, usermodCMake))
		if err != nil {
			return nil, true, err
		}
		cm, err := readCMake(dir, string(text))
		if err != nil {
			return nil, true, err
		}
		style, sources = usermodCMake, cm.sources
		for _, inc := range cm.includes {
			cflags = append(cflags, "-I"+inc)
		}
		for _, d := range cm.defines {
			cflags = append(cflags, "-D"+d)
		}
	default:
		return nil, false, nil
	}
	var texts [][]byte
	for _, src := range sources {
		if !strings.EqualFold(filepath.Ext(src), ".c") {
			continue
		}
		data, err := os.ReadFile(inDir(dir, src))
		if err != nil {
			if style == "sources given" {
				return nil, false, nil // the ordinary build reports it
			}
			return nil, true, err
		}
		texts = append(texts, data)
	}
	names, hasInit := usermod.Registered(texts...)
	if len(names) == 0 || hasInit {
		if style == usermodMK || style == usermodCMake {
			return nil, true, fmt.Errorf("%s: its sources register no module with MP_REGISTER_MODULE (or define mpy_init): give a natmod Makefile, or sources and a name", filepath.Join(dir, style))
		}
		return nil, false, nil
	}
	m := &module{name: s.name, sources: sources, mpyDir: s.mpyDir, build: "build", cflagsPost: cflags,
		archFlags: s.archFlags, externs: s.externs, libs: s.libs, clangRT: true,
		usermod: &usermodState{names: names, style: style}}
	if m.name == "" {
		m.name = names[0] // with several, Build builds each by name
	} else if !slices.Contains(names, m.name) {
		return nil, true, fmt.Errorf("module %q: the sources register %s", m.name, strings.Join(names, ", "))
	}
	return m, true, nil
}

// usermodNames returns the modules that the folder's core/user C module
// sources register, when no name is given and there is no Makefile.
func (b *builder) usermodNames(ctx context.Context) []string {
	s := b.settings()
	if findMakefile(b.opt.Dir) != "" {
		return nil
	}
	if s.name != "" {
		if _, ok, err := b.detectUsermod(ctx, s); ok && err == nil {
			return []string{s.name}
		}
		return nil
	}
	m, ok, err := b.detectUsermod(ctx, s)
	if !ok || err != nil {
		return nil
	}
	return m.usermod.names
}

// relTo makes an absolute path inside dir relative to it, with "/" as
// make and SRC give them (filepath.Rel gives backslashes on Windows).
func relTo(dir, p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(abs, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

// readUsermodMK reads micropython.mk with GNU make, USERMOD_DIR set to the
// module folder, as the firmware's build includes it.
func (b *builder) readUsermodMK(ctx context.Context) (*makeVars, error) {
	abs, err := filepath.Abs(b.opt.Dir)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "mpyld-usermod-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	wrapper := filepath.Join(tmp, "Makefile")
	text := fmt.Sprintf("USERMOD_DIR := %s\ninclude %s\n", abs, filepath.Join(abs, usermodMK))
	if err := os.WriteFile(wrapper, []byte(text), 0o644); err != nil {
		return nil, err
	}
	mk, err := b.readMakefile(ctx, "", wrapper, "", nil, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(b.opt.Dir, usermodMK), strings.TrimPrefix(err.Error(), wrapper+": "))
	}
	return mk, nil
}

// finishUsermod completes a module in this style as resolveProject does.
func (b *builder) finishUsermod(a *linker.Arch, m *module, s settings) (*module, error) {
	if m.mpyDir == "" {
		m.mpyDir = b.opt.Getenv("MPY_DIR")
	}
	if m.mpyDir == "" {
		return nil, fmt.Errorf("module %q is written as a core/user C module: it needs a MicroPython tree for its headers: give --mpy-dir or set MPY_DIR", m.name)
	}
	if err := b.setTarget(m, a, s); err != nil {
		return nil, err
	}
	// Firmware links libgcc: so does a module written for it, unless told;
	// on the ESP8266 part of it is in ROM, which the firmware links with
	// the ROM's symbol addresses.
	m.linkRuntime = true
	if rom := filepath.Join(m.mpyDir, "ports", "esp8266", "boards", "eagle.rom.addr.v6.ld"); a.Name == "xtensa" && m.externs == "" && fileExists(rom) {
		m.externs = rom
	}
	if s.linkRuntime != nil {
		m.linkRuntime = *s.linkRuntime
	}
	var err error
	if m.cflagsExtra, err = shellSplit(s.cflags); err != nil {
		return nil, fmt.Errorf("cflags: %v", err)
	}
	m.mpyCrossFlags = map[string][]string{}
	return m, checkFloat(m.float)
}

// usermodPrecheck compiles and compares the module's own C sources (not
// the support layer's), so that a refusal comes first.
func (j *archBuild) usermodPrecheck(ctx context.Context) error {
	header, err := os.ReadFile(filepath.Join(j.dir, j.out.configH(j.mod)))
	if err != nil {
		return err
	}
	qsyms, native := usermod.Qstrs(header)
	j.precompiled = map[string]bool{}
	prefix := filepath.ToSlash(filepath.Join(j.out.buildDir, supportDir)) + "/"
	var mu sync.Mutex
	var wg sync.WaitGroup
	var srcs []string
	for _, src := range j.srcs.c {
		if !strings.HasPrefix(filepath.ToSlash(src), prefix) {
			srcs = append(srcs, src)
		}
	}
	errs := make([]error, len(srcs))
	for i, src := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.sem <- struct{}{}
			defer func() { <-j.sem }()
			obj := j.out.objectPath(src, ".o")
			fresh, err := j.compileOne(ctx, src, obj)
			if err == nil {
				_, err = j.analyzeSource(ctx, src, obj, qsyms, usermod.Objects(), native)
			}
			mu.Lock()
			j.precompiled[src] = fresh
			mu.Unlock()
			errs[i] = err
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// analyzeSource compiles src again with the other placeholder sets and
// compares the objects with objA. The support layer's own sources (mpyld's
// C, with no qstr in constant data) are compared with the complementary
// set only.
func (j *archBuild) analyzeSource(ctx context.Context, src, objA string, qsyms, objects map[string]uint32, native map[int]string) (*usermod.Analysis, error) {
	compile := func(suffix, label string, defines ...string) ([]byte, error) {
		obj := strings.TrimSuffix(objA, ".o") + suffix
		args := append([]string(nil), j.cflags...)
		for _, d := range defines {
			args = append(args, "-D"+d)
		}
		args = append(args, "-o", obj, "-c", src)
		if _, err := j.cached(ctx, cacheStep{dir: j.dir, out: obj, prog: j.tc.cc, args: args, depFile: obj + ".d",
			key: j.mod.vars, label: "CC " + src + " (" + label + ")"}); err != nil {
			return nil, err
		}
		return os.ReadFile(filepath.Join(j.dir, obj))
	}
	a, err := os.ReadFile(filepath.Join(j.dir, objA))
	if err != nil {
		return nil, err
	}
	b, err := compile(".qx.o", "placeholders", usermod.QX+"=0xffff")
	if err != nil {
		return nil, err
	}
	an, err := usermod.Analyze(inDir(j.dir, objA), a, b, qsyms, objects, native)
	own := strings.HasPrefix(filepath.ToSlash(src), filepath.ToSlash(filepath.Join(j.out.buildDir, supportDir))+"/")
	if err == nil && !own {
		// Every placeholder 0, then 0xffff: the code must not change.
		for k, qx := range []string{"0", "0xffff"} {
			c, cerr := compile(fmt.Sprintf(".q%d.o", k), "placeholders "+qx, usermod.QX+"="+qx, usermod.QMask+"=0")
			if cerr != nil {
				return nil, cerr
			}
			if err = usermod.SameCode(inDir(j.dir, objA), a, c); err != nil {
				break
			}
		}
	}
	var leak *usermod.LeakError
	if errors.As(err, &leak) {
		if leak.Line = j.sourceLine(ctx, src, objA, leak); leak.Line != "" {
			return nil, err
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	return an, nil
}

// sourceLine finds the source line of a placeholder that reached code:
// it compiles src once more with -g (which changes no code byte) and looks
// the offset up in its line table. It returns "" when it cannot.
func (j *archBuild) sourceLine(ctx context.Context, src, obj string, leak *usermod.LeakError) string {
	objG := strings.TrimSuffix(obj, ".o") + ".g.o"
	args := append(append([]string(nil), j.cflags...), "-g", "-o", objG, "-c", src)
	if _, err := j.cached(ctx, cacheStep{dir: j.dir, out: objG, prog: j.tc.cc, args: args, depFile: objG + ".d",
		key: j.mod.vars, label: "CC " + src + " (-g, for the line)"}); err != nil {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(j.dir, objG))
	if err != nil {
		return ""
	}
	f, err := elfobj.Parse(objG, data)
	if err != nil {
		return ""
	}
	var size uint64
	for _, s := range f.Sections {
		if s.Name == leak.Section {
			size = s.Size
		}
	}
	m := &linkmap.Map{Module: "x.mpy", Arch: j.arch.Name, Text: size,
		Sections: []linkmap.Section{{Buffer: "text", Offset: 0, Size: size, Name: leak.Section, Object: filepath.Join(j.dir, objG)}}}
	r := &addr2line.Resolver{Map: m, MapFile: filepath.Join(j.dir, "x.map")}
	loc, err := r.Lookup(leak.Offset)
	if err != nil || loc.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", loc.File, loc.Line)
}

// usermodConfigHeader turns the config header into this style's.
func (j *archBuild) usermodConfigHeader(base []byte, texts [][]byte) []byte {
	return usermod.ConfigHeader(base, j.mod.target.ObjQstrs(), texts...)
}

// writeUsermodFiles writes the prelude every source includes and the
// support layer into the build folder, adds the layer's sources to the C
// sources, and returns the texts of everything compiled that is not the
// module's own (for the qstr scan).
func (j *archBuild) writeUsermodFiles(own [][]byte) ([][]byte, error) {
	if err := writeIfChanged(filepath.Join(j.dir, j.out.buildDir, usermod.PreludeName), usermod.Prelude(own...)); err != nil {
		return nil, err
	}
	texts := usermod.ExtraSources()
	if j.mod.target.ObjQstrs() {
		texts = append(texts, usermod.ObjQstrSource(own...))
	}
	for _, f := range support.Files() {
		p := filepath.ToSlash(filepath.Join(j.out.buildDir, supportDir, f.Name))
		if err := writeIfChanged(filepath.Join(j.dir, p), f.Data); err != nil {
			return nil, err
		}
		texts = append(texts, f.Data)
		if strings.HasSuffix(f.Name, ".c") && !slices.Contains(j.srcs.c, p) {
			j.srcs.c = append(j.srcs.c, p)
		}
	}
	return texts, nil
}

// keepBSS says whether the init must keep the module's bss block alive:
// on Xtensa, where the constant data moves to bss, before v1.24, whose
// firmware does not.
func (j *archBuild) keepBSS() bool {
	return j.arch.ISA == linker.ISAXtensa && !j.mod.target.TracksBSS()
}

// usermodFlags are the flags this style adds after the module's own.
func (j *archBuild) usermodFlags() []string {
	if j.keepBSS() {
		return []string{"-I" + filepath.ToSlash(filepath.Join(j.out.buildDir, supportDir)),
			"-include", filepath.ToSlash(filepath.Join(j.out.buildDir, usermod.PreludeName)), "-DMPYLD_KEEP_BSS=1"}
	}
	return []string{"-I" + filepath.ToSlash(filepath.Join(j.out.buildDir, supportDir)),
		"-include", filepath.ToSlash(filepath.Join(j.out.buildDir, usermod.PreludeName))}
}

// callers says where the objects refer to the undefined symbol sym: the
// first function (and object) and how many more places.
func (j *archBuild) callers(sym string) string {
	var places []string
	for _, o := range j.objs {
		data, err := os.ReadFile(filepath.Join(j.dir, o))
		if err != nil {
			continue
		}
		f, err := elfobj.Parse(o, data)
		if err != nil {
			continue
		}
		for _, rs := range f.Sections {
			if (rs.Type != elf.SHT_REL && rs.Type != elf.SHT_RELA) || int(rs.Info) >= len(f.Sections) {
				continue
			}
			relocs, err := f.Relocs(rs)
			if err != nil {
				continue
			}
			for _, r := range relocs {
				if int(r.Sym) < len(f.Symbols) && f.Symbols[r.Sym].Name == sym && f.Symbols[r.Sym].Shndx == elf.SHN_UNDEF {
					sec := f.Sections[rs.Info]
					places = append(places, fmt.Sprintf("%s (%s %s+%#x)", usermod.FuncAt(f, sec.Index, r.Off), o, sec.Name, r.Off))
				}
			}
		}
	}
	switch len(places) {
	case 0:
		return ""
	case 1:
		return "used in " + places[0]
	}
	return fmt.Sprintf("used in %s and %d more places", places[0], len(places)-1)
}

// supportHints adds to a link error, for each still undefined symbol,
// where it is called and why the support layer does not define it.
func (j *archBuild) supportHints(err error) error {
	if err == nil {
		return nil
	}
	lines := strings.Split(err.Error(), "\n")
	changed := false
	for i, l := range lines {
		_, rest, ok := strings.Cut(l, "undefined symbol \"")
		if !ok {
			continue
		}
		sym, _, ok := strings.Cut(rest, "\"")
		if !ok || strings.Contains(l, "compiler runtime helper") {
			continue // the linker said what to do
		}
		if c := j.callers(sym); c != "" {
			lines[i] += "; " + c
			changed = true
		}
		if h := support.Hint(sym); h != "" {
			lines[i] += " (" + h + ")"
			changed = true
		}
	}
	if !changed {
		return err
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}

// usermodCompile compiles every C source a second time with the other
// placeholder set, compares, then writes and compiles the generated
// mpy_init for the module, and returns the slot table the linker fills.
func (j *archBuild) usermodCompile(ctx context.Context) (*linker.Slots, error) {
	header, err := os.ReadFile(filepath.Join(j.dir, j.out.configH(j.mod)))
	if err != nil {
		return nil, err
	}
	qsyms, native := usermod.Qstrs(header)
	objects := usermod.Objects()
	slots := &linker.Slots{Table: usermod.TableSymbol, Qstrs: qsyms, Objects: objects, KeepsBSS: j.keepBSS()}
	nslots := 0
	var used []string
	registered := map[string]bool{}
	results := make([]*usermod.Analysis, len(j.srcs.c))
	errs := make([]error, len(j.srcs.c))
	var wg sync.WaitGroup
	for i, src := range j.srcs.c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.sem <- struct{}{}
			defer func() { <-j.sem }()
			results[i], errs[i] = j.analyzeSource(ctx, src, j.objs[i], qsyms, objects, native)
		}()
	}
	wg.Wait()
	for i, src := range j.srcs.c {
		if errs[i] != nil {
			return nil, errs[i]
		}
		an := results[i]
		slots.Fields = append(slots.Fields, an.Fields...)
		nslots += an.Slots
		for _, o := range an.Objects {
			if !slices.Contains(used, o) {
				used = append(used, o)
			}
		}
		for _, m := range an.Modules {
			registered[m] = true
		}
		j.logf("%s: %s: %d bare qstrs in data, %d slots in all, runtime objects %v", j.arch.Name, src, len(an.Fields), an.Slots, an.Objects)
	}
	if !registered[j.mod.name] {
		return nil, fmt.Errorf("module %q: no source registers it once compiled (MP_REGISTER_MODULE inside a disabled #if?)", j.mod.name)
	}
	initSrc := filepath.ToSlash(filepath.Join(j.out.buildDir, "mpyld_init_"+j.mod.name+".c"))
	if err := writeIfChanged(filepath.Join(j.dir, initSrc), usermod.InitSource(j.mod.name, nslots, used)); err != nil {
		return nil, err
	}
	initObj := strings.TrimSuffix(initSrc, ".c") + ".o"
	fresh, err := j.compileOne(ctx, initSrc, initObj)
	if err != nil {
		return nil, fmt.Errorf("generated %s: %w", initSrc, err)
	}
	j.count(fresh)
	j.objs = append(j.objs, initObj)
	j.logf("%s: %s module %s (from %s): %d slots filled by the generated mpy_init", j.arch.Name, "core/user C", j.mod.name, j.mod.usermod.style, nslots)
	return slots, nil
}

// usermodObjects is the init's runtime object list (for tests).
func usermodObjects() map[string]uint32 { return usermod.Objects() }
