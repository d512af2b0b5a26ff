// Package firmware builds and caches the MicroPython firmware that mpyld
// runs modules on: the unix port (64 and 32 bit) and the QEMU boards of
// ports/qemu, made by the tree's own makefiles.
package firmware

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/mpyld/mpyld/firmware/esp32win"
	"github.com/mpyld/mpyld/firmware/lx106"
	"github.com/mpyld/mpyld/linker"
)

// Console is how a board takes a script and gives back its output.
type Console int

const (
	// Stdin boards read the whole script on standard input and print to
	// standard output, ending with an exit status (the unix port, and
	// semihosting firmware).
	Stdin Console = iota
	// RawREPL boards offer MicroPython's raw REPL on a serial port (QEMU's
	// -serial stdio).
	RawREPL
)

// Board is one firmware that runs modules of some arches.
type Board struct {
	Name   string   // unix, unix-32, MPS2_AN385, ...
	Arches []string // the module arches it loads
	// Port is the folder of ports/ whose Makefile builds it ("" when
	// mpyld builds the firmware itself).
	Port string
	// Vars are the make variables of the build; Since the first release
	// whose tree has the board.
	Vars  []string
	Since linker.Version
	// Program is the built file, relative to the build folder.
	Program string
	// CrossPrefix names the compiler the Makefile uses (CROSS_COMPILE),
	// with its Debian package.
	CrossPrefix, CrossPackage string
	Console                   Console
	// QEMU runs the board: the program, its Debian package and the
	// arguments before -kernel.
	QEMU, QEMUPackage string
	QEMUArgs          []string
	// Fault is what the firmware prints when the CPU faults, so a crash
	// is told from a hang.
	Fault string
	// Before says why a tree older than Since cannot have the board, for
	// boards mpyld builds itself.
	Before string
	// Note says how the board differs from the hardware it stands for.
	Note string
	// NotRun, when set, is why no firmware of this board runs here.
	NotRun string
	// Make, when set, builds the firmware from the tree into outDir
	// instead of the tree's makefile (mpyld's own ports), and returns it.
	Make func(ctx context.Context, mpyDir, outDir string, logf func(string, ...any)) (string, error)
	// Digest, with Make, names the sources mpyld carries for the firmware
	// (part of the cache key).
	Digest func() string
	// Args, when set, gives the QEMU arguments that run a firmware file
	// (instead of QEMUArgs and -kernel).
	Args func(firmware string) ([]string, error)
}

// noLibs leaves out what needs a submodule that a test firmware does not:
// SSL (mbedTLS), FFI (libffi), btree and the frozen micropython-lib manifest.
var noLibs = []string{"MICROPY_PY_FFI=0", "MICROPY_PY_SSL=0", "MICROPY_PY_BTREE=0", "FROZEN_MANIFEST="}

// Boards are the boards, one or more per arch.
var Boards = []*Board{
	{Name: "unix", Arches: []string{"x64"}, Port: "unix", Vars: append([]string{"VARIANT=standard"}, noLibs...),
		Program: "micropython", CrossPackage: "gcc", Console: Stdin},
	{Name: "unix-32", Arches: []string{"x86"}, Port: "unix",
		Vars:    append([]string{"VARIANT=standard", "MICROPY_FORCE_32BIT=1"}, noLibs...),
		Program: "micropython", CrossPackage: "gcc-multilib", Console: Stdin},
	{Name: "MPS2_AN385", Arches: []string{"armv6m", "armv7m"}, Port: "qemu", Vars: []string{"BOARD=MPS2_AN385", "FROZEN_MANIFEST="},
		Since: linker.V(1, 24, 0), Program: "firmware.elf", CrossPrefix: "arm-none-eabi-", CrossPackage: "gcc-arm-none-eabi libnewlib-arm-none-eabi",
		Console: RawREPL, QEMU: "qemu-system-arm", QEMUPackage: "qemu-system-arm",
		QEMUArgs: []string{"-machine", "mps2-an385"}, Fault: "exception caught:"},
	{Name: "MPS2_AN500", Arches: []string{"armv7emsp", "armv7emdp"}, Port: "qemu", Vars: []string{"BOARD=MPS2_AN500", "FROZEN_MANIFEST="},
		Since: linker.V(1, 27, 0), Program: "firmware.elf", CrossPrefix: "arm-none-eabi-", CrossPackage: "gcc-arm-none-eabi libnewlib-arm-none-eabi",
		Console: RawREPL, QEMU: "qemu-system-arm", QEMUPackage: "qemu-system-arm",
		QEMUArgs: []string{"-machine", "mps2-an500"}, Fault: "exception caught:"},
	// Debian's GCC 12 has no multilib for the boards' default
	// rv32imac_zicsr and would link the rv64 libgcc; ISA spec 2.2 has
	// Zicsr in the base ISA, so plain rv32imac matches its multilib.
	{Name: "VIRT_RV32", Arches: []string{"rv32imc"}, Port: "qemu",
		Vars:  []string{"BOARD=VIRT_RV32", "FROZEN_MANIFEST=", "RV32_ARCH=rv32imac -misa-spec=2.2"},
		Since: linker.V(1, 24, 0), Program: "firmware.elf", CrossPrefix: "riscv64-unknown-elf-", CrossPackage: "gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf",
		Console: RawREPL, QEMU: "qemu-system-riscv32", QEMUPackage: "qemu-system-misc",
		QEMUArgs: []string{"-machine", "virt", "-bios", "none"}, Fault: "EXCEPTION CAUGHT:"},
	// v1.27's tree has the board, but its loader takes no rv64imc code
	// (linker.Target.Check says so first).
	{Name: "VIRT_RV64", Arches: []string{"rv64imc"}, Port: "qemu",
		Vars:  []string{"BOARD=VIRT_RV64", "FROZEN_MANIFEST=", "RV64_ARCH=rv64imac -misa-spec=2.2"},
		Since: linker.V(1, 27, 0), Program: "firmware.elf", CrossPrefix: "riscv64-unknown-elf-", CrossPackage: "gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf",
		Console: RawREPL, QEMU: "qemu-system-riscv64", QEMUPackage: "qemu-system-misc",
		QEMUArgs: []string{"-machine", "virt", "-bios", "none"}, Fault: "EXCEPTION CAUGHT:"},
	// mpyld's own minimal ESP8266 port (package firmware/lx106) on QEMU's
	// sim machine, with its console on semihosting: the script on stdin.
	{Name: "lx106", Arches: []string{"xtensa"}, Console: Stdin, QEMU: lx106.QEMU, QEMUPackage: "qemu-system-misc",
		CrossPrefix: "xtensa-lx106-elf-", CrossPackage: "gcc-xtensa-lx106 picolibc-xtensa-lx106-elf",
		Make: func(ctx context.Context, mpyDir, outDir string, logf func(string, ...any)) (string, error) {
			return lx106.Build(ctx, lx106.Options{MPYDir: mpyDir, OutDir: outDir, Logf: logf})
		},
		Digest: lx106.Digest, Args: lx106.QEMUArgs, Fault: "FATAL: ",
		// Built and run here from v1.20.0, v1.22.2, v1.24.1, v1.25.0,
		// v1.26.1, v1.27.0, v1.28.0 and dev.
		Since: linker.V(1, 20, 0)},
	// mpyld's own windowed port (package firmware/esp32win), compiled by
	// clang-22 and linked by the lx106 GNU ld, on QEMU's sim machine with
	// the de233_fpu core, which runs ESP32 code but is not an ESP32
	// (esp32win.NotESP32: its build says so).
	{Name: "de233_fpu", Arches: []string{"xtensawin"}, Console: Stdin, QEMU: esp32win.QEMU, QEMUPackage: "qemu-system-misc",
		CrossPrefix: "xtensa-lx106-elf-", CrossPackage: "gcc-xtensa-lx106 clang-22 llvm-22",
		Make: func(ctx context.Context, mpyDir, outDir string, logf func(string, ...any)) (string, error) {
			return esp32win.Build(ctx, esp32win.Options{MPYDir: mpyDir, OutDir: outDir, Logf: logf})
		},
		Digest: esp32win.Digest, Args: esp32win.QEMUArgs, Fault: "FATAL: ", Note: esp32win.NotESP32,
		Since: linker.V(1, 22, 0), Before: "mpyld's windowed port does not build against MicroPython v1.20 (its extmod.mk lists no libm sources)"},
}

// ForArch returns the board that runs modules of arch, or nil.
func ForArch(arch string) *Board {
	for _, b := range Boards {
		for _, a := range b.Arches {
			if a == arch {
				return b
			}
		}
	}
	return nil
}

// Available says why the board cannot be built from the tree at mpyDir of
// target t, or "" when it can.
func (b *Board) Available(mpyDir string, t linker.Target) string {
	if b.NotRun != "" {
		return b.NotRun
	}
	if b.Make != nil && !b.Since.IsZero() && !t.Version.IsZero() && !t.Version.AtLeast(b.Since) {
		return fmt.Sprintf("MicroPython %s: %s", versionOf(t), b.Before)
	}
	if b.Port == "qemu" && b.Make == nil {
		if !isDir(filepath.Join(mpyDir, "ports", "qemu")) {
			return fmt.Sprintf("MicroPython %s has no ports/qemu (from v1.24 on; before, ports/qemu-arm only runs a fixed script, with no REPL)",
				versionOf(t))
		}
		if !hasQEMUBoard(mpyDir, b.Name) {
			return fmt.Sprintf("MicroPython %s has no ports/qemu board %s (the tree's ports/qemu has it from %s on)",
				versionOf(t), b.Name, b.Since)
		}
		if !qemuLoadsMPY(mpyDir) {
			return fmt.Sprintf("MicroPython %s's ports/qemu firmware imports no .mpy files (its mpconfigport.h leaves MICROPY_PERSISTENT_CODE_LOAD and MICROPY_READER_VFS off; from v1.25 on it has them)",
				versionOf(t))
		}
	}
	return ""
}

// hasQEMUBoard reports whether the tree's ports/qemu builds board name: a
// folder boards/NAME from v1.25 on, a file boards/NAME.mk in v1.24.
func hasQEMUBoard(mpyDir, name string) bool {
	boards := filepath.Join(mpyDir, "ports", "qemu", "boards")
	if isDir(filepath.Join(boards, name)) {
		return true
	}
	st, err := os.Stat(filepath.Join(boards, name+".mk"))
	return err == nil && st.Mode().IsRegular()
}

// versionVars gives the make variables of a tree's version: before v1.21
// SSL was MICROPY_PY_USSL; after v1.28 the unix port ignores
// MICROPY_FORCE_32BIT (x86 became a cross target), so the 32-bit build
// gets the compiler with -m32, as that flag used to give it (gcc-multilib).
func (b *Board) versionVars(mpyDir string, t linker.Target) []string {
	var out []string
	for _, v := range b.Vars {
		switch {
		case v == "MICROPY_PY_SSL=0" && !t.Version.IsZero() && !t.Version.AtLeast(linker.V(1, 21, 0)):
			v = "MICROPY_PY_USSL=0"
		case v == "MICROPY_FORCE_32BIT=1" && forceRetired(mpyDir):
			out = append(out, "CC=gcc -m32", "CXX=g++ -m32")
			continue
		}
		out = append(out, v)
	}
	return out
}

// forceRetired reports whether the tree's unix port no longer honours
// MICROPY_FORCE_32BIT (it warns that the flag has no effect).
func forceRetired(mpyDir string) bool {
	data, err := os.ReadFile(filepath.Join(mpyDir, "ports", "unix", "Makefile"))
	return err == nil && strings.Contains(string(data), "MICROPY_FORCE_32BIT flag is no longer affecting")
}

// qemuLoadsMPY reports whether the tree's QEMU port imports .mpy files:
// from v1.25 its mpconfigport.h turns on MICROPY_PERSISTENT_CODE_LOAD and
// MICROPY_READER_VFS. v1.24's leaves both at py/mpconfig.h's 0, and its
// main.c defines mp_lexer_new_from_file as a stub raising ENOENT, which
// py/lexer.c defines too once MICROPY_READER_VFS is on: no make variable
// gives that firmware a file reader.
func qemuLoadsMPY(mpyDir string) bool {
	data, err := os.ReadFile(filepath.Join(mpyDir, "ports", "qemu", "mpconfigport.h"))
	return err == nil && persistentCodeLoad.Match(data)
}

var persistentCodeLoad = regexp.MustCompile(`(?m)^\s*#define\s+MICROPY_PERSISTENT_CODE_LOAD\s+\(1\)`)

func versionOf(t linker.Target) string {
	if t.Version.IsZero() {
		return t.Name
	}
	return t.Version.String()
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
