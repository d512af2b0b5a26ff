package tarxz

import (
	"archive/tar"
	"bytes"
	"io"
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
