// This file implements finding the target of a MicroPython source tree.

package linker

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ErrNotTree is what TreeTarget's error wraps when dir is not a MicroPython
// tree at all.
var ErrNotTree = errors.New("not a MicroPython tree")

var defineNum = lazyRegexp(`(?m)^#define\s+(MICROPY_VERSION_MAJOR|MICROPY_VERSION_MINOR|MICROPY_VERSION_MICRO|MICROPY_VERSION_PRERELEASE|MPY_VERSION|MPY_SUB_VERSION)\s+(\d+)\s*$`)

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
	nums := map[string]int{}
	for _, f := range []string{"py/mpconfig.h", "py/persistentcode.h"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			if os.IsNotExist(err) {
				return Target{}, fmt.Errorf("%s is %w: %s is missing (set MPY_DIR or --mpy-dir to the top of a MicroPython checkout)", dir, ErrNotTree, f)
			}
			return Target{}, err
		}
		for _, m := range defineNum().FindAllSubmatch(data, -1) {
			n, _ := strconv.Atoi(string(m[2]))
			nums[string(m[1])] = n
		}
	}
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
