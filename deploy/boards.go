// This file implements the board cache: what each port's board reported,
// so that the next deploy needs one mpremote session.

package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mpyld/mpyld/internal/atomicfile"
)

// boardCache is where deploy remembers, per port, what the board reported
// last time, so that the next deploy needs one mpremote session: one
// "<port>\t<sys.implementation._mpy>" line each, in the module's build folder.
func boardCache(dir string) string { return filepath.Join(dir, "build", "deploy-boards") }

// portKey is the name of a port in the cache: Windows serial ports are the
// same in any case and with the \\.\ device prefix (COM3, com3, \\.\COM3).
func portKey(port string) string {
	if len(port) > 4 && port[:4] == `\\.\` {
		port = port[4:]
	}
	if u := strings.ToUpper(port); strings.HasPrefix(u, "COM") && strings.Trim(u[3:], "0123456789") == "" && len(u) > 3 {
		return u
	}
	return port
}

// ReadBoardCache returns what the board on port reported last time, or 0.
func ReadBoardCache(dir, port string) uint64 {
	data, _ := os.ReadFile(boardCache(dir))
	for _, line := range strings.Split(string(data), "\n") {
		if p, v, ok := strings.Cut(line, "\t"); ok && portKey(p) == portKey(port) {
			n, _ := strconv.ParseUint(v, 10, 64)
			return n
		}
	}
	return 0
}

// WriteBoardCache remembers what the board on port reported.
func WriteBoardCache(dir, port string, v uint64) {
	if v == 0 || ReadBoardCache(dir, port) == v {
		return
	}
	data, _ := os.ReadFile(boardCache(dir))
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if p, _, ok := strings.Cut(line, "\t"); ok && portKey(p) != portKey(port) {
			lines = append(lines, line)
		}
	}
	lines = append(lines, fmt.Sprintf("%s\t%d", portKey(port), v))
	if os.MkdirAll(filepath.Dir(boardCache(dir)), 0o755) == nil {
		atomicfile.Write(boardCache(dir), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	}
}
