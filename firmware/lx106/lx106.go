// Package lx106 builds and starts mpyld's own MicroPython test firmware for
// the ESP8266's Xtensa core (arch xtensa) under QEMU's "sim" machine.
//
// The firmware is a small port (the C files, start-up code and linker script
// under port/) built from the user's MicroPython tree by the tree's own
// makefiles, with xtensa-lx106-elf-gcc and picolibc. Its console is QEMU's
// semihosting: it runs a host file (QEMUFileArgs), or a script read from
// standard input, or, when the input starts like pyboard.py's (Ctrl-A,
// Ctrl-B, Ctrl-C or a carriage return), MicroPython's friendly and raw REPLs. It can import native .mpy files for
// xtensa from the RAM file system that tests/run-natmodtests.py mounts. Its
// time module (utime before v1.21) runs on the core's cycle counter, CCOUNT,
// which QEMU advances with the host's time at 40 MHz.
//
// Exit status of QEMU: 0 after a script ran (or at the end of REPL input),
// 1 after an uncaught exception, SystemExit's code, 2 when the file of
// QEMUFileArgs cannot be opened, and 3 after a CPU exception (a line on
// standard error names its cause and address) or when a script given on
// standard input reads standard input past its end.
package lx106

import (
	"context"
	"embed"
	"os"
	"path/filepath"

	"github.com/mpyld/mpyld/firmware/internal/simport"
)

//go:embed port
var portFS embed.FS

// Compiler is the C compiler the firmware is built with.
const Compiler = "xtensa-lx106-elf-gcc"

// QEMU is the emulator the firmware runs on.
const QEMU = simport.QEMU

// ExitFatal is QEMU's exit status after a CPU exception in the firmware.
const ExitFatal = simport.ExitFatal

// Options says what to build from and where.
type Options = simport.Options

// ErrToolMissing is wrapped by Build's error when the compiler or make is
// not installed.
var ErrToolMissing = simport.ErrToolMissing

var port = &simport.Port{
	Name:    "lx106",
	CPU:     "lx106",
	FS:      portFS,
	Tools:   []simport.Tool{{Name: Compiler, Package: "gcc-xtensa-lx106 and picolibc-xtensa-lx106-elf"}},
	Prepare: writeROMStubs,
}

// Digest names the firmware's sources in mpyld (the port and its common
// C), for the firmware cache key.
func Digest() string { return port.Digest() }

// Build builds the firmware from o.MPYDir into o.OutDir and returns the path
// of the ELF file. Nothing is written inside the tree. A second call with
// the same folders only rebuilds what changed.
func Build(ctx context.Context, o Options) (string, error) {
	return simport.Build(ctx, port, o.MPYDir, o.OutDir, o.Logf)
}

// writeROMStubs writes romstubs.S: a jump at each ESP8266 ROM address the
// firmware serves, read from the tree's ROM symbol file.
func writeROMStubs(mpyDir, portDir string, logf func(string, ...any)) error {
	symFile := filepath.Join(mpyDir, ROMSymbolFile)
	var syms []romSym
	if _, err := os.Stat(symFile); err == nil {
		if syms, err = readROMSymbols(symFile); err != nil {
			return err
		}
	} else {
		logf("lx106: %s not in the tree: no ROM address is served", ROMSymbolFile)
	}
	stubs, err := romStubs(syms, ROMSymbolFile)
	if err != nil {
		return err
	}
	return simport.WriteIfChanged(filepath.Join(portDir, "romstubs.S"), stubs)
}

// QEMUArgs returns the command line that runs the firmware: the emulator
// first, then its arguments. The sim machine ignores the ELF entry, so the
// loader device starts the CPU at _start. The console is semihosting on
// QEMU's own standard input and output; no serial port or monitor reads
// standard input.
func QEMUArgs(elfPath string) ([]string, error) {
	return simport.QEMUArgs(port, elfPath)
}

// QEMUFileArgs returns the command line that runs the host file script on
// the firmware, read through semihosting; standard input stays unused.
func QEMUFileArgs(elfPath, script string) ([]string, error) {
	return simport.QEMUFileArgs(port, elfPath, script)
}
