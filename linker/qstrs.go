// This file implements the qstr config header: generating it from sources
// (mpy_ld.py --preprocess, spec §2 and §6.3) and reading it back at link time.

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
	qstrUse = lazyRegexp(`MP_QSTR_[A-Za-z0-9_]*`)
	qstrObj = lazyRegexp(`MP_OBJ_NEW_QSTR\((MP_QSTR_[A-Za-z0-9_]*)\)`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Qstrs are the strings a module's sources name: native qstrs (not in the
// static list; linked into the module's qstr table) and, for v1.20, the
// qstrs made into str objects by MP_OBJ_NEW_QSTR (the object table).
type Qstrs struct {
	Vals []string
	Objs []string
}

// ScanQstrs finds the qstrs the sources use, sorted as the config header
// lists them. For targets whose MP_OBJ_NEW_QSTR goes through the object
// table (v1.20) each line is scanned as v1.20 does: every
// MP_OBJ_NEW_QSTR(MP_QSTR_x) is taken out of the line first, then the
// remaining MP_QSTR_ names.
func ScanQstrs(t Target, sources ...[]byte) Qstrs {
	static := make(map[string]bool, len(mpy.StaticQstrs))
	for _, s := range mpy.StaticQstrs {
		static["MP_QSTR_"+mpy.EscapeQstr(s)] = true
	}
	vals, objs := map[string]bool{}, map[string]bool{}
	for _, src := range sources {
		if !t.ObjQstrs() {
			for _, m := range qstrUse().FindAll(src, -1) {
				vals[string(m)] = true
			}
			continue
		}
		for _, line := range bytes.SplitAfter(src, []byte("\n")) {
			for len(line) > 0 {
				var at []int
				if at = qstrObj().FindSubmatchIndex(line); at != nil {
					objs[string(line[at[2]:at[3]])] = true
				} else if at = qstrUse().FindIndex(line); at != nil {
					vals[string(line[at[0]:at[1]])] = true
				} else {
					break
				}
				line = append(line[:at[0]:at[0]], line[at[1]:]...)
			}
		}
	}
	var q Qstrs
	for id := range vals {
		if !static[id] {
			q.Vals = append(q.Vals, strings.TrimPrefix(id, "MP_QSTR_"))
		}
	}
	for id := range objs {
		q.Objs = append(q.Objs, strings.TrimPrefix(id, "MP_QSTR_"))
	}
	sort.Strings(q.Vals)
	sort.Strings(q.Objs)
	return q
}

// ConfigHeader returns the text of the config header the target's
// mpy_ld.py --preprocess writes for q.
func ConfigHeader(t Target, q Qstrs) []byte {
	var b bytes.Buffer
	b.WriteString("#include <stdint.h>\n")
	if t.IntTypedefs {
		b.WriteString("typedef uintptr_t mp_uint_t;\ntypedef intptr_t mp_int_t;\n")
	}
	b.WriteString("typedef uintptr_t mp_off_t;\n")
	for i, s := range mpy.StaticQstrs {
		fmt.Fprintf(&b, "#define MP_QSTR_%s (%d)\n", mpy.EscapeQstr(s), i+1)
	}
	for i, s := range q.Vals {
		fmt.Fprintf(&b, "#define MP_QSTR_%s (mp_native_qstr_table[%d])\n", s, i+1)
	}
	for i, s := range q.Objs {
		fmt.Fprintf(&b, "#define MP_OBJ_NEW_QSTR_MP_QSTR_%s ((mp_obj_t)mp_native_obj_table[%d])\n", s, i)
	}
	b.WriteString("extern const uint16_t mp_native_qstr_table[];\n")
	if t.IntTypedefs {
		b.WriteString("extern const mp_uint_t mp_native_obj_table[];\n")
	} else {
		b.WriteString("extern const uintptr_t mp_native_obj_table[];\n")
	}
	return b.Bytes()
}

// ParseConfig reads the native qstrs and object-table qstrs back from a
// config header, in file order.
func ParseConfig(header []byte) Qstrs {
	var q Qstrs
	sc := bufio.NewScanner(bytes.NewReader(header))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if name, rest, ok := qstrDefine(line, "#define MP_QSTR_"); ok && bytes.HasPrefix(rest, []byte(" (mp_native_")) {
			q.Vals = append(q.Vals, name)
		} else if name, _, ok := qstrDefine(line, "#define MP_OBJ_NEW_QSTR_MP_QSTR_"); ok {
			q.Objs = append(q.Objs, name)
		}
	}
	return q
}

// qstrDefine splits a config header line that starts with prefix into the
// qstr name after it (letters, digits and underscores, maybe none) and the
// rest of the line.
func qstrDefine(line []byte, prefix string) (name string, rest []byte, ok bool) {
	after, ok := bytes.CutPrefix(line, []byte(prefix))
	if !ok {
		return "", nil, false
	}
	n := 0
	for n < len(after) && (after[n] == '_' || '0' <= after[n] && after[n] <= '9' || 'a' <= after[n] && after[n] <= 'z' || 'A' <= after[n] && after[n] <= 'Z') {
		n++
	}
	return string(after[:n]), after[n:], true
}
