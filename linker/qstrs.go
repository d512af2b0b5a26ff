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

// qstrUse compiles on first use, not at start-up.
var qstrUse = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`MP_QSTR_[A-Za-z0-9_]*`) })

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

// ParseQstrs reads the native qstrs back from a config header, in file
// order: the lines "#define MP_QSTR_<name> (mp_native_...". It matches them
// by hand, not with a regexp, since every link reads the header.
func ParseQstrs(header []byte) []string {
	var q []string
	sc := bufio.NewScanner(bytes.NewReader(header))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("#define MP_QSTR_"))
		if !ok {
			continue
		}
		n := 0
		for n < len(rest) && (rest[n] == '_' || rest[n] >= '0' && rest[n] <= '9' || rest[n] >= 'a' && rest[n] <= 'z' || rest[n] >= 'A' && rest[n] <= 'Z') {
			n++
		}
		if bytes.HasPrefix(rest[n:], []byte(" (mp_native_")) {
			q = append(q, string(rest[:n]))
		}
	}
	return q
}
