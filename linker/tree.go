// This file implements finding the target of a MicroPython source tree.

package linker

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mpyld/mpyld/internal/atomicfile"
)

// ErrNotTree is what TreeTarget's error wraps when dir is not a MicroPython
// tree at all.
var ErrNotTree = errors.New("not a MicroPython tree")

// versionDefines are the macros TreeTarget reads.
var versionDefines = map[string]bool{"MICROPY_VERSION_MAJOR": true, "MICROPY_VERSION_MINOR": true, "MICROPY_VERSION_MICRO": true,
	"MICROPY_VERSION_PRERELEASE": true, "MPY_VERSION": true, "MPY_SUB_VERSION": true}

// defineNums adds to nums the lines "#define NAME 123" of a header for the
// names in versionDefines. A hand scan: every link with MPY_DIR set reads
// py/mpconfig.h (90 KB), where a multi-line regexp took milliseconds.
// Lines may end in CRLF (a checkout on Windows).
func defineNums(data []byte, nums map[string]int) {
	define := []byte("#define")
	for {
		i := bytes.Index(data, define)
		if i < 0 {
			return
		}
		atStart := i == 0 || data[i-1] == '\n'
		rest := data[i+len(define):]
		if j := bytes.IndexByte(rest, '\n'); j >= 0 {
			rest, data = rest[:j], rest[j:]
		} else {
			data = nil
		}
		name := bytes.TrimLeft(rest, " \t")
		if !atStart || len(name) == len(rest) || !bytes.HasPrefix(name, []byte("MICROPY_VERSION_")) && !bytes.HasPrefix(name, []byte("MPY_")) {
			continue
		}
		f := bytes.Fields(name)
		if len(f) != 2 || !versionDefines[string(f[0])] {
			continue
		}
		n, err := strconv.Atoi(string(f[1]))
		if err != nil || n < 0 || f[1][0] == '+' {
			continue
		}
		nums[string(f[0])] = n
	}
}

// TreeAround returns the MicroPython tree that holds dir (natmod examples
// built inside MicroPython), or "".
func TreeAround(dir string) string {
	for {
		if isFile(filepath.Join(dir, "py", "persistentcode.h")) && isFile(filepath.Join(dir, "tools", "mpy_ld.py")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// TreeTarget reads the MicroPython version (py/mpconfig.h) and the .mpy
// sub-version (py/persistentcode.h) of the tree at dir and returns its
// target: the profile of that sub-version, dev for previews and releases
// after v1.28.
func TreeTarget(dir string) (Target, error) {
	nums, err := readTreeNums(dir)
	if err != nil {
		return Target{}, err
	}
	return treeTarget(dir, nums)
}

// treeHeaders are the files TreeTarget reads.
var treeHeaders = []string{"py/mpconfig.h", "py/persistentcode.h"}

// TreeTargetCached is TreeTarget with the numbers it read remembered in
// cacheDir, keyed on the tree's path and the size and modification time of
// its two headers: a link under "make MPY_LD=mpyld" with MPY_DIR set then
// stats two files instead of reading 95 KB. Without a cacheDir, or when the
// cache cannot be read or written, it reads the headers.
func TreeTargetCached(dir, cacheDir string) (Target, error) {
	if cacheDir == "" {
		return TreeTarget(dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return TreeTarget(dir)
	}
	key := sha256.New()
	fmt.Fprintf(key, "%s\x00", abs)
	for _, f := range treeHeaders {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			return TreeTarget(dir) // its error
		}
		fmt.Fprintf(key, "%d %d\x00", st.Size(), st.ModTime().UnixNano())
	}
	sum := hex.EncodeToString(key.Sum(nil))
	path := filepath.Join(cacheDir, "tree-"+sum[:32])
	if data, err := os.ReadFile(path); err == nil {
		if k, rest, ok := strings.Cut(string(data), "\n"); ok && k == sum {
			nums := map[string]int{}
			for _, line := range strings.Split(strings.TrimSpace(rest), "\n") {
				name, val, _ := strings.Cut(line, " ")
				if n, err := strconv.Atoi(val); err == nil && versionDefines[name] {
					nums[name] = n
				}
			}
			return treeTarget(dir, nums)
		}
	}
	nums, err := readTreeNums(dir)
	if err != nil {
		return Target{}, err
	}
	var b strings.Builder
	b.WriteString(sum + "\n")
	names := make([]string, 0, len(nums))
	for n := range nums {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "%s %d\n", n, nums[n])
	}
	if os.MkdirAll(cacheDir, 0o755) == nil {
		atomicfile.Write(path, []byte(b.String()), 0o644) // a cache: failing to write it costs only time
	}
	return treeTarget(dir, nums)
}

// readTreeNums reads the version macros of the tree's headers.
func readTreeNums(dir string) (map[string]int, error) {
	nums := map[string]int{}
	for _, f := range treeHeaders {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			if os.IsNotExist(err) {
				return nil, fmt.Errorf("%s is %w: %s is missing (set MPY_DIR or --mpy-dir to the top of a MicroPython checkout)", dir, ErrNotTree, f)
			}
			return nil, err
		}
		defineNums(data, nums)
	}
	return nums, nil
}

// treeTarget is the target of the tree at dir with the version macros nums.
func treeTarget(dir string, nums map[string]int) (Target, error) {
	for _, k := range []string{"MICROPY_VERSION_MAJOR", "MICROPY_VERSION_MINOR", "MICROPY_VERSION_MICRO", "MPY_VERSION"} {
		if _, ok := nums[k]; !ok {
			return Target{}, fmt.Errorf("%s: cannot read %s from py/mpconfig.h or py/persistentcode.h", dir, k)
		}
	}
	v := Version{Major: nums["MICROPY_VERSION_MAJOR"], Minor: nums["MICROPY_VERSION_MINOR"], Micro: nums["MICROPY_VERSION_MICRO"],
		Preview: nums["MICROPY_VERSION_PRERELEASE"] != 0}
	if nums["MPY_VERSION"] != 6 {
		return Target{}, fmt.Errorf("%s: MicroPython %s writes .mpy version %d; mpyld writes version 6 (v1.20 and later)", dir, v, nums["MPY_VERSION"])
	}
	sub := nums["MPY_SUB_VERSION"] // absent before v1.20: 6.0
	if v.Compare(ProfileV128.Last) > 0 {
		if sub != 3 {
			return Target{}, fmt.Errorf("%s: MicroPython %s has .mpy 6.%d, which mpyld does not know (newest known: 6.3)", dir, v, sub)
		}
		return Target{Profile: ProfileDev, Version: v}, nil
	}
	// Inside the released span the sub-version decides, so that a preview
	// tree between two releases gets the ABI it really has.
	for _, p := range Profiles[:3] {
		if p.SubVersion == sub {
			return Target{Profile: p, Version: v}, nil
		}
	}
	return Target{}, fmt.Errorf("%s: MicroPython %s has .mpy 6.%d, which mpyld does not support (6.1 to 6.3: v1.20 and later)", dir, v, sub)
}
