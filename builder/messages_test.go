package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/linker"
)

// TestFloatHint: a module that uses floats, built where they are off,
// fails with the compiler's errors and a hint naming the arch's default
// and --float float. Needs a MicroPython tree (MPY_DIR), whose
// py/dynruntime.h leaves the float functions out without floats.
func TestFloatHint(t *testing.T) {
	mpyDir := os.Getenv("MPY_DIR")
	if mpyDir == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree")
	}
	src := `#include "py/dynruntime.h"
static mp_obj_t half(mp_obj_t x) { return mp_obj_new_float(mp_obj_get_float(x) / 2); }
static MP_DEFINE_CONST_FUN_OBJ_1(half_obj, half);
mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    mp_store_global(MP_QSTR_half, MP_OBJ_FROM_PTR(&half_obj));
    MP_DYNRUNTIME_INIT_EXIT
}
`
	for _, tt := range []struct{ arch, float, want string }{
		{"x64", "none", "hint: this build has MICROPY_FLOAT_IMPL=none"},
		{"rv32imc", "", "hint: MICROPY_FLOAT_IMPL=none is rv32imc's default in dynruntime.mk"},
		{"xtensa", "", "hint: MICROPY_FLOAT_IMPL=none is xtensa's default in dynruntime.mk"},
	} {
		t.Run(tt.arch, func(t *testing.T) {
			a, _ := linker.LookupArch(tt.arch)
			needCC(t, a)
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "f.c"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Build(context.Background(), Options{Dir: dir, Name: "f", Sources: []string{"f.c"}, MPYDirs: []string{mpyDir},
				Arches: []string{tt.arch}, Float: tt.float})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "--float float") {
				t.Errorf("got %v, want the compile error and %q ... --float float", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "mp_obj_new_float") {
				t.Errorf("the compiler's own error is missing: %v", err)
			}
		})
	}
}

// TestJoinArchErrors: an error several arches hit alike is said once, still
// a MissingToolError where it was one; others stay apart.
func TestJoinArchErrors(t *testing.T) {
	mt := &MissingToolError{Tool: "GNU make (to read the Makefile)", Tried: []string{"gmake", "make"}, Package: "make"}
	res := []Result{
		{Arch: "x86", Err: fmt.Errorf("x86: %w", mt)},
		{Arch: "x64", Err: fmt.Errorf("x64: %w", mt)},
		{Arch: "armv6m", Err: errors.New("armv6m: Makefile: make failed reading it for armv6m:\nboom")},
		{Arch: "armv7m", Err: errors.New("armv7m: Makefile: make failed reading it for armv7m:\nboom")},
		{Arch: "xtensa", Err: errors.New("xtensa: C compiler for xtensa not found")},
		{Arch: "rv32imc"},
	}
	err := joinArchErrors(res)
	want := "x86, x64: " + mt.Error() + "\narmv6m, armv7m: Makefile: make failed reading it:\nboom\nxtensa: C compiler for xtensa not found"
	if err == nil || err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	var got *MissingToolError
	if !errors.As(err, &got) {
		t.Errorf("the MissingToolError is lost")
	}
}

func TestFailedRule(t *testing.T) {
	for _, tt := range []struct{ stderr, want string }{
		{"false\nmake: *** [Makefile:12: lib/libfoo.a] Error 1", "lib/libfoo.a (Makefile:12)"},
		{"gmake[1]: *** [sub.mk:3: c:/x.o] Error 2\nmake: *** [Makefile:5: all] Error 2", "c:/x.o (sub.mk:3)"},
		{"make: *** [lib/libfoo.a] Error 1", "lib/libfoo.a"},
		{"Makefile:14: ../py/dynruntime.mk: No such file or directory\nmake: *** No rule to make target '../py/dynruntime.mk'.  Stop.", ""},
	} {
		if got := failedRule(tt.stderr); got != tt.want {
			t.Errorf("failedRule(%q) = %q, want %q", tt.stderr, got, tt.want)
		}
	}
}
