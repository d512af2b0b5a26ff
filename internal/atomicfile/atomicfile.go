// Package atomicfile writes files so that readers see the old file or the
// whole new one, never a part.
package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// Write writes data to a temporary file in name's folder and renames it to
// name; on any error nothing is left behind and name is untouched.
//
// When name already is a regular file with these bytes and permissions,
// only its modification time is set to now, as a rewrite would set it (make
// sees it as new): replacing a file costs a journal commit and, on ext4,
// a flush of the new data (auto_da_alloc), which makes up most of an
// up-to-date relink.
//
// On Windows, where a file open in another program (an editor, a virus
// scanner, mpremote) cannot be replaced, the rename is retried for about a
// second; permissions there are only read-only or not, and not compared.
func Write(name string, data []byte, perm os.FileMode) (err error) {
	if st, err := os.Lstat(name); err == nil && st.Mode().IsRegular() && (windows || st.Mode().Perm() == perm) && st.Size() == int64(len(data)) {
		if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
			now := time.Now()
			if os.Chtimes(name, now, now) == nil {
				return nil
			}
		}
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return rename(f.Name(), name)
}

// windows says whether mpyld runs on Windows (a variable for tests).
var windows = runtime.GOOS == "windows"

// rename renames old to name, retrying on Windows while name is open in
// another program (ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION).
func rename(old, name string) error {
	err := os.Rename(old, name)
	for i := 1; err != nil && windows && i <= 10 && busy(err); i++ {
		time.Sleep(time.Duration(i) * 20 * time.Millisecond)
		err = os.Rename(old, name)
	}
	return err
}

// busy reports whether err is Windows refusing to replace an open file.
func busy(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == 5 || errno == 32)
}
