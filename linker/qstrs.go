// This file implements the qstr config header: generating it from sources
// (mpy_ld.py --preprocess, spec §2) and reading it back at link time.

package linker

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/mpyld/mpyld/mpy"
)

// The patterns compile on first use, not at start-up.
var (
	qstrUse    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`MP_QSTR_[A-Za-z0-9_]*`) })
	qstrNative = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^#define MP_QSTR_([A-Za-z0-9_]*) \(mp_native_`) })
)

// NativeQstrs returns the qstrs used by the sources that are not static,
// sorted as the config header lists them.
func NativeQstrs(sources ...[]byte) []string {
	static := make(map[string]bool, len(mpy.StaticQstrs))
	for _, s := range mpy.StaticQstrs {
		static["MP_QSTR_"+mpy.EscapeQstr(s)] = true
	}
	seen := map[string]bool{}
	for _, src := range sources {
		for _, m := range qstrUse().FindAll(src, -1) {
			if id := string(m); !static[id] {
				seen[id] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for id := range seen {
		names = append(names, strings.TrimPrefix(id, "MP_QSTR_"))
	}
	sort.Strings(names)
	return names
}

// ConfigHeader returns the text of the config header for the native qstrs q.
func ConfigHeader(q []string) []byte {
	var b bytes.Buffer
	b.WriteString("#include <stdint.h>\ntypedef uintptr_t mp_uint_t;\ntypedef intptr_t mp_int_t;\ntypedef uintptr_t mp_off_t;\n")
	for i, s := range mpy.StaticQstrs {
		fmt.Fprintf(&b, "#define MP_QSTR_%s (%d)\n", mpy.EscapeQstr(s), i+1)
	}
	for i, s := range q {
		fmt.Fprintf(&b, "#define MP_QSTR_%s (mp_native_qstr_table[%d])\n", s, i+1)
	}
	b.WriteString("extern const uint16_t mp_native_qstr_table[];\nextern const mp_uint_t mp_native_obj_table[];\n")
	return b.Bytes()
}

// ParseQstrs reads the native qstrs back from a config header, in file order.
func ParseQstrs(header []byte) []string {
	var q []string
	sc := bufio.NewScanner(bytes.NewReader(header))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if m := qstrNative().FindSubmatch(sc.Bytes()); m != nil {
			q = append(q, string(m[1]))
		}
	}
	return q
}
