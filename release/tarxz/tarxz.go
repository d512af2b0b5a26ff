// Package tarxz writes reproducible .tar.xz archives: entries sorted by
// name, one fixed modification time, owner and group 0, fixed modes.
package tarxz

import (
	"archive/tar"
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
	sorted := append([]File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for i, f := range sorted {
		if i > 0 && sorted[i-1].Name == f.Name {
			return nil, fmt.Errorf("duplicate archive entry %q", f.Name)
		}
		// USTAR headers carry whole-second times and no access times; only
		// long names need PAX records.
		h := &tar.Header{Name: f.Name, ModTime: mtime.UTC().Truncate(time.Second), Format: tar.FormatUSTAR, Mode: f.Mode}
		if len(f.Name) > 100 {
			h.Format = tar.FormatPAX
		}
		if strings.HasSuffix(f.Name, "/") {
			h.Typeflag = tar.TypeDir
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(f.Data))
			if h.Mode == 0 {
				h.Mode = 0o644
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	w, err := xz.WriterConfig{}.NewWriter(&out)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(tb.Bytes()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
