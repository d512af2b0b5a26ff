// Package buildinfo says which mpyld this is: its version, the revision it
// was built from, the Go that built it, and the MicroPython it supports.
package buildinfo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/mpyld/mpyld/linker"
)

// version, revision and dirty are stamped by the release build (-ldflags
// "-X github.com/mpyld/mpyld/internal/buildinfo.version=v1.2.3"), which
// builds without Go's own VCS stamping: that needs git and a plain
// checkout, and misses worktrees.
var version, revision, dirty string

// Tags are the build tags mpyld's binaries are built with (the release
// build, the README's install command, the process benchmark).
// urfave_cli_no_docs leaves out urfave/cli's man page and Markdown writers,
// which mpyld does not use, and the Markdown parser they bring, whose
// package initialisation cost 0.4 ms at every start (README "Speed").
const Tags = "urfave_cli_no_docs"

// Profile is one MicroPython version span mpyld links for.
type Profile struct {
	Name        string `json:"name"`        // "v1.23-v1.28"
	MPY         string `json:"mpy"`         // .mpy version, "6.3"
	MicroPython string `json:"micropython"` // the releases, "v1.23.0-v1.28.0"
}

// Info describes the running mpyld.
type Info struct {
	Version  string    `json:"version"`            // module version: stamped, from go install, or "(devel)"
	Revision string    `json:"revision,omitempty"` // VCS revision built from
	Time     string    `json:"time,omitempty"`     // commit time of the revision
	Dirty    bool      `json:"dirty,omitempty"`    // the work tree had uncommitted changes
	Go       string    `json:"go"`                 // Go version that built it
	Platform string    `json:"platform"`           // GOOS/GOARCH
	MPY      []string  `json:"mpy"`                // supported .mpy versions, oldest first
	Profiles []Profile `json:"profiles"`
	Arches   []string  `json:"arches"`
}

// Get returns the information of the running binary.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	in := fromBuildInfo(bi, version)
	if in.Revision == "" && revision != "" {
		in.Revision, in.Dirty = revision, dirty == "true"
	}
	return in
}

func fromBuildInfo(bi *debug.BuildInfo, stamped string) Info {
	in := Info{Version: stamped, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, Arches: linker.ArchNames()}
	if bi != nil {
		if in.Version == "" {
			in.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			in.Go = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Revision = s.Value
			case "vcs.time":
				in.Time = s.Value
			case "vcs.modified":
				in.Dirty = s.Value == "true"
			}
		}
	}
	if in.Version == "" {
		in.Version = "(devel)"
	}
	seen := map[string]bool{}
	for _, p := range linker.Profiles {
		if !seen[p.ABI()] {
			seen[p.ABI()] = true
			in.MPY = append(in.MPY, p.ABI())
		}
		span := p.First.String()
		switch {
		case p.Last.IsZero():
			span = "development branch (" + p.First.String() + " and later)"
		case p.Last != p.First:
			span += "-" + p.Last.String()
		}
		in.Profiles = append(in.Profiles, Profile{Name: p.Name, MPY: p.ABI(), MicroPython: span})
	}
	return in
}

// Short is one line: "mpyld v1.2.3 (abcdef012345, dirty) go1.26.8 linux/amd64".
func (in Info) Short() string {
	s := "mpyld " + in.Version
	if in.Revision != "" {
		rev := in.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if in.Dirty {
			rev += ", dirty"
		}
		s += " (" + rev + ")"
	}
	return s + " " + in.Go + " " + in.Platform
}

// String is the text of mpyld --version.
func (in Info) String() string {
	var b strings.Builder
	fmt.Fprintln(&b, in.Short())
	if in.Time != "" {
		fmt.Fprintf(&b, "commit time: %s\n", in.Time)
	}
	fmt.Fprintf(&b, ".mpy versions: %s\n", strings.Join(in.MPY, ", "))
	for _, p := range in.Profiles {
		fmt.Fprintf(&b, "  .mpy %s  profile %-12s MicroPython %s\n", p.MPY, p.Name, p.MicroPython)
	}
	fmt.Fprintf(&b, "arches: %s\n", strings.Join(in.Arches, " "))
	return b.String()
}

// Stamp adds "mpyld": info as the last member of a JSON object, or of each
// object of a JSON array, keeping the order of the other members. Other
// documents come back unchanged. The result is indented by two spaces.
func (in Info) Stamp(doc []byte) ([]byte, error) {
	me, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	add := func(obj json.RawMessage) json.RawMessage {
		t := bytes.TrimSpace(obj)
		if len(t) < 2 || t[0] != '{' {
			return obj
		}
		out := append([]byte{}, t[:len(t)-1]...)
		if len(bytes.TrimSpace(t[1:len(t)-1])) > 0 {
			out = append(out, ',')
		}
		out = append(append(append(out, `"mpyld":`...), me...), '}')
		return out
	}
	var arr []json.RawMessage
	var flat []byte
	if err := json.Unmarshal(doc, &arr); err == nil && arr != nil {
		flat = append(flat, '[')
		for i, e := range arr {
			if i > 0 {
				flat = append(flat, ',')
			}
			flat = append(flat, add(e)...)
		}
		flat = append(flat, ']')
	} else if json.Valid(doc) {
		flat = add(doc)
	} else {
		return nil, fmt.Errorf("not JSON")
	}
	var b bytes.Buffer
	if err := json.Indent(&b, flat, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
