package builder

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/linker"
)

// TestHostCompilers: the compilers looked for on each host. On macOS and
// Windows the host gcc writes Mach-O or COFF, so x86/x64 need an ELF cross
// GCC; Homebrew names its RISC-V GCC riscv64-elf-gcc.
func TestHostCompilers(t *testing.T) {
	defer func(s string) { hostOS = s }(hostOS)
	for _, tt := range []struct{ os, arch, want string }{
		{"linux", "x64", "gcc"},
		{"linux", "x86", "gcc"},
		{"darwin", "x64", "x86_64-elf-gcc"},
		{"darwin", "x86", "i686-elf-gcc x86_64-elf-gcc"},
		{"windows", "x64", "x86_64-elf-gcc"},
		{"darwin", "rv32imc", "riscv64-unknown-elf-gcc riscv64-elf-gcc"},
		{"windows", "armv7m", "arm-none-eabi-gcc"},
	} {
		hostOS = tt.os
		a, _ := linker.LookupArch(tt.arch)
		_, cands := defaultCompilers(a, linker.DefaultTarget)
		var got []string
		for _, c := range cands {
			got = append(got, c.path)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s %s: %v, want %s", tt.os, tt.arch, got, tt.want)
		}
	}
}

// TestHomebrewPath: on macOS a compiler outside PATH is found in
// Homebrew's bin folder; elsewhere it is not looked for there.
func TestHomebrewPath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a shell script stands in for the compiler")
	}
	defer func(s string, d []string) { hostOS, homebrewBins = s, d }(hostOS, homebrewBins)
	dir := t.TempDir()
	cc := filepath.Join(dir, "arm-none-eabi-gcc-test")
	if err := os.WriteFile(cc, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	homebrewBins = []string{filepath.Join(dir, "nothing"), dir}
	t.Setenv("PATH", filepath.Join(dir, "empty"))
	hostOS = "darwin"
	if p, err := lookPath("arm-none-eabi-gcc-test"); err != nil || p != cc {
		t.Errorf("darwin: %q, %v; want %s", p, err, cc)
	}
	hostOS = "linux"
	if _, err := lookPath("arm-none-eabi-gcc-test"); err == nil {
		t.Errorf("linux: found outside PATH")
	}
}

// TestDepfileCRLF: a depfile as a compiler on Windows writes it (CRLF line
// ends, drive letters, backslashes, escaped spaces) lists the same
// prerequisites as with LF.
func TestDepfileCRLF(t *testing.T) {
	lf := "build/a.o: a.c C:\\inc\\py\\obj.h \\\n C:\\Program\\ Files\\x.h\nC:\\inc\\py\\obj.h:\n"
	want := []string{"a.c", `C:\inc\py\obj.h`, `C:\Program Files\x.h`}
	for name, text := range map[string]string{"lf": lf, "crlf": strings.ReplaceAll(lf, "\n", "\r\n")} {
		p := filepath.Join(t.TempDir(), "a.d")
		os.WriteFile(p, []byte(text), 0o644)
		if got := readDepfile(p); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// TestHostPackage: a missing compiler names where it comes from on the host.
func TestHostPackage(t *testing.T) {
	defer func(s string) { hostOS = s }(hostOS)
	armv7m, _ := linker.LookupArch("armv7m")
	for os, want := range map[string]string{"linux": "gcc-arm-none-eabi", "darwin": "brew install --cask gcc-arm-embedded", "windows": "Arm GNU Toolchain"} {
		hostOS = os
		if got := hostPackage(armv7m); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q in it", os, got, want)
		}
	}
}

// TestMissingCompilerHint: Debian's LLVM packages are named as a fallback
// only on Linux; on macOS and Windows the vendor's toolchain alone.
func TestMissingCompilerHint(t *testing.T) {
	defer func(s string) { hostOS = s }(hostOS)
	xtensawin, _ := linker.LookupArch("xtensawin")
	target, _ := linker.ParseMicroPython("1.28")
	getenv := func(string) string { return "" }
	t.Setenv("PATH", t.TempDir())
	for _, os := range []string{"linux", "darwin", "windows"} {
		hostOS = os
		_, err := findCompiler(xtensawin, target, "", "", "", getenv)
		if err == nil {
			t.Fatalf("%s: a compiler on an empty PATH", os)
		}
		if got, want := strings.Contains(err.Error(), "Debian's clang-22"), os == "linux"; got != want {
			t.Errorf("%s: %v", os, err)
		}
	}
}
