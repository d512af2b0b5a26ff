// Package esp32win builds and starts mpyld's own MicroPython test firmware
// for the ESP32's windowed Xtensa code (arch xtensawin) under QEMU's "sim"
// machine with -cpu de233_fpu.
//
// de233_fpu is not an ESP32: it has 32 physical address registers instead
// of 64, a double-precision FPU (the ESP32's is single precision), an MMU,
// and unaligned loads and stores fault. It runs the same windowed ABI and
// instructions but MULSH and MULUH, which the firmware emulates in its
// illegal-instruction handler. A module that passes here can still fail on
// an ESP32, and the other way round.
//
// The firmware is a small port (port/ and the C files it shares with
// package lx106) built from the user's MicroPython tree by the tree's own
// makefiles, with Debian's clang-22 (ESP32 features given one by one;
// objects assembled by llvm-mc-22), and linked by the lx106 GNU ld with
// --no-relax (ld.lld-22 refuses Xtensa). There is no C library for the
// windowed ABI: it uses the tree's shared/libc (string0.c, printf.c) and
// lib/libm, and mpyld's own runtime helpers, exception vectors and
// setjmp/longjmp (MICROPY_NLR_SETJMP), which spill every register window.
// Work-arounds for clang-22: its va_start is repaired (port/include/stdarg.h),
// -fomit-frame-pointer keeps variadic prologues from losing a7, and a file
// whose compilation crashes with the FPU on (a select between two float
// constants: objcomplex.c and three lib/libm files in v1.28) is compiled
// again without it (port/xcc.sh), calling rt.c's soft-float helpers.
//
// Trees: built from v1.28, v1.22.2 and the development branch (v1.29
// preview), whose tests pass (on v1.22, mpyld cannot link the btree example
// for xtensawin: nothing provides errno). v1.20 does not link: its
// extmod.mk has no lib/libm list (SRC_LIB_LIBM_C), which the Makefile uses.
//
// The console, files, REPL and exit statuses are those of package lx106.
package esp32win

import (
	"context"
	"embed"

	"github.com/mpyld/mpyld/firmware/internal/simport"
)

//go:embed port
var portFS embed.FS

// Compiler is the C compiler the firmware is built with.
const Compiler = "clang-22"

// QEMU is the emulator the firmware runs on.
const QEMU = simport.QEMU

// CPU is QEMU's core the firmware runs on.
const CPU = "de233_fpu"

// NotESP32 says how the emulated core differs from an ESP32, for output
// that reports results from this firmware.
const NotESP32 = "QEMU's de233_fpu is not an ESP32: 32 physical registers instead of 64, a double-precision FPU, an MMU, unaligned accesses that fault"

// ExitFatal is QEMU's exit status after a CPU exception in the firmware.
const ExitFatal = simport.ExitFatal

// Options says what to build from and where.
type Options = simport.Options

// ErrToolMissing is wrapped by Build's error when a tool is not installed.
var ErrToolMissing = simport.ErrToolMissing

var port = &simport.Port{
	Name: "esp32win",
	CPU:  CPU,
	FS:   portFS,
	Tools: []simport.Tool{
		{Name: Compiler, Package: "clang-22"},
		{Name: "llvm-mc-22", Package: "llvm-22"},
		{Name: "llvm-objcopy-22", Package: "llvm-22"},
		{Name: "llvm-readelf-22", Package: "llvm-22"},
		{Name: "xtensa-lx106-elf-ld", Package: "binutils-xtensa-lx106"},
		{Name: "sh", Package: "dash"},
	},
}

// Digest names the firmware's sources in mpyld (the port and its common
// C), for the firmware cache key.
func Digest() string { return port.Digest() }

// Build builds the firmware from o.MPYDir into o.OutDir and returns the path
// of the ELF file. Nothing is written inside the tree. A second call with
// the same folders only rebuilds what changed.
func Build(ctx context.Context, o Options) (string, error) {
	if o.Logf != nil {
		o.Logf("esp32win: %s", NotESP32)
	}
	return simport.Build(ctx, port, o.MPYDir, o.OutDir, o.Logf)
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
