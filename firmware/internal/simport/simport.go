// Package simport builds and starts mpyld's MicroPython test firmwares for
// QEMU's Xtensa "sim" machine (packages firmware/lx106 and
// firmware/esp32win): it writes a port folder (the C files both share,
// under c/, and the port's own) outside the user's tree, runs the tree's
// makefiles on it, and gives QEMU's command line.
package simport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"embed"
	"encoding/hex"
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

//go:embed c
var commonFS embed.FS

// QEMU is the emulator the firmwares run on.
const QEMU = "qemu-system-xtensa"

// ExitFatal is QEMU's exit status after a CPU exception in the firmware
// (main.c's EXIT_FATAL).
const ExitFatal = 3

// Options says what to build from and where.
type Options struct {
	MPYDir string // the MicroPython tree, read only
	OutDir string // where the port folder and every build output go
	Logf   func(format string, args ...any)
}

// ErrToolMissing is wrapped by Build's error when a tool is not installed.
var ErrToolMissing = errors.New("tool missing")

// Tool is a program a build needs and the Debian packages that have it.
type Tool struct{ Name, Package string }

// Port is one firmware.
type Port struct {
	Name  string   // "lx106", the prefix of messages
	CPU   string   // QEMU's -cpu
	FS    embed.FS // holds the port's own files under port/
	Tools []Tool
	// Prepare, when set, writes generated files into the port folder.
	Prepare func(mpyDir, portDir string, logf func(string, ...any)) error
}

// Build builds the firmware from mpyDir into outDir and returns the path of
// the ELF file. Nothing is written inside the tree. A second call with the
// same folders only rebuilds what changed.
func Build(ctx context.Context, p *Port, mpyDir, outDir string, logf func(string, ...any)) (string, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if mpyDir == "" || outDir == "" {
		return "", fmt.Errorf("%s: MPYDir and OutDir must be set", p.Name)
	}
	mpyDir, err := filepath.Abs(mpyDir)
	if err != nil {
		return "", err
	}
	outDir, err = filepath.Abs(outDir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(mpyDir, "py", "mkenv.mk")); err != nil {
		return "", fmt.Errorf("%s: not a MicroPython source tree (no py/mkenv.mk)", mpyDir)
	}
	if strings.HasPrefix(outDir+string(filepath.Separator), mpyDir+string(filepath.Separator)) {
		return "", fmt.Errorf("%s: the output folder is inside the MicroPython tree %s; choose one outside it", outDir, mpyDir)
	}
	for _, tool := range append(p.Tools, Tool{"make", "make"}, Tool{"python3", "python3"}) {
		if _, err := exec.LookPath(tool.Name); err != nil {
			return "", fmt.Errorf("%s not found: install %s: %w", tool.Name, tool.Package, ErrToolMissing)
		}
	}

	portDir := filepath.Join(outDir, "port")
	buildDir := filepath.Join(outDir, "build")
	if err := writeTree(commonFS, "c", portDir); err != nil {
		return "", err
	}
	if err := writeTree(p.FS, "port", portDir); err != nil {
		return "", err
	}
	if p.Prepare != nil {
		if err := p.Prepare(mpyDir, portDir, logf); err != nil {
			return "", err
		}
	}

	args := MakeArgs(portDir, mpyDir, buildDir)
	logf("%s: make %s", p.Name, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "make", args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("%s: building the firmware from %s failed: %v\n%s", p.Name, mpyDir, err, tail(out.String(), 30))
	}
	elfPath := filepath.Join(buildDir, "firmware.elf")
	if _, err := os.Stat(elfPath); err != nil {
		return "", fmt.Errorf("%s: make succeeded but left no %s", p.Name, elfPath)
	}
	return elfPath, nil
}

// Digest names the port's sources: the common C and the port's own files,
// names and contents. It is part of the firmware cache key, so that a
// firmware built by another mpyld (other port sources) is not rebuilt in
// part, which make's dependencies do not always get right (a module
// added to the port left objmodule.o unbuilt).
func (p *Port) Digest() string {
	h := sha256.New()
	for _, t := range []struct {
		fsys embed.FS
		root string
	}{{commonFS, "c"}, {p.FS, "port"}} {
		fs.WalkDir(t.fsys, t.root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := t.fsys.ReadFile(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s %x\n", path, sha256.Sum256(data))
			return nil
		})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// MakeArgs are make's arguments for the port in portDir. MPY_DIR and BUILD
// are given with "/": the shell of a Windows make (MSYS2's sh) takes "\"
// as an escape.
func MakeArgs(portDir, mpyDir, buildDir string) []string {
	return []string{"-C", portDir, fmt.Sprintf("-j%d", runtime.NumCPU()),
		"MPY_DIR=" + filepath.ToSlash(mpyDir), "BUILD=" + filepath.ToSlash(buildDir)}
}

// writeTree copies the folder root of fsys to dir, rewriting only the files
// whose bytes changed so that make rebuilds only what it must.
func writeTree(fsys embed.FS, root, dir string) error {
	return fs.WalkDir(fsys, root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.FromSlash(path))
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := fsys.ReadFile(path)
		if err != nil {
			return err
		}
		return WriteIfChanged(dst, data)
	})
}

// WriteIfChanged writes data to name unless name already holds it.
func WriteIfChanged(name string, data []byte) error {
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
func QEMUArgs(p *Port, elfPath string) ([]string, error) {
	start, err := symbolAddr(p, elfPath, "_start")
	if err != nil {
		return nil, err
	}
	return []string{QEMU,
		"-M", "sim", "-cpu", p.CPU,
		"-semihosting", "-nographic", "-monitor", "none", "-serial", "none",
		"-kernel", elfPath,
		"-device", fmt.Sprintf("loader,addr=%#x,cpu-num=0", start),
	}, nil
}

// QEMUFileArgs returns the command line that runs the host file script on
// the firmware, read through semihosting; standard input stays unused.
func QEMUFileArgs(p *Port, elfPath, script string) ([]string, error) {
	argv, err := QEMUArgs(p, elfPath)
	if err != nil {
		return nil, err
	}
	// QEMU's option syntax escapes a comma by doubling it.
	arg := "enable=on,arg=firmware,arg=" + strings.ReplaceAll(script, ",", ",,")
	return append(argv, "-semihosting-config", arg), nil
}

func symbolAddr(p *Port, path, name string) (addr uint64, err error) {
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
	return 0, fmt.Errorf("%s: no symbol %q: not mpyld's %s firmware?", path, name, p.Name)
}
