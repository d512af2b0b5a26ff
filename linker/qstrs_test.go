package linker

import (
	"regexp"
	"strings"
	"testing"
)

// TestParseQstrs: the lines read back are those the pattern
// ^#define MP_QSTR_([A-Za-z0-9_]*) \(mp_native_ matches, in order.
func TestParseQstrs(t *testing.T) {
	header := strings.Join([]string{
		"#define MP_QSTR_add (mp_native_qstr_table[1])",
		"#define MP_QSTR_ (mp_native_qstr_table[2])",
		"#define MP_QSTR___init__ (1)",
		"#define MP_QSTR_a-b (mp_native_qstr_table[3])",
		" #define MP_QSTR_indented (mp_native_qstr_table[4])",
		"#define MP_QSTR_Z9_z (mp_native_qstr_table[5])",
		"#define MP_QSTR_two  (mp_native_qstr_table[6])",
		"#define MP_QSTR_tab\t(mp_native_qstr_table[7])",
		"#define MP_QSTR_last (mp_native_",
	}, "\n")
	re := regexp.MustCompile(`^#define MP_QSTR_([A-Za-z0-9_]*) \(mp_native_`)
	var want []string
	for _, line := range strings.Split(header, "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			want = append(want, m[1])
		}
	}
	if got := ParseQstrs([]byte(header)); strings.Join(got, ",") != strings.Join(want, ",") || len(got) != 4 {
		t.Errorf("got %q, want %q", got, want)
	}
}
