package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/linker"
)

// makeVarsModule uses, with -DUSE_LIBC, a C library function (strspn: in
// libc.a, not libm.a), so that the runtime libraries show.
const makeVarsModule = `#include "py/dynruntime.h"
#include <string.h>
#ifndef VALUE
#define VALUE 1
#endif
static mp_obj_t span(mp_obj_t x) {
#ifdef USE_LIBC
    return mp_obj_new_int(strspn(mp_obj_str_get_str(x), "abc") + VALUE);
#else
    return mp_obj_new_int(mp_obj_get_int(x) + VALUE);
#endif
}
static MP_DEFINE_CONST_FUN_OBJ_1(span_obj, span);
mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    mp_store_global(MP_QSTR_span, MP_OBJ_FROM_PTR(&span_obj));
    MP_DYNRUNTIME_INIT_EXIT
}
`

// TestMakeVariables: for each make variable that the tree's
// py/dynruntime.mk derives something from, "mpyld build VAR=value" does
// what "make MPY_LD=mpyld VAR=value" does: the same module bytes, or both
// fail. Run against the tree in MPY_DIR (CI: each supported version).
func TestMakeVariables(t *testing.T) {
	mpyDir := os.Getenv("MPY_DIR")
	if mpyDir == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	self, err := exec.LookPath("mpyld") // this test binary, put on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	target, err := linker.TreeTarget(mpyDir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		arch string
		vars []string
	}{
		// USE_PICOLIBC and USE_MUSL choose libc.a over libm.a (v1.28 and
		// later); PICOLIBC_ROOT is where picolibc is when the compiler
		// does not say.
		{"xtensa", []string{"LINK_RUNTIME=1", "USE_PICOLIBC=1", "CFLAGS_EXTRA=-DUSE_LIBC"}},
		{"xtensa", []string{"LINK_RUNTIME=1", "CFLAGS_EXTRA=-DUSE_LIBC"}},
		{"armv6m", []string{"LINK_RUNTIME=1", "USE_PICOLIBC=1", "CFLAGS_EXTRA=-DUSE_LIBC"}},
		{"armv6m", []string{"LINK_RUNTIME=1", "USE_MUSL=1", "CFLAGS_EXTRA=-DUSE_LIBC"}},
		{"rv32imc", []string{"LINK_RUNTIME=1", "CFLAGS_EXTRA=-DUSE_LIBC"}},
		{"rv32imc", []string{"LINK_RUNTIME=1", "USE_PICOLIBC=1", "PICOLIBC_ROOT=/nonexistent", "CFLAGS_EXTRA=-DUSE_LIBC"}},
		{"xtensa", []string{"LINK_RUNTIME=1"}},
		{"armv7emsp", []string{"LINK_RUNTIME=1", "MICROPY_FLOAT_IMPL=double"}},
		{"armv6m", []string{"LINK_RUNTIME=0"}},
		{"armv6m", []string{"MICROPY_FLOAT_IMPL=none"}},
		{"rv32imc", []string{"ARCH_FLAGS=zba"}},
		{"x64", []string{"MICROPY_FLOAT_IMPL=float"}},
		{"x64", []string{"CFLAGS_EXTRA=-DVALUE=2"}},
		{"x64", []string{"BUILD=out"}},
		{"xtensa", []string{"MPY_EXTERN_SYM_FILE=" + filepath.Join(mpyDir, "ports/esp8266/boards/eagle.rom.addr.v6.ld")}},
	}
	for _, tt := range tests {
		t.Run(tt.arch+"/"+strings.Join(tt.vars, ","), func(t *testing.T) {
			a, _ := linker.LookupArch(tt.arch)
			if err := target.Check(a, 0); err != nil {
				t.Skip(err)
			}
			if _, err := exec.LookPath(a.CrossPrefix + "gcc"); err != nil && a.CrossPrefix != "" {
				t.Skipf("%sgcc not installed", a.CrossPrefix)
			}
			dir := t.TempDir()
			mf := "MOD = span\nSRC = span.c\nARCH = " + tt.arch + "\ninclude $(MPY_DIR)/py/dynruntime.mk\n"
			os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mf), 0o644)
			os.WriteFile(filepath.Join(dir, "span.c"), []byte(makeVarsModule), 0o644)
			reset := func() {
				for _, p := range []string{"build", "build-" + tt.arch, "out", "span.mpy"} {
					os.RemoveAll(filepath.Join(dir, p))
				}
			}
			args := append([]string{"MPY_DIR=" + mpyDir, "MPY_LD=" + self, "MPY_TOOL=" + self}, tt.vars...)
			mk := exec.Command("make", args...)
			mk.Dir = dir
			out, mkErr := mk.CombinedOutput()
			want, _ := os.ReadFile(filepath.Join(dir, "span.mpy"))
			reset()
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"mpyld", "build", "--dir", dir, "--mpy-dir", mpyDir}, tt.vars...), &stdout, &stderr)
			got, _ := os.ReadFile(filepath.Join(dir, "span.mpy"))
			switch {
			case mkErr != nil && code == 0:
				t.Errorf("make failed (%v: %s), mpyld build did not", mkErr, lastLines(out, 2))
			case mkErr == nil && code != 0:
				t.Errorf("make built it, mpyld build failed: %s", stderr.String())
			case mkErr == nil && !bytes.Equal(got, want):
				t.Errorf("span.mpy differs from make's")
			case mkErr != nil && !strings.Contains(strings.Join(tt.vars, " "), "USE_LIBC"):
				// Only linking a C library may fail under make.
				t.Errorf("make failed: %v: %s", mkErr, lastLines(out, 8))
			case mkErr != nil:
				t.Logf("both fail (make: %s)", lastLines(out, 1))
			}
		})
	}
}
