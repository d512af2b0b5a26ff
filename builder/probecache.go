// This file implements the probe cache: what a compiler answered to
// -dumpmachine and --print-file-name, remembered in the build folder so that
// an up-to-date build runs no compiler at all.
//
// The answers live in build/probe-<arch>.cache, beside the compile cache's
// .key files: they depend on the module's flags as much as on the compiler,
// `mpyld clean` removes them with the rest, and the build needs no other
// writable place (no home folder). The file is only believed while the
// compiler is the same file: its resolved path, size and modification time,
// and the environment variables that move GCC's search paths, head it.

package builder

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mpyld/mpyld/internal/atomicfile"
)

// probeEnv are the variables that change where GCC looks for its programs
// and libraries, and so what --print-file-name answers.
var probeEnv = []string{"GCC_EXEC_PREFIX", "COMPILER_PATH", "LIBRARY_PATH"}

// compilerIdentity names the compiler file at path and what it depends on;
// "" when it cannot be examined, which turns the cache off.
func compilerIdentity(path string, getenv func(string) string) string {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return ""
	}
	st, err := os.Stat(real)
	if err != nil {
		return ""
	}
	id := fmt.Sprintf("%s %s %d %d", path, real, st.Size(), st.ModTime().UnixNano())
	for _, v := range probeEnv {
		id += " " + v + "=" + getenv(v)
	}
	return strconv.Quote(id)
}

// probeCache holds the answers of one compiler for one arch.
type probeCache struct {
	path     string
	identity string
	answers  map[string]string // quoted "dir\x00arg\x00arg..." -> stdout
}

// openProbeCache reads the cache file at path; answers recorded for another
// compiler identity are dropped.
func openProbeCache(path, identity string) *probeCache {
	c := &probeCache{path: path, identity: identity, answers: map[string]string{}}
	if identity == "" {
		return c
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() || sc.Text() != identity {
		return c
	}
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return &probeCache{path: path, identity: identity, answers: map[string]string{}}
		}
		out, err := strconv.Unquote(rest)
		if err != nil {
			return &probeCache{path: path, identity: identity, answers: map[string]string{}}
		}
		c.answers[key] = out
	}
	return c
}

// probeKey names one question: the program, the folder and the arguments.
func probeKey(prog, dir string, args []string) string {
	return strconv.Quote(prog + "\x00" + dir + "\x00" + strings.Join(args, "\x00"))
}

// put records an answer and rewrites the file. A failed write only means
// the next build asks the compiler again.
func (c *probeCache) put(key, out string) {
	if c.identity == "" {
		return
	}
	c.answers[key] = out
	var b bytes.Buffer
	b.WriteString(c.identity + "\n")
	for _, k := range slices.Sorted(maps.Keys(c.answers)) {
		b.WriteString(k + "\t" + strconv.Quote(c.answers[k]) + "\n")
	}
	if os.MkdirAll(filepath.Dir(c.path), 0o755) == nil {
		atomicfile.Write(c.path, b.Bytes(), 0o644)
	}
}

// probeOutput runs the compiler of tc with args in dir and returns its
// standard output, or what it answered last time when nothing it depends on
// has changed. valid, if set, rejects a remembered answer that no longer
// holds (a library path that is gone).
func (b *builder) probeOutput(ctx context.Context, tc *toolchain, dir string, valid func(string) bool, args ...string) (string, error) {
	key := probeKey(tc.cc, dir, args)
	if out, ok := tc.cache.answers[key]; ok && (valid == nil || valid(out)) {
		return out, nil
	}
	out, err := b.output(ctx, dir, tc.cc, args...)
	if err != nil {
		return "", err
	}
	tc.cache.put(key, out)
	return out, nil
}
