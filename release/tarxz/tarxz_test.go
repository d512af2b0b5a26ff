package tarxz

import (
	"archive/tar"
	"bytes"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ulikunitz/xz"
)

func TestReproducible(t *testing.T) {
	files := []File{{Name: "m-1/x64/m.mpy", Data: []byte("M\x06")}, {Name: "m-1/", Data: nil}, {Name: "m-1/SHA256SUMS", Data: []byte("abc\n")}}
	a, err := Write(files, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	rev := []File{files[2], files[0], files[1]}
	b, err := Write(rev, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("same files in another order give other bytes")
	}
	r, err := xz.NewReader(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(r)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.ModTime.Unix() != 1700000000 || h.Uname != "" {
			t.Errorf("%s: uid %d gid %d mtime %v uname %q", h.Name, h.Uid, h.Gid, h.ModTime, h.Uname)
		}
		names = append(names, h.Name)
	}
	if got := names; len(got) != 3 || got[0] != "m-1/" || got[1] != "m-1/SHA256SUMS" || got[2] != "m-1/x64/m.mpy" {
		t.Errorf("entries %v, want sorted", got)
	}
	if _, err := Write([]File{{Name: "a"}, {Name: "a"}}, time.Unix(0, 0)); err == nil {
		t.Errorf("duplicate entries accepted")
	}
}

// archiveTar writes files as the archive/tar package does, with the
// headers tarStream means to write.
func archiveTar(t *testing.T, files []File, mtime time.Time) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
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
			t.Fatalf("%s: %v", f.Name, err)
		}
		tw.Write(f.Data)
	}
	tw.Close()
	return b.Bytes()
}

// TestSameAsArchiveTar: the tar stream is byte for byte what archive/tar
// writes, for short names, names USTAR splits, names that need a PAX
// record, folders, modes and sizes around the block size.
func TestSameAsArchiveTar(t *testing.T) {
	long := func(parts ...int) string {
		var s []string
		for i, n := range parts {
			s = append(s, strings.Repeat(string(rune('a'+i)), n))
		}
		return strings.Join(s, "/")
	}
	names := []string{
		"m-1/", "m-1/x64/m.mpy", "m-1/SHA256SUMS",
		long(100), long(99) + "/", long(60, 60), long(60, 60) + "/", long(150, 100), long(155, 100), long(156, 10),
		long(10, 101), long(300), long(120, 120, 120), long(120, 120, 120) + "/", long(99, 99, 99, 99) + "/",
		long(50, 45) + "/" + long(98) + "/", long(40, 40, 40, 40, 40) + "x",
	}
	var files []File
	for i, n := range names {
		f := File{Name: n}
		if !strings.HasSuffix(n, "/") {
			f.Data = bytes.Repeat([]byte{byte(i)}, []int{0, 1, 511, 512, 513, 4096}[i%6])
		}
		if i%4 == 1 {
			f.Mode = 0o600
		}
		files = append(files, f)
	}
	for _, mtime := range []time.Time{time.Unix(0, 0), time.Unix(1700000000, 0), time.Unix(1<<33-1, 0)} {
		got, err := tarStream(files, mtime)
		if err != nil {
			t.Fatal(err)
		}
		sorted := append([]File(nil), files...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
		want := archiveTar(t, sorted, mtime)
		if !bytes.Equal(got, want) {
			for i := 0; i < len(got) && i < len(want); i++ {
				if got[i] != want[i] {
					t.Fatalf("mtime %d: byte %#x (block %d, offset %d) is %#02x, archive/tar writes %#02x", mtime.Unix(), i, i/512, i%512, got[i], want[i])
				}
			}
			t.Fatalf("mtime %d: %d bytes, archive/tar writes %d", mtime.Unix(), len(got), len(want))
		}
	}
	if _, err := tarStream([]File{{Name: "é.mpy"}}, time.Unix(0, 0)); err == nil {
		t.Errorf("non-ASCII name accepted")
	}
	if _, err := tarStream([]File{{Name: "m.mpy"}}, time.Unix(-1, 0)); err == nil {
		t.Errorf("time before 1970 accepted")
	}
}
