// Package lx106 builds and starts mpyld's own MicroPython test firmware for
// the ESP8266's Xtensa core (arch xtensa) under QEMU's "sim" machine.
//
// The firmware is a small port (the C files, start-up code and linker script
// under port/) built from the user's MicroPython tree by the tree's own
// makefiles, with xtensa-lx106-elf-gcc and picolibc. Its console is QEMU's
// semihosting: it runs a script read from standard input, or, when the input
// starts like pyboard.py's (Ctrl-A, Ctrl-B, Ctrl-C or a carriage return),
// MicroPython's friendly and raw REPLs. It can import native .mpy files for
// xtensa from the RAM file system that tests/run-natmodtests.py mounts.
//
// Exit status of QEMU: 0 after a script ran (or at the end of REPL input),
// 1 after an uncaught exception, SystemExit's code, and 3 after a CPU
// exception (a line on standard error names its cause and address).
package lx106

import (
	"bytes"
	"context"
	"debug/elf"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/mpyld/mpyld/internal/atomicfile"
)

//go:embed port
var portFS embed.FS

// Compiler is the C compiler the firmware is built with.
const Compiler = "xtensa-lx106-elf-gcc"

// QEMU is the emulator the firmware runs on.
const QEMU = "qemu-system-xtensa"

// ExitFatal is QEMU's exit status after a CPU exception in the firmware.
const ExitFatal = 3

// Options says what to build from and where.
type Options struct {
	MPYDir string // the MicroPython tree, read only
	OutDir string // where the port folder and every build output go
	Logf   func(format string, args ...any)
}

// ErrToolMissing is wrapped by Build's error when the compiler or make is
// not installed.
var ErrToolMissing = errors.New("tool missing")

// Build builds the firmware from o.MPYDir into o.OutDir and returns the path
// of the ELF file. Nothing is written inside the tree. A second call with
// the same folders only rebuilds what changed.
func Build(ctx context.Context, o Options) (string, error) {
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if o.MPYDir == "" || o.OutDir == "" {
		return "", errors.New("lx106: MPYDir and OutDir must be set")
	}
	mpyDir, err := filepath.Abs(o.MPYDir)
	if err != nil {
		return "", err
	}
	outDir, err := filepath.Abs(o.OutDir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(mpyDir, "py", "mkenv.mk")); err != nil {
		return "", fmt.Errorf("%s: not a MicroPython source tree (no py/mkenv.mk)", mpyDir)
	}
	if strings.HasPrefix(outDir+string(filepath.Separator), mpyDir+string(filepath.Separator)) {
		return "", fmt.Errorf("%s: the output folder is inside the MicroPython tree %s; choose one outside it", outDir, mpyDir)
	}
	for _, tool := range []struct{ name, pkg string }{{Compiler, "gcc-xtensa-lx106 and picolibc-xtensa-lx106-elf"}, {"make", "make"}, {"python3", "python3"}} {
		if _, err := exec.LookPath(tool.name); err != nil {
			return "", fmt.Errorf("%s not found: install %s: %w", tool.name, tool.pkg, ErrToolMissing)
		}
	}

	portDir := filepath.Join(outDir, "port")
	buildDir := filepath.Join(outDir, "build")
	if err := writePort(portDir); err != nil {
		return "", err
	}
	symFile := filepath.Join(mpyDir, ROMSymbolFile)
	var syms []romSym
	if _, err := os.Stat(symFile); err == nil {
		if syms, err = readROMSymbols(symFile); err != nil {
			return "", err
		}
	} else {
		logf("lx106: %s not in the tree: no ROM address is served", ROMSymbolFile)
	}
	stubs, err := romStubs(syms, ROMSymbolFile)
	if err != nil {
		return "", err
	}
	if err := writeIfChanged(filepath.Join(portDir, "romstubs.S"), stubs); err != nil {
		return "", err
	}

	args := []string{"-C", portDir, fmt.Sprintf("-j%d", runtime.NumCPU()),
		"MPY_DIR=" + mpyDir, "BUILD=" + buildDir}
	logf("lx106: make %s", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "make", args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("lx106: building the firmware from %s failed: %v\n%s", mpyDir, err, tail(out.String(), 30))
	}
	elfPath := filepath.Join(buildDir, "firmware.elf")
	if _, err := os.Stat(elfPath); err != nil {
		return "", fmt.Errorf("lx106: make succeeded but left no %s", elfPath)
	}
	return elfPath, nil
}

// writePort copies the embedded port folder to dir, rewriting only the files
// whose bytes changed so that make rebuilds only what it must.
func writePort(dir string) error {
	return fs.WalkDir(portFS, "port", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("port", filepath.FromSlash(path))
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := portFS.ReadFile(path)
		if err != nil {
			return err
		}
		return writeIfChanged(dst, data)
	})
}

func writeIfChanged(name string, data []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return atomicfile.Write(name, data, 0o644)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// QEMUArgs returns the command line that runs the firmware: the emulator
// first, then its arguments. The sim machine ignores the ELF entry, so the
// loader device starts the CPU at _start. The console is semihosting on
// QEMU's own standard input and output; no serial port or monitor reads
// standard input.
func QEMUArgs(elfPath string) ([]string, error) {
	start, err := symbolAddr(elfPath, "_start")
	if err != nil {
		return nil, err
	}
	return []string{QEMU,
		"-M", "sim", "-cpu", "lx106",
		"-semihosting", "-nographic", "-monitor", "none", "-serial", "none",
		"-kernel", elfPath,
		"-device", fmt.Sprintf("loader,addr=%#x,cpu-num=0", start),
	}, nil
}

func symbolAddr(path, name string) (addr uint64, err error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	defer func() {
		// debug/elf is not hardened against malformed files.
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: malformed ELF file: %v", path, r)
		}
	}()
	if f.Machine != elf.EM_XTENSA {
		return 0, fmt.Errorf("%s: not an Xtensa ELF file (machine %v)", path, f.Machine)
	}
	syms, err := f.Symbols()
	if err != nil {
		return 0, fmt.Errorf("%s: %v", path, err)
	}
	for _, s := range syms {
		if s.Name == name {
			return s.Value, nil
		}
	}
	return 0, fmt.Errorf("%s: no symbol %q: not mpyld's lx106 firmware?", path, name)
}
