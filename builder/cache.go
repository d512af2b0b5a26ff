// This file implements the content-hash cache: a step is skipped when the
// program, its arguments, the make variables given and the contents of
// every input (from the compiler's depfile) are what they were when its
// output was made.

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
	"strings"
)

// cacheStep is one command whose output the cache can keep: prog run with
// args in dir makes out.
type cacheStep struct {
	dir, out, prog string
	args           []string
	inputs         []string // files the command reads, besides those in its depfile
	depFile        string   // the compiler's depfile (-MD -MF), or ""
	key            []string // more that the output depends on: make variables given
	label          string
	arch           string // prefixes the -v lines, which interleave when arches build in parallel
}

// cached runs the step, unless the key stored beside its output still
// matches: the program, the arguments, the extra key and the contents of
// every input (from the depfile for a compiler).
func (b *builder) cached(ctx context.Context, s cacheStep) (bool, error) {
	keyFile := inDir(s.dir, s.out+".key")
	keyArgs := append(append([]string(nil), s.args...), s.key...)
	deps := func() []string {
		if s.depFile == "" {
			return s.inputs
		}
		return append(append([]string(nil), s.inputs...), readDepfile(inDir(s.dir, s.depFile))...)
	}
	if old, err := os.ReadFile(keyFile); err == nil && fileExists(inDir(s.dir, s.out)) {
		if d := deps(); len(d) > 0 && stepKey(s.dir, s.prog, keyArgs, d) == strings.TrimSpace(string(old)) {
			b.logf("%s: up to date: %s", s.arch, s.out)
			return false, nil
		}
	}
	os.Remove(keyFile)
	b.logf("%s: %s", s.arch, s.label)
	argv := append([]string(nil), s.args...)
	if s.depFile != "" {
		argv = append(argv, "-MD", "-MF", s.depFile)
	}
	b.trace(s.dir, append([]string{s.prog}, argv...))
	cmd := exec.CommandContext(ctx, s.prog, argv...)
	cmd.Dir = s.dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(inDir(s.dir, s.out))
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return false, fmt.Errorf("%s failed:\n%s", s.label, msg)
	}
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		b.logf("%s: %s", s.arch, msg)
	}
	return true, os.WriteFile(keyFile, []byte(stepKey(s.dir, s.prog, keyArgs, deps())+"\n"), 0o644)
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
	// A compiler on Windows ends its lines in CRLF, continuations too.
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\\\n", " ")
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
