// Package atomicfile writes files so that readers see the old file or the
// whole new one, never a part.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes data to a temporary file in name's folder and renames it to
// name; on any error nothing is left behind and name is untouched.
func Write(name string, data []byte, perm os.FileMode) (err error) {
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
	return os.Rename(f.Name(), name)
}
