// Package tarxz writes reproducible .tar.xz archives: entries sorted by
// name, one fixed modification time, owner and group 0, fixed modes.
package tarxz

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ulikunitz/xz"
)

// File is one archive entry; a name ending in "/" is a folder.
type File struct {
	Name string
	Data []byte
	Mode int64 // 0 means 0644 for files, 0755 for folders
}

// Write returns the .tar.xz of files, each entry with modification time
// mtime. The same files and mtime always give the same bytes.
func Write(files []File, mtime time.Time) ([]byte, error) {
	tb, err := tarStream(files, mtime)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	w, err := xz.WriterConfig{}.NewWriter(&out)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(tb); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// tarStream returns the tar of files, sorted by name.
func tarStream(files []File, mtime time.Time) ([]byte, error) {
	sorted := append([]File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	if mtime.Unix() < 0 {
		return nil, fmt.Errorf("archive time %v is before 1970", mtime)
	}
	var tb []byte
	for i, f := range sorted {
		if i > 0 && sorted[i-1].Name == f.Name {
			return nil, fmt.Errorf("duplicate archive entry %q", f.Name)
		}
		// Whole-second times, no access times, owner and group 0.
		mode, flag, data := f.Mode, byte('0'), f.Data
		if strings.HasSuffix(f.Name, "/") {
			flag, data = '5', nil
			if mode == 0 {
				mode = 0o755
			}
		} else if mode == 0 {
			mode = 0o644
		}
		var err error
		if tb, err = appendEntry(tb, f.Name, mode, flag, data, mtime.Unix()); err != nil {
			return nil, err
		}
	}
	return append(tb, make([]byte, 2*blockSize)...), nil // the end: two zero blocks
}
