package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.mpy")
	check := func(what, want string, perm os.FileMode) os.FileInfo {
		t.Helper()
		got, err := os.ReadFile(p)
		if err != nil || string(got) != want {
			t.Fatalf("%s: got %q, %v; want %q", what, got, err, want)
		}
		st, _ := os.Lstat(p)
		if st.Mode() != perm && !windows { // Windows files are only read-only or not
			t.Errorf("%s: mode %v, want %v", what, st.Mode(), perm)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("%s: %d files in the folder, want 1", what, len(entries))
		}
		return st
	}
	if err := Write(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	st1 := check("new", "one", 0o644)
	// The same bytes: the file stays (same inode), with a new time.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(p, old, old)
	if err := Write(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	st2 := check("same", "one", 0o644)
	if !os.SameFile(st1, st2) {
		t.Errorf("same bytes: the file was replaced")
	}
	if !st2.ModTime().After(old.Add(time.Minute)) {
		t.Errorf("same bytes: modification time %v not updated", st2.ModTime())
	}
	// Other bytes, or other permissions: replaced (the old inode may be
	// reused, so each is compared with the file just before).
	prev := st2
	for _, c := range []struct {
		data string
		perm os.FileMode
	}{{"two", 0o644}, {"two", 0o600}} {
		if windows && c.perm != 0o644 {
			continue // permissions are not compared there
		}
		if err := Write(p, []byte(c.data), c.perm); err != nil {
			t.Fatal(err)
		}
		st := check("changed", c.data, c.perm)
		if os.SameFile(st, prev) {
			t.Errorf("%q %v: the old file was kept", c.data, c.perm)
		}
		prev = st
	}
	if windows {
		return // symbolic links need privileges there
	}
	// A symbolic link is replaced by a file, never written through.
	target := filepath.Join(t.TempDir(), "target")
	os.WriteFile(target, []byte("two"), 0o600)
	os.Remove(p)
	os.Symlink(target, p)
	if err := Write(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	check("symlink", "two", 0o600)
	// No folder: an error, nothing written.
	if err := Write(filepath.Join(dir, "nope", "m.mpy"), []byte("x"), 0o644); err == nil {
		t.Errorf("write into a missing folder succeeded")
	}
}

// TestReplaceOpenFile: a file another program holds open is replaced once
// it lets go (Windows refuses the rename meanwhile; elsewhere it never
// does).
func TestReplaceOpenFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.mpy")
	if err := Write(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		time.Sleep(150 * time.Millisecond)
		f.Close()
		close(done)
	}()
	err = Write(p, []byte("new"), 0o644)
	<-done
	if err != nil {
		t.Fatalf("replacing an open file: %v", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "new" {
		t.Errorf("got %q, want new", got)
	}
}

func TestBusy(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&os.LinkError{Op: "rename", Err: syscall.Errno(5)}, true},
		{&os.LinkError{Op: "rename", Err: syscall.Errno(32)}, true},
		{&os.LinkError{Op: "rename", Err: syscall.Errno(2)}, false},
		{os.ErrNotExist, false},
	} {
		if got := busy(tt.err); got != tt.want {
			t.Errorf("busy(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
