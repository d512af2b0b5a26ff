// Command mkrelease builds mpyld's release archives: static binaries for
// Linux, macOS and Windows, stamped with the version and the git revision,
// in reproducible .tar.gz/.zip archives with a SHA256SUMS file.
//
//	go run ./cmd/mkrelease -version v1.2.3 [-o dist] [-platforms linux/amd64,...]
//
// Run from the repository root. Archive entries get the time in
// SOURCE_DATE_EPOCH (default: the commit time of HEAD, else 0).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/mpyld/mpyld/internal/binrelease"
)

func main() {
	version := flag.String("version", "", "release version, e.g. v1.2.3 (required)")
	out := flag.String("o", "dist", "output folder")
	platforms := flag.String("platforms", "", "comma-separated GOOS/GOARCH (default: all of the release)")
	flag.Parse()
	if err := run(*version, *out, *platforms); err != nil {
		fmt.Fprintf(os.Stderr, "mkrelease: %v\n", err)
		os.Exit(1)
	}
}

func run(version, out, platforms string) error {
	opt := binrelease.Options{Root: ".", Out: out, Version: version,
		Logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }}
	for _, p := range strings.Split(platforms, ",") {
		if p == "" {
			continue
		}
		goos, goarch, ok := strings.Cut(p, "/")
		if !ok {
			return fmt.Errorf("-platforms %q: use GOOS/GOARCH", p)
		}
		opt.Platforms = append(opt.Platforms, binrelease.Platform{OS: goos, Arch: goarch})
	}
	if rev, err := git("rev-parse", "HEAD"); err == nil {
		opt.Revision = rev
		st, _ := git("status", "--porcelain")
		opt.Dirty = st != ""
	}
	epoch := int64(0)
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", s)
		}
		epoch = n
	} else if t, err := git("log", "-1", "--format=%ct"); err == nil {
		epoch, _ = strconv.ParseInt(t, 10, 64)
	}
	opt.Epoch = time.Unix(epoch, 0)
	res, err := binrelease.Make(context.Background(), opt)
	if err != nil {
		return err
	}
	for _, a := range res.Archives {
		fmt.Println(a)
	}
	fmt.Println(res.Sums)
	return nil
}

// git runs git in the working directory and returns its trimmed output.
func git(args ...string) (string, error) {
	b, err := exec.Command("git", args...).Output()
	return strings.TrimSpace(string(b)), err
}
