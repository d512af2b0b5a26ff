// This file implements the fixed-address symbol files of --externs (spec §3.4).

package linker

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// externLine compiles on first use, not at start-up.
var externLine = lazyRegexp(`^(?:PROVIDE\(([A-Za-z_]\w*)=0[xX]([0-9A-Fa-f]+)\);|([A-Za-z_]\w*)=0[xX]([0-9A-Fa-f]+);)$`)

// ParseExterns reads a linker script of "sym = 0xADDR;" and
// "PROVIDE(sym = 0xADDR);" lines; comments and other lines are skipped.
// name is used in error messages.
func ParseExterns(name string, data []byte) (map[string]uint64, error) {
	syms := map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	inComment := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case inComment:
			if strings.HasSuffix(line, "*/") {
				inComment = false
			}
			continue
		case strings.HasPrefix(line, "/*"):
			if !strings.HasSuffix(line, "*/") || line == "/*/" {
				inComment = true
			}
			continue
		case strings.HasPrefix(line, "//"):
			continue
		}
		compact := strings.Join(strings.Fields(line), "")
		m := externLine().FindStringSubmatch(compact)
		if m == nil {
			continue
		}
		sym, hex := m[1], m[2]
		if sym == "" {
			sym, hex = m[3], m[4]
		}
		v, err := strconv.ParseUint(hex, 16, 64)
		if err != nil || v > 0xffffffff {
			return nil, fmt.Errorf("%s:%d: address 0x%s of %q does not fit 32 bits", name, n, hex, sym)
		}
		if _, dup := syms[sym]; dup {
			return nil, fmt.Errorf("%s:%d: symbol %q is defined twice", name, n, sym)
		}
		syms[sym] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return syms, nil
}
