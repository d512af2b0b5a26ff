// This file implements reading a natmod Makefile with GNU make itself. make
// reads the Makefile and then a small makefile of mpyld's that prints the
// variables mpyld needs, so include, $(shell ...), conditionals,
// MAKECMDGOALS, ?= and += across files and command-line variables all mean
// what they mean to make. The same run makes the sources that a Makefile
// rule generates.

package builder

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// makefileNames are the names make looks for, in its order.
var makefileNames = []string{"GNUmakefile", "makefile", "Makefile"}

// findMakefile returns the path of the makefile make would read in dir, or "".
func findMakefile(dir string) string {
	for _, n := range makefileNames {
		if p := filepath.Join(dir, n); fileExists(p) {
			return p
		}
	}
	return ""
}

// printedVars are the variables mpyld reads. Besides those a Makefile sets
// (MOD, SRC, CFLAGS, ...), a few are dynruntime.mk's own: BUILD (where it
// puts intermediate files), CROSS (the compiler prefix), MPY_CROSS,
// LIBGCC_PATH and LIBM_PATH (the runtime libraries of LINK_RUNTIME=1).
var printedVars = []string{"MOD", "SRC", "ARCH", "MPY_DIR", "BUILD", "CFLAGS", "CFLAGS_EXTRA", "MICROPY_FLOAT_IMPL",
	"LINK_RUNTIME", "LIBGCC_PATH", "LIBM_PATH", "MPY_EXTERN_SYM_FILE", "ARCH_FLAGS", "MPY_LD_FLAGS", "MPY_CROSS", "CROSS",
	"CC", "LINK_CLANG_CLANGRT", "LINK_CLANG_LIBC", "MAKEFILE_LIST",
	"SRC_USERMOD", "SRC_USERMOD_C", "SRC_USERMOD_LIB_C", "CFLAGS_USERMOD"}

// foundVar is the printed name of the sources as make found them.
const foundVar = "SRC_FOUND"

// makeGoal is the target of mpyld's makefile: it depends on the sources, so
// that make generates those a rule makes.
const makeGoal = ".mpyld-sources"

// printingMakefile is mpyld's makefile, read after the Makefile. Each value
// is printed on one line that starts with tag. MPY_CROSS_FLAGS is expanded
// once per .py source with the automatic variables dynruntime.mk's
// "$(BUILD)/%.mpy: %.py" rule gives it, since Makefiles use $< in it.
func printingMakefile(tag string, makeSources bool) string {
	var b strings.Builder
	b.WriteString("# Written by mpyld build, read after the Makefile: prints the variables it needs.\n")
	b.WriteString("define mpyld_newline\n\n\nendef\n")
	fmt.Fprintf(&b, "mpyld_show = $(info %s $(1) $(subst $(mpyld_newline), ,$(2)))\n", tag)
	for _, v := range printedVars {
		fmt.Fprintf(&b, "$(call mpyld_show,%s,$(%s))\n", v, v)
	}
	b.WriteString("$(foreach mpyld_py,$(filter %.py,$(SRC)),$(call mpyld_show,MPY_CROSS_FLAGS:$(mpyld_py)," +
		"$(foreach <,$(mpyld_py),$(foreach ^,$(mpyld_py),$(foreach *,$(mpyld_py:.py=)," +
		"$(foreach @,$(BUILD)/$(mpyld_py:.py=.mpy),$(MPY_CROSS_FLAGS)))))))\n")
	fmt.Fprintf(&b, ".PHONY: %s\n%s:", makeGoal, makeGoal)
	if makeSources {
		// $+ holds the sources as make found them: through vpath and
		// VPATH, as dynruntime.mk's rules see them in $< and $^.
		fmt.Fprintf(&b, " $(SRC)\n\t@:$(call mpyld_show,%s,$+)\n", foundVar)
		return b.String()
	}
	b.WriteString("\n\t@:\n")
	return b.String()
}

// makeVars are a Makefile's variables as make read them.
type makeVars struct {
	vars          map[string]string
	mpyCrossFlags map[string]string // MPY_CROSS_FLAGS for each .py source
}

// get returns a variable's value, without surrounding blanks.
func (mk *makeVars) get(name string) string { return strings.TrimSpace(mk.vars[name]) }

// includesDynruntime says whether the Makefile included py/dynruntime.mk.
func (mk *makeVars) includesDynruntime() bool {
	for _, f := range strings.Fields(mk.vars["MAKEFILE_LIST"]) {
		if strings.HasSuffix(filepath.ToSlash(f), "py/dynruntime.mk") {
			return true
		}
	}
	return false
}

// failedRule names the target of the rule whose recipe failed, from GNU
// make's "make: *** [Makefile:12: lib/libfoo.a] Error 1" line (older
// makes: "[lib/libfoo.a] Error 1"), as "lib/libfoo.a (Makefile:12)"; ""
// when no recipe failed (make could not read the Makefile).
func failedRule(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		_, rest, ok := strings.Cut(line, "*** [")
		if !ok {
			continue
		}
		target, tail, ok := strings.Cut(rest, "] Error ")
		if !ok || tail == "" {
			continue
		}
		// "file:line: target"; a target may hold colons of its own.
		if file, t, ok := strings.Cut(target, ": "); ok {
			if i := strings.LastIndexByte(file, ':'); i > 0 {
				return t + " (" + file + ")"
			}
		}
		return target
	}
	return ""
}

// findMake returns GNU make: gmake where it has that name (the BSDs), else make.
func findMake() (string, error) {
	for _, n := range []string{"gmake", "make"} {
		if p, err := lookPath(n); err == nil {
			return p, nil
		}
	}
	return "", &MissingToolError{Tool: "GNU make (to read the Makefile)", Tried: []string{"gmake", "make"}, Package: "make"}
}

// readMakefile runs make on the Makefile mf with the goal (MAKECMDGOALS) and
// the command-line variables given, and returns the variables. With
// makeSources, make also makes the sources (SRC) that have a rule.
// label names the arch in messages.
func (b *builder) readMakefile(ctx context.Context, label, mf, goal string, cmdline map[string]string, makeSources bool) (*makeVars, error) {
	prog, err := findMake()
	if err != nil {
		return nil, err
	}
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	tag := "mpyld-" + hex.EncodeToString(nonce[:])
	tmp, err := os.CreateTemp("", "mpyld-*.mk")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(printingMakefile(tag, makeSources))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	// The goal the user would give make is MAKECMDGOALS, which Makefiles
	// test; make is given mpyld's own target to build.
	args := []string{"--no-print-directory", "-f", filepath.Base(mf), "-f", tmp.Name(), "MAKECMDGOALS=" + goal}
	args = append(args, sortedVars(cmdline)...)
	args = append(args, makeGoal)

	// The first run that makes sources runs alone, so that two arches do not
	// generate the same source at once; later runs find them made and run
	// side by side.
	b.makeMu.Lock()
	if makeSources && !b.sourcesMade {
		defer func() {
			b.sourcesMade = true
			b.makeMu.Unlock()
		}()
	} else {
		b.makeMu.Unlock()
	}
	dir := filepath.Dir(mf)
	b.trace(dir, append([]string{filepath.Base(prog)}, args...))
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	mk := &makeVars{vars: map[string]string{}, mpyCrossFlags: map[string]string{}}
	prefix := label
	if prefix != "" {
		prefix += ": "
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		rest, ok := strings.CutPrefix(line, tag+" ")
		if !ok {
			if strings.TrimSpace(line) != "" {
				b.logf("%smake: %s", prefix, line)
			}
			continue
		}
		name, value, _ := strings.Cut(rest, " ")
		if src, ok := strings.CutPrefix(name, "MPY_CROSS_FLAGS:"); ok {
			mk.mpyCrossFlags[src] = value
		} else {
			mk.vars[name] = value
		}
	}
	msg := strings.TrimSpace(stderr.String())
	if runErr != nil {
		var exit *exec.ExitError
		if !errors.As(runErr, &exit) || msg == "" {
			msg = runErr.Error()
		}
		if label != "" {
			label = " for " + label
		}
		if rule := failedRule(msg); rule != "" {
			return mk, fmt.Errorf("%s: the rule for %s failed (make ran it%s to make the sources):\n%s", mf, rule, label, msg)
		}
		return mk, fmt.Errorf("%s: make failed reading it%s:\n%s", mf, label, msg)
	}
	for _, line := range strings.Split(msg, "\n") {
		if line != "" {
			b.logf("%smake: %s", prefix, line)
		}
	}
	return mk, nil
}
