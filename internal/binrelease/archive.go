// This file implements the reproducible archive formats of a release:
// .tar.gz for Linux and macOS, .zip for Windows.

package binrelease

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"time"
)

// File is one archive entry.
type File struct {
	Name string
	Data []byte
	Mode int64 // 0644 or 0755
}

func sorted(files []File) ([]File, error) {
	s := append([]File(nil), files...)
	sort.Slice(s, func(i, j int) bool { return s[i].Name < s[j].Name })
	for i := 1; i < len(s); i++ {
		if s[i-1].Name == s[i].Name {
			return nil, fmt.Errorf("duplicate archive entry %q", s[i].Name)
		}
	}
	return s, nil
}

// TarGz returns a .tar.gz of files: entries sorted by name, USTAR headers
// with mtime, owner and group 0 and no names; a gzip header with no name
// and no time. The same files and mtime always give the same bytes (with
// one Go version: compress/flate's output may change between them).
func TarGz(files []File, mtime time.Time) ([]byte, error) {
	s, err := sorted(files)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	gz, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, f := range s {
		h := &tar.Header{Name: f.Name, Typeflag: tar.TypeReg, Size: int64(len(f.Data)), Mode: f.Mode,
			ModTime: mtime.UTC().Truncate(time.Second), Format: tar.FormatUSTAR}
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
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Zip returns a .zip of files: entries sorted by name, deflated at the
// best compression, each with mtime (MS-DOS time and the extended
// timestamp, both from mtime) and its Unix mode.
func Zip(files []File, mtime time.Time) ([]byte, error) {
	s, err := sorted(files)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, f := range s {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: mtime.UTC().Truncate(2 * time.Second)}
		h.SetMode(fs.FileMode(f.Mode))
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.Data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
