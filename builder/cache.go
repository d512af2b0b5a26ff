// This file implements the content-hash cache: a step is skipped when the
// program, its arguments and the contents of every input (from the
// compiler's depfile) are what they were when its output was made.

package builder

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// cached makes out by running prog with args in dir, unless the key stored
// beside out still matches. inputs are files the step reads; with depArgs
// (-MD -MF file) the compiler's depfile lists the rest.
func (b *builder) cached(ctx context.Context, dir, out, prog string, args, inputs []string, label string, depArgs ...string) (bool, error) {
	keyFile := filepath.Join(dir, out+".key")
	depFile := ""
	if len(depArgs) > 0 {
		depFile = depArgs[len(depArgs)-1]
	}
	if old, err := os.ReadFile(keyFile); err == nil && fileExists(filepath.Join(dir, out)) {
		deps := inputs
		if depFile != "" {
			deps = append(append([]string(nil), inputs...), readDepfile(inDir(dir, depFile))...)
		}
		if len(deps) > 0 && stepKey(dir, prog, args, deps) == strings.TrimSpace(string(old)) {
			b.logf("up to date: %s", out)
			return false, nil
		}
	}
	os.Remove(keyFile)
	b.logf("%s", label)
	argv := append(append([]string(nil), args...), depArgs...)
	b.trace(dir, append([]string{prog}, argv...))
	cmd := exec.CommandContext(ctx, prog, argv...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(filepath.Join(dir, out))
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return false, fmt.Errorf("%s failed:\n%s", label, msg)
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		b.logf("%s", s)
	}
	deps := inputs
	if depFile != "" {
		deps = append(append([]string(nil), inputs...), readDepfile(inDir(dir, depFile))...)
	}
	return true, os.WriteFile(keyFile, []byte(stepKey(dir, prog, args, deps)+"\n"), 0o644)
}

// stepKey hashes the program (path, size, time), the arguments and the
// contents of the inputs; a missing input gives a key that never matches.
func stepKey(dir, prog string, args, deps []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", prog)
	if st, err := os.Stat(prog); err == nil {
		fmt.Fprintf(h, "%d %d\x00", st.Size(), st.ModTime().UnixNano())
	}
	for _, a := range args {
		fmt.Fprintf(h, "%s\x00", a)
	}
	for _, d := range deps {
		data, err := os.ReadFile(inDir(dir, d))
		if err != nil {
			return "missing " + d
		}
		s := sha256.Sum256(data)
		fmt.Fprintf(h, "%s\x00%x\x00", d, s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readDepfile lists the prerequisites of a make-style depfile.
func readDepfile(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return []string{path} // forces a rebuild
	}
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	var deps []string
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		_, rest, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		rest = strings.ReplaceAll(rest, `\ `, "\x00")
		for _, f := range strings.Fields(rest) {
			f = strings.ReplaceAll(f, "\x00", " ")
			if !seen[f] {
				seen[f] = true
				deps = append(deps, f)
			}
		}
	}
	return deps
}
