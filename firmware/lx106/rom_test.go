package lx106

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestROMStubs(t *testing.T) {
	dir := t.TempDir()
	sym := filepath.Join(dir, "rom.ld")
	os.WriteFile(sym, []byte("__udivsi3 = 0x4000e21c;\nPROVIDE ( memcpy = 0x4000df48 );\nPROVIDE ( ets_delay_us = 0x40002ecc );\n__umodsi3 = 0x4000e268;\n"), 0o644)
	syms, err := readROMSymbols(sym)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, s := range syms {
		got += s.name + " "
	}
	if want := "memcpy __udivsi3 __umodsi3 "; got != want {
		t.Fatalf("got %q, want %q (served ones, by address)", got, want)
	}
	asm, err := romStubs(syms, "rom.ld")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".word memcpy", ".org 0xdf48\n    l32r a8, .Lrom_0", ".org 0xe268\n    l32r a8, .Lrom_2"} {
		if !strings.Contains(string(asm), want) {
			t.Errorf("stubs lack %q:\n%s", want, asm)
		}
	}

	bad := []struct {
		name string
		syms []romSym
		want string
	}{
		{"too close", []romSym{{"__floatunsisf", 0x4000e2a4}, {"__floatsisf", 0x4000e2a8}}, "closer than 6 bytes"},
		{"in the pool", []romSym{{"__muldi3", 0x40000004}, {"memcpy", 0x40000100}}, "literal pool"},
	}
	for _, tc := range bad {
		if _, err := romStubs(tc.syms, "rom.ld"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one with %q", tc.name, err, tc.want)
		}
	}
	os.WriteFile(sym, []byte("memcpy = 0x40200000;\n"), 0o644)
	if _, err := readROMSymbols(sym); err == nil || !strings.Contains(err.Error(), "outside the ROM range") {
		t.Errorf("an address outside the ROM: got %v", err)
	}
}
