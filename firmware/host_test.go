package firmware

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
)

// TestHostNotRun: the unix port runs x64 modules only on an x86-64
// Linux or macOS host, x86 modules also on 32-bit x86 Linux; the QEMU
// boards run everywhere.
func TestHostNotRun(t *testing.T) {
	for _, c := range []struct {
		board, goos, goarch, want string
	}{
		{"unix", "linux", "amd64", ""},
		{"unix-32", "linux", "amd64", ""},
		{"unix-32", "linux", "386", ""},
		{"unix", "darwin", "amd64", ""},
		{"unix", "windows", "amd64", "the unix port does not build on Windows"},
		{"unix-32", "windows", "amd64", "run the x86 tests under WSL"},
		{"unix", "darwin", "arm64", "the unix port built here is for arm64 and loads no x64 modules"},
		{"unix", "linux", "arm64", "give --firmware x64=PATH"},
		{"unix", "linux", "386", "is for 386 and loads no x64 modules"},
		{"unix-32", "darwin", "amd64", "macOS runs no 32-bit programs"},
		{"unix-32", "linux", "arm64", "loads no x86 modules"},
		{"MPS2_AN385", "windows", "amd64", ""},
		{"VIRT_RV64", "darwin", "arm64", ""},
		{"lx106", "windows", "amd64", ""},
	} {
		got := hostNotRun(c.board, c.goos, c.goarch)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s on %s/%s: got %q, want %q", c.board, c.goos, c.goarch, got, c.want)
		}
	}
	// The boards of this host carry it, and Available says it first.
	for _, b := range Boards {
		if want := hostNotRun(b.Name, runtime.GOOS, runtime.GOARCH); b.NotRun != want {
			t.Errorf("%s: NotRun %q, want %q", b.Name, b.NotRun, want)
		}
	}
	for _, a := range []string{"x64", "x86"} {
		b := ForArch(a)
		if got := b.Available("", linker.Target{}); got != b.NotRun {
			t.Errorf("%s: Available %q, want %q", a, got, b.NotRun)
		}
	}
}

func TestHostPackage(t *testing.T) {
	for _, c := range []struct{ pkg, goos, want string }{
		{"qemu-system-arm", "linux", "qemu-system-arm"},
		{"gcc-arm-none-eabi libnewlib-arm-none-eabi", "linux", "gcc-arm-none-eabi libnewlib-arm-none-eabi"},
		{"qemu-system-misc", "darwin", "qemu (brew install qemu)"},
		{"qemu-system-arm", "windows", "QEMU for Windows (https://www.qemu.org/download/#windows), on PATH"},
		{"make", "windows", "GNU make (MSYS2: pacman -S make), on PATH"},
		{"gcc-arm-none-eabi libnewlib-arm-none-eabi", "windows", "the Arm GNU Toolchain (arm-none-eabi), on PATH"},
		{"gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf", "windows", "the toolchain of Debian's gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf, on PATH (or WSL with those packages)"},
	} {
		if got := hostPackage(c.pkg, c.goos); got != c.want {
			t.Errorf("%s on %s: got %q, want %q", c.pkg, c.goos, got, c.want)
		}
	}
}

// TestMakeArgsSlashes: the build folder reaches make with "/" (on Windows,
// where the cache folder is C:\Users\...\AppData\Local\mpyld).
func TestMakeArgsSlashes(t *testing.T) {
	build := filepath.Join(t.TempDir(), "firmware", "key", "build")
	args := makeArgs(filepath.Join("mp", "ports", "qemu"), build, 2, []string{"BOARD=MPS2_AN385"})
	want := []string{"-C", filepath.Join("mp", "ports", "qemu"), "-j2", "BUILD=" + filepath.ToSlash(build), "BOARD=MPS2_AN385"}
	if fmt.Sprint(args) != fmt.Sprint(want) || strings.Contains(args[3], `\`) {
		t.Errorf("got %q, want %q", args, want)
	}
}

// TestMissingMake: mpyld's own ports are built with make too, so make is
// checked for them as for the tree's ports: a missing make is a missing
// tool (mpyld test exits 3), where simport's own check made it a failed
// firmware build once the compiler was there.
func TestMissingMake(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	tree := filepath.Join(testutil.Root(), "testdata", "trees", "v1.28.0")
	for _, arch := range []string{"xtensa", "xtensawin"} {
		_, err := Build(context.Background(), ForArch(arch), Options{MPYDir: tree, CacheDir: t.TempDir()})
		var mt *MissingToolError
		if !errors.As(err, &mt) || mt.Tool != "GNU make" {
			t.Errorf("%s: got %v, want GNU make missing", arch, err)
		}
	}
}
