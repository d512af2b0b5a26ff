// This file implements the firmware folder's lock on Windows, with
// LockFileEx where Unix has flock.

package firmware

import (
	"math"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// lockDir holds an exclusive lock on dir/lock until unlock is called.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK, 0, math.MaxUint32, math.MaxUint32, ol); err != nil {
		f.Close()
		return nil, err
	}
	return func() { windows.UnlockFileEx(h, 0, math.MaxUint32, math.MaxUint32, ol); f.Close() }, nil
}
