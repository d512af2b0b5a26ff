// This file implements the test script: a preamble that puts the module's
// bytes in RAM, mounts a read-only filesystem that serves them and imports
// the module under its name, then the test itself.

package testrun

import (
	"fmt"
	"strings"
)

// startMarker is printed between the preamble and the test, so that what
// the preamble prints (or the error it raises) is told from the test's output.
const startMarker = "==mpyld test start=="

// chunk is how many bytes of the module one script part carries: the raw
// REPL keeps a whole part in RAM before compiling it, so the module goes in
// pieces on boards with a small heap.
const chunk = 2048

// scriptParts returns the parts of a test script, run one after the other
// in the same MicroPython: the module's bytes into a bytearray, the VFS and
// the import, then the test.
func scriptParts(name string, module, test []byte) [][]byte {
	var parts [][]byte
	parts = append(parts, []byte(fmt.Sprintf("__mpyld_buf = bytearray(%d)\n", len(module))))
	for off := 0; off < len(module); off += chunk {
		end := min(off+chunk, len(module))
		parts = append(parts, []byte(fmt.Sprintf("__mpyld_buf[%d:%d] = %s\n", off, end, bytesLiteral(module[off:end]))))
	}
	parts = append(parts, []byte(preamble(name)))
	parts = append(parts, test)
	return parts
}

// preamble mounts a filesystem with one file, __mpyld_mod.mpy, whose
// contents are __mpyld_buf, imports it and makes it the module name (a
// built-in module of the same name, such as re, would win an import by
// name), and prints the start marker. Before v1.23 mount was in os, not vfs.
// The mount stays in sys.path: with sys.path empty (the QEMU boards'), an
// import ignores sys.modules.
func preamble(name string) string {
	return `import sys, io
try:
    import vfs as __mpyld_vfs
except ImportError:
    import os as __mpyld_vfs
if '' in sys.path:
    sys.path.remove('')

class __MpyldFile(io.IOBase):
    def __init__(self):
        self.off = 0
    def ioctl(self, request, arg):
        return 0 if request == 4 else -1  # MP_STREAM_CLOSE
    def readinto(self, buf):
        n = min(len(buf), len(__mpyld_buf) - self.off)
        buf[:n] = memoryview(__mpyld_buf)[self.off:self.off + n]
        self.off += n
        return n

class __MpyldFS:
    def mount(self, readonly, mkfs):
        pass
    def umount(self):
        pass
    def chdir(self, path):
        pass
    def stat(self, path):
        if path == '/__mpyld_mod.mpy':
            return (0x8000, 0, 0, 0, 0, 0, len(__mpyld_buf), 0, 0, 0)
        raise OSError(2)  # ENOENT
    def open(self, path, mode):
        return __MpyldFile()

__mpyld_vfs.mount(__MpyldFS(), '/__mpyld')
sys.path.insert(0, '/__mpyld')
sys.modules['` + name + `'] = __import__('__mpyld_mod')
print('` + startMarker + `')
`
}

// bytesLiteral writes b as a Python bytes literal.
func bytesLiteral(b []byte) string {
	var s strings.Builder
	s.WriteString("b'")
	for _, c := range b {
		switch {
		case c == '\\' || c == '\'':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, "\\x%02x", c)
		}
	}
	s.WriteString("'")
	return s.String()
}
