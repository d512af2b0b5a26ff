// This file implements the .xz container around an LZMA2 stream (xz file
// format 1.2.1): one block, CRC64 check, written byte for byte as
// ulikunitz/xz's Writer writes it with its default configuration. The
// container is written here, and only ulikunitz/xz/lzma imported, because
// the xz package builds its CRC tables at package initialisation: on every
// start of mpyld, not only when a release is written.

package tarxz

import (
	"bytes"
	"encoding/binary"
	"hash/crc64"
	"sync"

	"github.com/ulikunitz/xz/lzma"
)

// xzDictCap is the LZMA2 dictionary size (the xz Writer's default).
const xzDictCap = 8 << 20

// crc32Table is the IEEE CRC-32 table, built on first use.
var crc32Table = sync.OnceValue(func() *[256]uint32 {
	var t [256]uint32
	for i := range t {
		c := uint32(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xedb88320
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return &t
})

func crc32IEEE(b []byte) uint32 {
	t := crc32Table()
	c := ^uint32(0)
	for _, x := range b {
		c = t[byte(c)^x] ^ c>>8
	}
	return ^c
}

func appendUvarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

func pad4(b []byte, n int) []byte {
	for ; n%4 != 0; n++ {
		b = append(b, 0)
	}
	return b
}

// writeXZ compresses data into an .xz stream.
func writeXZ(data []byte) ([]byte, error) {
	le := binary.LittleEndian
	const checkCRC64 = 0x04
	// Stream header: magic, flags, CRC32 of the flags.
	out := []byte{0xfd, '7', 'z', 'X', 'Z', 0, 0, checkCRC64}
	out = le.AppendUint32(out, crc32IEEE(out[6:8]))
	// Block header: size/4-1, flags (one filter, no sizes), the LZMA2
	// filter (ID 0x21, one property byte: the dictionary size), padding,
	// CRC32.
	bh := []byte{0, 0, 0x21, 1, lzma.EncodeDictCap(xzDictCap)}
	bh = pad4(bh, len(bh))
	bh[0] = byte((len(bh)+4)/4 - 1)
	bh = le.AppendUint32(bh, crc32IEEE(bh))
	out = append(out, bh...)
	// The LZMA2 stream, as the xz Writer configures it.
	var comp bytes.Buffer
	w, err := lzma.Writer2Config{Properties: &lzma.Properties{LC: 3, LP: 0, PB: 2}, DictCap: xzDictCap, BufSize: 4096}.NewWriter2(&comp)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	out = append(out, comp.Bytes()...)
	out = pad4(out, comp.Len())
	out = le.AppendUint64(out, crc64.Checksum(data, crc64.MakeTable(crc64.ECMA)))
	// Index: one record (unpadded block size, uncompressed size), padding,
	// CRC32.
	unpadded := uint64(len(bh) + comp.Len() + 8)
	idx := appendUvarint(appendUvarint([]byte{0, 1}, unpadded), uint64(len(data)))
	idx = pad4(idx, len(idx))
	idx = le.AppendUint32(idx, crc32IEEE(idx))
	out = append(out, idx...)
	// Stream footer: CRC32 of the backward size and flags, the index size
	// as size/4-1, flags, magic.
	ft := le.AppendUint32(nil, uint32(len(idx)/4-1))
	ft = append(ft, 0, checkCRC64)
	out = le.AppendUint32(out, crc32IEEE(ft))
	out = append(out, ft...)
	return append(out, 'Y', 'Z'), nil
}
