package linker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mpyld/mpyld/internal/testutil"
)

// FuzzLink links one fuzzed object for one of the arches (with
// --gc-sections when the arch byte's top bit is set): refusals are fine,
// panics are not.
func FuzzLink(f *testing.F) {
	for i, p := range []string{"x64/hello/hello.o", "armv7m/tables/tables.o", "rv32imc/statq/statq.o", "xtensa/statq/statq.o", "x86/tables/tables.o"} {
		data, err := os.ReadFile(filepath.Join(testutil.Golden(), p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8([]int{1, 3, 8, 6, 0}[i]))
		f.Add(data, uint8([]int{1, 3, 8, 6, 0}[i])|0x80)
	}
	f.Fuzz(func(t *testing.T, data []byte, arch uint8) {
		a := Arches[int(arch)%len(Arches)]
		cfg := &Config{Arch: a, Objects: []string{"fuzz.o"}, SourceName: "fuzz.mpy", Qstrs: []string{"a", "b"},
			ReadFile: func(string) ([]byte, error) { return data, nil }, GCSections: arch&0x80 != 0}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Link(cfg)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("link of %d bytes for %s did not finish in 5s", len(data), a.Name)
		}
	})
}
