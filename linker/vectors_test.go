package linker

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"github.com/mpyld/mpyld/linker/x86"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/linker/arm"
	"github.com/mpyld/mpyld/linker/riscv"
	"github.com/mpyld/mpyld/linker/xtensa"
)

// TestVectors checks each instruction-set encoder against GNU ld: the lines
// of testdata/vectors.txt (made by testdata/genvectors.sh) hold the bytes
// GNU as leaves at a relocation and the bytes GNU ld writes with the code at
// P and the symbol at S.
func TestVectors(t *testing.T) {
	f, err := os.Open("testdata/vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		var typ, ps, ss, before, arrow, after string
		if _, err := fmt.Sscan(line, &typ, &ps, &ss, &before, &arrow, &after); err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		p, _ := strconv.ParseInt(strings.TrimPrefix(ps, "P=0x"), 16, 64)
		s, _ := strconv.ParseInt(strings.TrimPrefix(ss, "S=0x"), 16, 64)
		ins, _ := hex.DecodeString(before)
		want, _ := hex.DecodeString(after)
		v := s - p
		switch typ {
		case "R_ARM_THM_CALL", "R_ARM_THM_JUMP24":
			arm.PatchBranch(ins, v)
		case "R_RISCV_CALL_PLT":
			riscv.PatchCall(ins, v)
		case "R_RISCV_PCREL_HI20+LO12_I":
			riscv.PatchHi20(ins, v)
			riscv.PatchLo12I(ins[4:], v)
		case "R_RISCV_PCREL_HI20+LO12_S":
			riscv.PatchHi20(ins, v)
			riscv.PatchLo12S(ins[4:], v)
		case "R_RISCV_JAL":
			riscv.PatchJ(ins, v)
		case "R_RISCV_BRANCH":
			riscv.PatchB(ins, v)
		case "R_RISCV_RVC_JUMP":
			riscv.PatchCJ(ins, v)
		case "R_RISCV_RVC_BRANCH":
			riscv.PatchCB(ins, v)
		case "R_XTENSA_SLOT0_OP:call0", "R_XTENSA_SLOT0_OP:j":
			if err := xtensa.PatchCall(ins, p, s); err != nil {
				t.Errorf("%s: %v", line, err)
			}
		case "R_XTENSA_SLOT0_OP:l32r":
			if err := xtensa.PatchL32R(ins, p, s); err != nil {
				t.Errorf("%s: %v", line, err)
			}
		default:
			t.Fatalf("unknown vector type %q", typ)
		}
		n++
		if hex.EncodeToString(ins) != hex.EncodeToString(want) {
			t.Errorf("%s: got %x, want %x", line, ins, want)
		}
	}
	if n < 50 {
		t.Errorf("only %d vectors", n)
	}
}

// TestEntryJumps checks the entry jumps by hand-decoded instructions.
func TestEntryJumps(t *testing.T) {
	tests := []struct {
		name   string
		f      jumpForm
		target int64
		want   string
	}{
		{"x86 jmp", x86.Jmp32, 0x35, "e930000000"}, // jmp 0x35: rel32 = 0x35 - 5
		{"thumb b", arm.B, 0x10, "06e0"},           // b 0x10: imm11 = (0x10-4)/2 = 6
		{"thumb b back", arm.B, 0, "fee7"},         // 0xe7fe // b . (at offset 0: -4/2)
		{"thumb b.w", arm.BW, 0x2004, "02f000b8"},
		{"v6m push/bl/pop", arm.PushBLPop, 0x1006, "01b501f000f801bd"}, // bl at 2 to 0x1006: off 0x1000
		{"xtensa j", xtensa.J, 0x2c, "060a00"},                         // j 0x2c: (0x2c-4)<<6 | 6 = 0xa06
		{"rv c.j", riscv.CJ, 0x12, "09a8"},                             // c.j 0x12
		{"rv auipc/jalr", riscv.AuipcJalr, 0x1800, "972f000067800f80"}, // hi 0x2000, lo -0x800: jalr x0, -2048(t6)
	}
	for _, tt := range tests {
		b, ok := tt.f(tt.target)
		if !ok || hex.EncodeToString(b) != tt.want {
			t.Errorf("%s to %#x: got %x (%v), want %s", tt.name, tt.target, b, ok, tt.want)
		}
	}
}
