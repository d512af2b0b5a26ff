// This file implements what depends on the host mpyld runs on: which
// boards can run there at all, and where a missing tool comes from.

package firmware

import (
	"fmt"
	"runtime"
	"strings"
)

func init() {
	for _, b := range Boards {
		b.NotRun = hostNotRun(b.Name, runtime.GOOS, runtime.GOARCH)
	}
}

// hostNotRun says why a board's firmware cannot run its arches' modules
// on a goos/goarch host, or "" when it can. The unix port is built for the
// host: only an x86-64 (or, for x86, 32-bit x86) Linux or macOS unix port
// loads x64 and x86 modules. Windows has no unix port, and MicroPython's
// windows port has no native code emitter (MICROPY_EMIT_X64 0), so it
// loads no native modules.
func hostNotRun(board, goos, goarch string) string {
	arch := ""
	switch board {
	case "unix":
		arch = "x64"
	case "unix-32":
		arch = "x86"
	default:
		return ""
	}
	switch {
	case goos == "windows":
		return fmt.Sprintf("the unix port does not build on Windows, and MicroPython's windows port loads no native modules: run the %s tests under WSL", arch)
	case board == "unix-32" && goos == "darwin":
		return "macOS runs no 32-bit programs, so no unix port here loads x86 modules: run the x86 tests on x86-64 Linux"
	case goarch != "amd64" && !(board == "unix-32" && goarch == "386"):
		return fmt.Sprintf("the unix port built here is for %s and loads no %s modules: run the %s tests on an x86-64 host, or give --firmware %s=PATH", goarch, arch, arch, arch)
	}
	return ""
}

// HostPackage says where a tool named by its Debian packages comes from on
// this host: the packages on Linux, Homebrew's QEMU on macOS, QEMU's and
// Arm's downloads and MSYS2 on Windows.
func HostPackage(pkg string) string { return hostPackage(pkg, runtime.GOOS) }

func hostPackage(pkg, goos string) string {
	switch goos {
	case "darwin":
		if strings.HasPrefix(pkg, "qemu-system-") {
			return "qemu (brew install qemu)"
		}
	case "windows":
		switch {
		case strings.HasPrefix(pkg, "qemu-system-"):
			return "QEMU for Windows (https://www.qemu.org/download/#windows), on PATH"
		case pkg == "make":
			return "GNU make (MSYS2: pacman -S make), on PATH"
		case strings.Contains(pkg, "arm-none-eabi"):
			return "the Arm GNU Toolchain (arm-none-eabi), on PATH"
		default:
			return "the toolchain of Debian's " + pkg + ", on PATH (or WSL with those packages)"
		}
	}
	return pkg
}
