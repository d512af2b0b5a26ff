package linker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpyld/mpyld/internal/testutil"
)

// FuzzLink links one fuzzed object for one of the arches (with
// --gc-sections when the arch byte's top bit is set, and for the profile
// its bits 4-5 pick): refusals are fine, panics (which Link turns into an
// "internal error") and hangs are not.
func FuzzLink(f *testing.F) {
	for i, p := range []string{"x64/hello/hello.o", "armv7m/tables/tables.o", "rv32imc/statq/statq.o", "xtensa/statq/statq.o", "x86/tables/tables.o",
		"xtensa/statdata/statdata.o", "armv6m/statdata/sections/statdata.o"} {
		data, err := os.ReadFile(filepath.Join(testutil.Golden(), p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8([]int{1, 3, 8, 6, 0, 6, 2}[i]))
		f.Add(data, uint8([]int{1, 3, 8, 6, 0, 6, 2}[i])|0x80|0x30)
	}
	f.Fuzz(func(t *testing.T, data []byte, arch uint8) {
		a := Arches[int(arch&0xf)%len(Arches)]
		cfg := &Config{Arch: a, Objects: []string{"fuzz.o"}, SourceName: "fuzz.mpy", Qstrs: []string{"a", "b"},
			ReadFile: func(string) ([]byte, error) { return data, nil }, GCSections: arch&0x80 != 0,
			Target: Target{Profile: Profiles[int(arch>>4&3)]}}
		done := make(chan struct{})
		var err error
		go func() {
			defer close(done)
			_, err = Link(cfg)
		}()
		select {
		case <-done:
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("link of %d bytes for %s did not finish in 5s", len(data), a.Name)
		}
	})
}
