//go:build unix

// This file implements the lock that keeps two mpyld processes from
// building one firmware in one folder at the same time.

package firmware

import (
	"os"
	"syscall"
)

// lockDir holds an exclusive lock on dir/lock until unlock is called.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(dir+"/lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
