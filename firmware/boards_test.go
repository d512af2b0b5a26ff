package firmware

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/linker"
)

// qemuBoards is what each release's ports/qemu/boards holds (git ls-tree
// of the micropython/micropython tags): v1.24 names its boards by .mk
// files, later releases by folders; MPS2_AN500 and VIRT_RV64 came in
// v1.27. v1.23.0 has no ports/qemu. config is the lines of the port's
// mpconfigport.h that say whether it loads .mpy files: v1.24's turns off
// io.IOBase and leaves MICROPY_PERSISTENT_CODE_LOAD at 0.
var qemuBoards = []struct {
	version linker.Version
	config  string
	files   []string
}{
	{linker.V(1, 23, 0), "", nil},
	{linker.V(1, 24, 0), v124Config, []string{"MICROBIT.mk", "MPS2_AN385.mk", "NETDUINO2.mk", "SABRELITE.mk", "VIRT_RV32.mk"}},
	{linker.V(1, 24, 1), v124Config, []string{"MICROBIT.mk", "MPS2_AN385.mk", "NETDUINO2.mk", "SABRELITE.mk", "VIRT_RV32.mk"}},
	{linker.V(1, 25, 0), v125Config, []string{"MICROBIT/", "MPS2_AN385/", "NETDUINO2/", "SABRELITE/", "VIRT_RV32/"}},
	{linker.V(1, 26, 1), v125Config, []string{"MICROBIT/", "MPS2_AN385/", "NETDUINO2/", "SABRELITE/", "VIRT_RV32/"}},
	{linker.V(1, 27, 0), v125Config, []string{"MICROBIT/", "MPS2_AN385/", "MPS2_AN500/", "MPS3_AN547/", "NETDUINO2/", "SABRELITE/", "VIRT_RV32/", "VIRT_RV64/"}},
	{linker.V(1, 28, 0), v125Config, []string{"MICROBIT/", "MPS2_AN385/", "MPS2_AN500/", "MPS3_AN547/", "NETDUINO2/", "SABRELITE/", "VIRT_RV32/", "VIRT_RV64/"}},
}

const (
	v124Config = "#define MICROPY_MALLOC_USES_ALLOCATED_SIZE (1)\n#define MICROPY_MEM_STATS           (1)\n#define MICROPY_PY_IO_IOBASE        (0)\n"
	v125Config = "#define MICROPY_MALLOC_USES_ALLOCATED_SIZE (1)\n#define MICROPY_PERSISTENT_CODE_LOAD (1)\n#define MICROPY_MEM_STATS           (1)\n#define MICROPY_READER_VFS          (1)\n"
)

// TestQEMUBoardsPerVersion: each QEMU board is available in a tree laid
// out as a release's ports/qemu exactly when that release has the board
// and its firmware loads .mpy files (v1.25 on), its Since is the first
// release that has it, and the reason otherwise names the board and that
// release, the missing ports/qemu, or the missing .mpy loading.
func TestQEMUBoardsPerVersion(t *testing.T) {
	for _, b := range Boards {
		if b.Port != "qemu" {
			continue
		}
		var first linker.Version
		for _, rel := range qemuBoards {
			tree := t.TempDir()
			has := false
			if rel.files != nil {
				if err := os.MkdirAll(filepath.Join(tree, "ports", "qemu"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(tree, "ports", "qemu", "mpconfigport.h"), []byte(rel.config), 0o644); err != nil {
					t.Fatal(err)
				}
				boards := filepath.Join(tree, "ports", "qemu", "boards")
				for _, f := range rel.files {
					name, isDir := strings.CutSuffix(f, "/")
					var err error
					if isDir {
						err = os.MkdirAll(filepath.Join(boards, name), 0o755)
					} else {
						err = os.MkdirAll(boards, 0o755)
						if err == nil {
							err = os.WriteFile(filepath.Join(boards, f), []byte("QEMU_ARCH = arm\n"), 0o644)
						}
					}
					if err != nil {
						t.Fatal(err)
					}
					if name == b.Name || name == b.Name+".mk" {
						has = true
					}
				}
			}
			if has && first.IsZero() {
				first = rel.version
			}
			got := b.Available(tree, linker.Target{Version: rel.version})
			switch {
			case b.NotRun != "":
				if got != b.NotRun {
					t.Errorf("%s in %s: got %q, want the host's reason %q", b.Name, rel.version, got, b.NotRun)
				}
			case has && rel.config == v124Config && !strings.Contains(got, "imports no .mpy files"):
				t.Errorf("%s in %s: got %q, want it to say the firmware imports no .mpy files", b.Name, rel.version, got)
			case has && rel.config != v124Config && got != "":
				t.Errorf("%s in %s: not available (%q), but the tree has it", b.Name, rel.version, got)
			case !has && got == "":
				t.Errorf("%s in %s: available, but the tree has no such board", b.Name, rel.version)
			case !has && rel.files == nil && !strings.Contains(got, "has no ports/qemu"):
				t.Errorf("%s in %s: got %q, want it to say the tree has no ports/qemu", b.Name, rel.version, got)
			case !has && rel.files != nil && (!strings.Contains(got, "no ports/qemu board "+b.Name) || !strings.Contains(got, b.Since.String())):
				t.Errorf("%s in %s: got %q, want the board and %s named", b.Name, rel.version, got, b.Since)
			}
		}
		if first != b.Since {
			t.Errorf("%s: Since %s, but the first release with the board is %s", b.Name, b.Since, first)
		}
	}
}

// TestKeyCoversOwnPort: the cache key of mpyld's own ports changes with the
// sources mpyld carries for them, so that a firmware another mpyld built
// into the cache is never rebuilt in part (a module added to the lx106
// port left objmodule.o unbuilt: the link failed).
func TestKeyCoversOwnPort(t *testing.T) {
	tree := filepath.Join("..", "testdata", "trees", "v1.28.0")
	tg, err := linker.TreeTarget(tree)
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"xtensa", "xtensawin"} {
		b := *ForArch(arch)
		if b.Digest == nil {
			t.Fatalf("%s: board %s has no Digest", arch, b.Name)
		}
		k1, err := b.Key(tree, tg)
		if err != nil {
			t.Fatal(err)
		}
		if k2, _ := b.Key(tree, tg); k2 != k1 {
			t.Errorf("%s: key %s, then %s", arch, k1, k2)
		}
		b.Digest = func() string { return "other port sources" }
		if k3, _ := b.Key(tree, tg); k3 == k1 {
			t.Errorf("%s: key %s unchanged with other port sources", arch, k1)
		}
	}
	if ForArch("xtensa").Digest() == ForArch("xtensawin").Digest() {
		t.Errorf("lx106 and esp32win ports have one digest")
	}
}
