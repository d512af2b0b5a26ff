// Package mpy reads and writes MicroPython .mpy files (version 6).
package mpy

import "fmt"

// AppendVuint appends v in the .mpy variable-length form: 7-bit groups, most
// significant first, bit 7 set on every byte but the last.
func AppendVuint(b []byte, v uint64) []byte {
	var tmp [10]byte
	i := len(tmp) - 1
	tmp[i] = byte(v & 0x7f)
	for v >>= 7; v != 0; v >>= 7 {
		i--
		tmp[i] = byte(v&0x7f) | 0x80
	}
	return append(b, tmp[i:]...)
}

// decoder reads .mpy primitives from a byte slice and records the first error.
type decoder struct {
	data []byte
	off  int
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = &FormatError{Off: int64(d.off), Msg: fmt.Sprintf(format, args...)}
	}
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.data) {
		d.fail("unexpected end of file")
		return 0
	}
	b := d.data[d.off]
	d.off++
	return b
}

func (d *decoder) bytes(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.data)-d.off) {
		d.fail("unexpected end of file: %d bytes wanted, %d left", n, len(d.data)-d.off)
		return nil
	}
	b := d.data[d.off : d.off+int(n)]
	d.off += int(n)
	return b
}

func (d *decoder) vuint() uint64 {
	var v uint64
	start := d.off
	for i := 0; ; i++ {
		if i == 10 {
			d.off = start
			d.fail("variable-length integer too long")
			return 0
		}
		b := d.byte()
		if d.err != nil {
			return 0
		}
		v = v<<7 | uint64(b&0x7f)
		if b&0x80 == 0 {
			return v
		}
	}
}

// FormatError is a problem in a .mpy file, at a byte offset.
type FormatError struct {
	Off int64
	Msg string
}

func (e *FormatError) Error() string { return fmt.Sprintf("offset %#x: %s", e.Off, e.Msg) }
