package mpy

import (
	"encoding/hex"
	"testing"
)

func TestVuint(t *testing.T) {
	// Examples of spec §4.1.
	tests := []struct {
		v    uint64
		want string
	}{{0, "00"}, {127, "7f"}, {128, "8100"}, {300, "822c"}, {898, "8702"}, {16383, "ff7f"}, {16384, "818000"}}
	for _, tt := range tests {
		got := hex.EncodeToString(AppendVuint(nil, tt.v))
		if got != tt.want {
			t.Errorf("AppendVuint(%d) = %s, want %s", tt.v, got, tt.want)
		}
		d := &decoder{data: AppendVuint(nil, tt.v)}
		if v := d.vuint(); v != tt.v || d.err != nil {
			t.Errorf("decode %s = %d (%v), want %d", tt.want, v, d.err, tt.v)
		}
	}
}

func TestAppendRelocs(t *testing.T) {
	tests := []struct {
		name   string
		w      uint64
		relocs []Reloc
		want   string
	}{
		{"empty", 4, nil, "ff"},
		// Spec §4.8: GOT entries, then data words; no two adjacent share a kind.
		{"worked example", 8, []Reloc{{Addr: 0x58, Kind: KindFunTable}, {Addr: 0x60, Kind: KindQstrTable},
			{Addr: 0x68, Kind: KindBSS}, {Addr: 0x48, Kind: KindFunSlot + 78}, {Addr: 0x50, Kind: KindText}},
			"1116" + "0d18" + "091a" + "af12" + "0114" + "ff"},
		{"bss run", 4, []Reloc{{Addr: 80, Kind: KindBSS}, {Addr: 84, Kind: KindBSS}, {Addr: 88, Kind: KindBSS}, {Addr: 92, Kind: KindBSS}},
			"0b2804ff"},
		{"rodata base", 4, []Reloc{{InRodata: true, Addr: 12, Kind: KindText}}, "0107ff"},
		{"text run", 4, []Reloc{{Addr: 20, Kind: KindText}, {Addr: 24, Kind: KindText}, {Addr: 28, Kind: KindText}}, "030a03ff"},
		// A gap or a change of base ends a run.
		{"gap", 4, []Reloc{{Addr: 0, Kind: KindText}, {Addr: 8, Kind: KindText}}, "01000104ff"},
		{"base change", 4, []Reloc{{Addr: 0, Kind: KindText}, {InRodata: true, Addr: 4, Kind: KindText}}, "01000103ff"},
		// Kinds past bss cannot carry a count: adjacent ones stay single (v1.28 aborts).
		{"fun slots", 4, []Reloc{{Addr: 0, Kind: KindFunSlot + 76}, {Addr: 4, Kind: KindFunSlot + 76}}, "ab00ab02ff"},
	}
	for _, tt := range tests {
		got, err := AppendRelocs(nil, tt.relocs, tt.w)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("%s: got %x, want %s", tt.name, got, tt.want)
		}
	}
	if _, err := AppendRelocs(nil, []Reloc{{Addr: 2, Kind: KindText}}, 4); err == nil {
		t.Errorf("unaligned relocation accepted")
	}
	if _, err := AppendRelocs(nil, []Reloc{{Addr: 0, Kind: 200}}, 4); err == nil {
		t.Errorf("kind 200 accepted")
	}
}

func TestQstrEncoding(t *testing.T) {
	tests := []struct{ s, want string }{
		{"", "03"},            // static ID 1
		{"zip", "824b"},       // static 165: 165<<1|1 = 331 = 2<<7 | 0x4b
		{"utf-8", "8243"},     // static 161: 323 = 2<<7 | 0x43
		{"add", "0661646400"}, // stored: len<<1, bytes, NUL
		{"hello.mpy", "1268656c6c6f2e6d707900"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(AppendQstr(nil, tt.s)); got != tt.want {
			t.Errorf("AppendQstr(%q) = %s, want %s", tt.s, got, tt.want)
		}
	}
	if got := EscapeQstr("<module>"); got != "_lt_module_gt_" {
		t.Errorf("EscapeQstr(<module>) = %s", got)
	}
	if got := EscapeQstr("\n"); got != "_0x0a_" {
		t.Errorf("EscapeQstr(newline) = %s", got)
	}
}

// TestFunTable checks the slot tables against NATMOD_SPEC §6.2: 80 slots in
// 6.1/6.2 with the runtime objects from 67 and no mp_type_Exception, 87 in
// 6.3 from 73.
func TestFunTable(t *testing.T) {
	for _, tc := range []struct {
		sub   int
		n     int
		slots map[int]string
	}{
		{1, 80, map[int]string{26: "make_function_from_raw_code", 50: "memset_", 51: "memmove_", 64: "get_buffer_raise", 65: "get_stream_raise", 66: "plat_print",
			67: "mp_type_type", 71: "mp_type_fun_builtin_0", 75: "mp_type_fun_builtin_var", 76: "mp_stream_read_obj", 79: "mp_stream_write_obj"}},
		{2, 80, map[int]string{64: "get_buffer", 67: "mp_type_type", 68: "mp_type_str", 79: "mp_stream_write_obj"}},
		{3, 87, map[int]string{26: "make_function_from_proto_fun", 50: "memset_", 51: "memmove_", 64: "load_method_maybe", 72: "plat_print",
			73: "mp_type_type", 81: "mp_type_fun_builtin_var", 82: "mp_type_Exception", 83: "mp_stream_read_obj", 86: "mp_stream_write_obj"}},
	} {
		ft := FunTable(tc.sub)
		if len(ft) != tc.n {
			t.Errorf("6.%d: %d slots, want %d", tc.sub, len(ft), tc.n)
			continue
		}
		for i, want := range tc.slots {
			if ft[i] != want {
				t.Errorf("6.%d slot %d: got %s, want %s", tc.sub, i, ft[i], want)
			}
		}
		if ft[RuntimeObjectBase(tc.sub)] != "mp_type_type" {
			t.Errorf("6.%d: runtime objects start at %d (%s)", tc.sub, RuntimeObjectBase(tc.sub), ft[RuntimeObjectBase(tc.sub)])
		}
		if got := (KindFunSlot + 67).Describe(tc.sub); got != "mp_fun_table[67] "+ft[67] {
			t.Errorf("6.%d: kind 76 is %q", tc.sub, got)
		}
	}
	if FunTable(0) != nil || FunTable(4) != nil {
		t.Errorf("tables for sub-versions 0 or 4")
	}
}
