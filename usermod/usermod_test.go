package usermod

import (
	"debug/elf"
	"fmt"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker"
)

func TestRegistered(t *testing.T) {
	src := []byte(`// MP_REGISTER_MODULE(MP_QSTR_commented, x);
/* MP_REGISTER_MODULE(MP_QSTR_block, y); */
MP_REGISTER_MODULE(MP_QSTR_beta, beta_module);
MP_REGISTER_MODULE( MP_QSTR_alpha , alpha_module, MODULE_ALPHA_ENABLED);
MP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_gamma, gamma_module);
`)
	names, hasInit := Registered(src)
	if fmt.Sprint(names) != "[alpha beta gamma]" || hasInit {
		t.Errorf("got %v %v, want [alpha beta gamma] false", names, hasInit)
	}
	if _, hasInit := Registered(src, []byte("mp_obj_t mpy_init(mp_obj_fun_bc_t *self, ...)")); !hasInit {
		t.Errorf("mpy_init not seen")
	}
}

func TestConfigHeader(t *testing.T) {
	base := []byte("#include <stdint.h>\n#define MP_QSTR___name__ (5)\n#define MP_QSTR_info (mp_native_qstr_table[1])\n#define MP_QSTR_subsystem (mp_native_qstr_table[2])\nextern const uint16_t mp_native_qstr_table[];\n")
	h := string(ConfigHeader(base, false, []byte("MP_QSTR_info MP_QSTR___name__ MP_QSTR_subsystem")))
	for _, want := range []string{
		"#define MP_QSTR_info ((qstr)(MPYLD_IN_CODE ? mp_native_qstr_table[1] : (MPYLD_QX ^ (0x4001 & MPYLD_QMASK))))",
		"#define MP_QSTR___name__ (5)\n",
		"extern const char MPYLDQ_MP_QSTR___name__;\n",
		"extern const char MPYLDQ_MP_QSTR_subsystem;\n",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("header lacks %q:\n%s", want, h)
		}
	}
	syms, native := Qstrs([]byte(h))
	if syms["MPYLDQ_MP_QSTR___name__"] != linker.SlotStatic|5 || syms["MPYLDQ_MP_QSTR_info"] != 1 || native[2] != "subsystem" {
		t.Errorf("Qstrs: %v %v", syms, native)
	}
	v120 := append(append([]byte(nil), base...), "#define MP_OBJ_NEW_QSTR_MP_QSTR_info ((mp_obj_t)mp_native_obj_table[0])\n"...)
	syms, _ = Qstrs(ConfigHeader(v120, true))
	if syms["MPYLDQ_MP_QSTR_info"] != linker.SlotObjTable|0 {
		t.Errorf("v1.20 object table: %#x", syms["MPYLDQ_MP_QSTR_info"])
	}
}

func TestPreludeRootPointers(t *testing.T) {
	p := string(Prelude([]byte("MP_REGISTER_ROOT_POINTER(mp_obj_t  cb);\n// MP_REGISTER_ROOT_POINTER(int no);\nMP_REGISTER_ROOT_POINTER(struct _x *list[4]);\n")))
	if !strings.HasSuffix(p, "extern mp_obj_t cb;\nextern struct _x *list[4];\n") {
		t.Errorf("prelude ends with %q", p[len(p)-80:])
	}
}

func TestDiffFields(t *testing.T) {
	native := map[int]string{1: "Timer", 2: "time"}
	sec := &elfobj.Section{Index: 3, Name: ".rodata"}
	a := []byte{0x01, 0x40, 0x05, 0x00, 0x02, 0x40, 0, 0, 0, 0, 0, 0}
	b := []byte{0xfe, 0xbf, 0x05, 0x00, 0xfd, 0xbf, 0, 0, 0, 0, 0, 0}
	got, err := diffFields("m.o", sec, a, b, 4, native)
	if err != nil {
		t.Fatal(err)
	}
	want := []linker.SlotField{{Object: "m.o", Section: 3, Offset: 0, Size: 2, Qstr: 1}, {Object: "m.o", Section: 3, Offset: 4, Size: 4, Qstr: 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{[]byte{0x02, 0x40, 0x05, 0x00, 0x02, 0x40, 0, 0, 0, 0, 0, 0}, "0x4001 and 0x4002"},
		{[]byte{0xfe, 0xbf, 0x05, 0x00, 0x02, 0x41, 0, 0, 0, 0, 0, 0}, "not a 16-bit field"},
	} {
		if _, err := diffFields("m.o", sec, a, c.b, 4, native); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error with %q", err, c.want)
		}
	}
}

func TestInitSource(t *testing.T) {
	src := string(InitSource("subsystem", 3, []string{"mp_type_module", "mp_type_tuple"}))
	for _, want := range []string{
		"#define MPYLD_MODULE mpyld_module_MP_QSTR_subsystem\n",
		"#define MPYLD_TABLE_WORDS 8\n",
		"if (index == 0) {\n        return self->context->module.base.type;",
		fmt.Sprintf("if (index == %d) {\n        #ifdef mp_type_tuple", Objects()["mp_type_tuple"]) + "\n        return &mp_type_tuple;\n        #else\n        return MP_OBJ_TO_PTR(mp_load_global(MP_QSTR_tuple));",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("init lacks %q", want)
		}
	}
	if strings.Contains(src, "mp_type_int") || strings.Contains(src, "\nMPYLD_OBJECT_CASES\n") {
		t.Errorf("init has an unused object or the marker")
	}
}

func TestFuncAtThumb(t *testing.T) {
	f := &elfobj.File{Machine: elf.EM_ARM, Sections: []*elfobj.Section{{}, {Index: 1, Name: ".text.f"}, {Index: 2, Name: ".literal.g"}},
		Symbols: []elfobj.Symbol{{}, {Name: "f", Value: 1, Size: 8, Type: elf.STT_FUNC, Shndx: 1}}}
	if got := FuncAt(f, 1, 0); got != "f" {
		t.Errorf("Thumb function at 0: %q", got)
	}
	if got := FuncAt(f, 2, 4); got != "g" {
		t.Errorf("literal pool of g: %q", got)
	}
}
