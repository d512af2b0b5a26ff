package inspect

import (
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

var (
	objdumpLine    = regexp.MustCompile(`^\s*([0-9a-f]+):\t([0-9a-f]{4}(?: [0-9a-f]{4})?) *\t(.*)$`)
	objdumpSection = regexp.MustCompile(`^Disassembly of section (\S+):$`)
	hexTarget      = regexp.MustCompile(`^(b\S*|cbn?z \w+,) 0x([0-9a-f]+)$`)
)

// normObjdump makes objdump's text comparable: no comment, no symbol,
// single spaces.
func normObjdump(s string) string {
	if i := strings.Index(s, "\t@"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, " <"); i >= 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\t", " ")), " ")
	// The decoder writes narrow branches without objdump's .n.
	if mn, rest, ok := strings.Cut(s, " "); ok && strings.HasPrefix(mn, "b") && strings.HasSuffix(mn, ".n") {
		s = strings.TrimSuffix(mn, ".n") + " " + rest
	}
	return s
}

// relocated lists the offsets of a section that relocations patch (REL,
// as GCC writes for ARM): objdump shows a relocated branch's target as the
// symbol's, which the decoder cannot know.
func relocated(f *elf.File, name string) map[int64]bool {
	out := map[int64]bool{}
	s := f.Section(".rel" + name)
	if s == nil {
		return out
	}
	data, _ := s.Data()
	for i := 0; i+8 <= len(data); i += 8 {
		out[int64(f.ByteOrder.Uint32(data[i:]))] = true
	}
	return out
}

// TestThumbObjdump decodes every instruction of the golden ARM objects
// (armv6m, armv7m, armv7emsp, armv7emdp, plain and -ffunction-sections) in
// order and compares each one the decoder knows with arm-none-eabi-objdump's
// text; the 32-bit ones, IT blocks and VFP instructions GCC emits there must
// all be known.
func TestThumbObjdump(t *testing.T) {
	objdump, err := exec.LookPath("arm-none-eabi-objdump")
	if err != nil {
		t.Skip("arm-none-eabi-objdump not installed")
	}
	var objs []string
	for _, a := range []string{"armv6m", "armv7m", "armv7emsp", "armv7emdp"} {
		m, _ := filepath.Glob(filepath.Join(testutil.Golden(), a, "*", "*.o"))
		n, _ := filepath.Glob(filepath.Join(testutil.Golden(), a, "*", "*", "*.o"))
		objs = append(append(objs, m...), n...)
	}
	if len(objs) == 0 {
		t.Fatal("no golden ARM objects")
	}
	var st decodeStats
	for _, o := range objs {
		compareObjdump(t, objdump, o, &st)
	}
	total, known, wide, wideKnown, unknown := st.total, st.known, st.wide, st.wideKnown, st.unknown
	var names []string
	for n, c := range unknown {
		names = append(names, n+"×"+strconv.Itoa(c))
	}
	sort.Strings(names)
	t.Logf("%d objects: %d of %d instructions decoded, %d of %d 32-bit; not decoded: %s", len(objs), known, total, wideKnown, wide, strings.Join(names, " "))
	if wideKnown != wide {
		t.Errorf("%d 32-bit instructions not decoded", wide-wideKnown)
	}
	for n := range unknown {
		if strings.HasPrefix(n, "it") || strings.HasPrefix(n, "v") {
			t.Errorf("not decoded: %s", n)
		}
	}
}

// decodeStats counts what compareObjdump saw.
type decodeStats struct {
	total, known, wide, wideKnown int
	unknown                       map[string]int
}

// compareObjdump decodes the code sections of object o in order and
// compares each instruction the decoder knows with objdump's text.
func compareObjdump(t *testing.T, objdump, o string, st *decodeStats) {
	t.Helper()
	if st.unknown == nil {
		st.unknown = map[string]int{}
	}
	f, err := elf.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(objdump, "-d", o).Output()
	if err != nil {
		t.Fatalf("%s: %v", o, err)
	}
	var data []byte
	var d thumbDecoder
	var relocs map[int64]bool
	for _, line := range strings.Split(string(out), "\n") {
		if m := objdumpSection.FindStringSubmatch(line); m != nil {
			s := f.Section(m[1])
			if s == nil {
				t.Fatalf("%s: no section %s", o, m[1])
			}
			data, _ = s.Data()
			d = thumbDecoder{}
			relocs = relocated(f, m[1])
			continue
		}
		m := objdumpLine.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(m[3], ".word") || strings.HasPrefix(m[3], ".short") {
			continue
		}
		pc, _ := strconv.ParseInt(m[1], 16, 32)
		raw, _ := hex.DecodeString(strings.ReplaceAll(m[2], " ", ""))
		n := len(raw)
		if int(pc)+n > len(data) {
			t.Fatalf("%s: %#x past the section", o, pc)
		}
		got := d.decode(data[pc:int(pc)+n], int(pc))
		want := normObjdump(m[3])
		st.total++
		if n == 4 {
			st.wide++
		}
		if got == "" {
			mn, _, _ := strings.Cut(want, " ")
			st.unknown[mn]++
			continue
		}
		st.known++
		if n == 4 {
			st.wideKnown++
		}
		if tm := hexTarget.FindStringSubmatch(got); tm != nil {
			got = tm[1] + " " + tm[2]
			if relocs[pc] {
				got, want = tm[1], strings.Fields(want)[0]
			}
		}
		if got != want {
			t.Errorf("%s+%#x %s: got %q, objdump %q", filepath.Base(filepath.Dir(o)), pc, m[2], got, want)
		}
	}
	f.Close()
}

// thumb2Vectors are instructions of the decoder that the golden objects
// do not hold (movw/movt, the offset and index forms of loads and stores,
// wide conditional branches, IT blocks with else, VFP stores, compares and
// conversions), assembled and compared with objdump.
const thumb2Vectors = `
	.syntax unified
	.thumb
	.text
f:	movw r3, #0x1234
	movt r3, #0xbeef
	ldr.w r1, [r2, #4095]
	ldr r1, [r2, #-255]
	ldr r1, [r2, #8]!
	ldr.w r1, [r2], #-4
	ldrb.w r0, [r1, r2, lsl #3]
	ldrsb.w r0, [r1, #3]
	strh r0, [r1, #-2]
	ldr.w r4, [pc, #-16]
	ldrd r0, r1, [sp, #-8]!
	strd r2, r3, [r0], #16
	addw r0, r1, #4095
	subw r2, r2, #1
	adds.w r0, r1, #0x00ff00ff
	cmp.w r0, #0x10000
	tst.w r1, #1
	mvn.w r0, #0
	orr.w r0, r1, r2, ror #4
	mov.w r0, r1, rrx
	lsl.w r0, r1, r2
	asrs.w r0, r1, r2
	mul.w r0, r1, r2
	mls r0, r1, r2, r3
	umull r0, r1, r2, r3
	smlal r0, r1, r2, r3
	udiv r0, r1, r2
	beq.w g
	bgt.w f
	b.w g
	ite ne
	movne r0, #1
	moveq r0, #0
	itete lt
	addlt r0, r0, r1
	subge r0, r0, r1
	ldrlt.w r0, [r1, #4]
	strge r0, [r1]
	vstr d8, [sp, #-16]
	vstr s3, [r0, #1020]
	vldr d15, [r1]
	vcmp.f32 s0, s1
	vcmpe.f64 d0, #0.0
	vmrs APSR_nzcv, fpscr
	vneg.f32 s2, s3
	vabs.f64 d2, d3
	vsqrt.f32 s4, s5
	vsub.f32 s0, s1, s2
	vnmul.f64 d0, d1, d2
	vcvt.u32.f32 s0, s1
	vcvtr.s32.f32 s0, s1
	vcvt.f32.u32 s2, s3
	vmov d5, r2, r3
	vmov s31, r12
g:	bx lr
`

// TestThumb2Vectors assembles thumb2Vectors for a Cortex-M7 with FPv5-D16
// and checks that the decoder knows each instruction and writes it as
// objdump does.
func TestThumb2Vectors(t *testing.T) {
	as, err := exec.LookPath("arm-none-eabi-as")
	if err != nil {
		t.Skip("arm-none-eabi-as not installed")
	}
	objdump, err := exec.LookPath("arm-none-eabi-objdump")
	if err != nil {
		t.Skip("arm-none-eabi-objdump not installed")
	}
	dir := t.TempDir()
	src, obj := filepath.Join(dir, "v.s"), filepath.Join(dir, "v.o")
	os.WriteFile(src, []byte(thumb2Vectors), 0o644)
	if out, err := exec.Command(as, "-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard", "-o", obj, src).CombinedOutput(); err != nil {
		t.Fatalf("as: %v\n%s", err, out)
	}
	var st decodeStats
	compareObjdump(t, objdump, obj, &st)
	if st.known != st.total || st.total < 50 {
		t.Errorf("%d of %d instructions decoded; not decoded: %v", st.known, st.total, st.unknown)
	}
}
