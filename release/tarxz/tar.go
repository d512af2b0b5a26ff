// This file implements the tar stream: USTAR headers, and a PAX "path"
// record for the names USTAR cannot hold, byte for byte as archive/tar
// writes them. archive/tar itself is not used: it imports os/user, which
// makes every mpyld binary built with cgo load the C library at start-up.

package tarxz

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

const (
	blockSize  = 512
	nameSize   = 100 // the name field of a header
	prefixSize = 155 // the USTAR prefix field
)

// header is one tar header block.
type header [blockSize]byte

// octal writes x as zero-padded octal followed by a NUL, as archive/tar
// does; ok is false when it does not fit.
func octal(b []byte, x int64) bool {
	s := strconv.FormatInt(x, 8)
	if x < 0 || len(s) > len(b)-1 {
		return false
	}
	copy(b, strings.Repeat("0", len(b)-1-len(s))+s)
	b[len(b)-1] = 0
	return true
}

// str writes s into b, NUL-terminated when it is shorter. A name cut to the
// field's length must not end in "/" (readers would take it for a folder).
func str(b []byte, s string) {
	copy(b, s)
	if len(s) < len(b) {
		b[len(s)] = 0
	}
	if len(s) > len(b) && b[len(b)-1] == '/' {
		b[len(strings.TrimRight(s[:len(b)-1], "/"))] = 0
	}
}

// fill sets the fields of a header; the name goes in the name field (cut
// to its length) and the prefix in the USTAR prefix field. PAX extended
// headers (flag 'x') leave the device numbers empty, as archive/tar does.
func (h *header) fill(prefix, name string, mode, size, mtime int64, flag byte) error {
	*h = header{}
	str(h[0:100], name)
	if !octal(h[100:108], mode) || !octal(h[108:116], 0) || !octal(h[116:124], 0) ||
		!octal(h[124:136], size) || !octal(h[136:148], mtime) {
		return fmt.Errorf("tar header of %q: mode %#o, size %d or time %d does not fit", name, mode, size, mtime)
	}
	if flag != 'x' {
		octal(h[329:337], 0)
		octal(h[337:345], 0)
	}
	h[156] = flag
	copy(h[257:265], "ustar\x0000")
	str(h[345:500], prefix)
	// The checksum counts its own field as spaces; it is six octal digits,
	// a NUL and a space.
	sum := int64(0)
	for i, c := range h {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	octal(h[148:155], sum)
	h[155] = ' '
	return nil
}

// splitUSTARPath splits a long name at a "/" into a prefix of up to 155
// bytes and a name of up to 100, as archive/tar does.
func splitUSTARPath(name string) (prefix, suffix string, ok bool) {
	length := len(name)
	if length <= nameSize || !isASCII(name) {
		return "", "", false
	} else if length > prefixSize+1 {
		length = prefixSize + 1
	} else if name[length-1] == '/' {
		length--
	}
	i := strings.LastIndex(name[:length], "/")
	nlen, plen := len(name)-i-1, i
	if i <= 0 || nlen > nameSize || nlen == 0 || plen > prefixSize {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0 {
			return false
		}
	}
	return true
}

// paxRecord is "<length> key=value\n", the length counting itself.
func paxRecord(k, v string) string {
	size := len(k) + len(v) + 3
	size += len(strconv.Itoa(size))
	rec := strconv.Itoa(size) + " " + k + "=" + v + "\n"
	if len(rec) != size {
		rec = strconv.Itoa(len(rec)) + " " + k + "=" + v + "\n"
	}
	return rec
}

// appendEntry appends the header(s) and the padded data of one entry.
func appendEntry(out []byte, name string, mode int64, flag byte, data []byte, mtime int64) ([]byte, error) {
	if !isASCII(name) {
		return nil, fmt.Errorf("archive entry %q: names must be ASCII", name)
	}
	var h header
	prefix := ""
	if len(name) > nameSize {
		if p, s, ok := splitUSTARPath(name); ok {
			prefix, name = p, s
		} else {
			// A PAX extended header carries the whole name; the header
			// after it has the name cut to 100 bytes.
			rec := paxRecord("path", name)
			dir, file := path.Split(name)
			xname := path.Join(dir, "PaxHeaders.0", file)
			if len(xname) > nameSize {
				xname = xname[:nameSize]
			}
			if err := h.fill("", strings.TrimRight(xname, "/"), 0, int64(len(rec)), 0, 'x'); err != nil {
				return nil, err
			}
			out = append(out, h[:]...)
			out = appendPadded(out, []byte(rec))
		}
	}
	if err := h.fill(prefix, name, mode, int64(len(data)), mtime, flag); err != nil {
		return nil, err
	}
	out = append(out, h[:]...)
	return appendPadded(out, data), nil
}

func appendPadded(out, data []byte) []byte {
	out = append(out, data...)
	if n := len(data) % blockSize; n != 0 {
		out = append(out, make([]byte, blockSize-n)...)
	}
	return out
}
