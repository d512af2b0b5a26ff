package buildinfo

import (
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Path: "github.com/mpyld/mpyld", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2026-12-01T00:00:00Z"}}}
	tests := []struct {
		name    string
		bi      *debug.BuildInfo
		stamped string
		short   string
	}{
		{"go install", bi, "", "mpyld v0.3.0 (0123456789ab, dirty) go1.99.1 "},
		{"stamped", bi, "v1.0.0", "mpyld v1.0.0 (0123456789ab, dirty) go1.99.1 "},
		{"no build info", nil, "", "mpyld (devel) go"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fromBuildInfo(tt.bi, tt.stamped)
			if !strings.HasPrefix(in.Short(), tt.short) {
				t.Errorf("Short() = %q, want prefix %q", in.Short(), tt.short)
			}
		})
	}
}

func TestSupported(t *testing.T) {
	in := fromBuildInfo(nil, "")
	if got, want := strings.Join(in.MPY, " "), "6.1 6.2 6.3"; got != want {
		t.Errorf("MPY = %q, want %q", got, want)
	}
	text := in.String()
	for _, want := range []string{".mpy 6.1  profile v1.20-v1.21  MicroPython v1.20.0-v1.21.0", ".mpy 6.2  profile v1.22", "MicroPython v1.23.0-v1.28.0",
		"profile dev", "development branch", "rv64imc", "xtensawin"} {
		if !strings.Contains(text, want) {
			t.Errorf("String() lacks %q:\n%s", want, text)
		}
	}
}

func TestStamp(t *testing.T) {
	in := Info{Version: "v1.0.0", Go: "go1.26", Platform: "linux/amd64"}
	tests := []struct{ doc, want string }{
		{`[{"z":1,"a":2},{}]`, `[{"z":1,"a":2,"mpyld":{`},
		{`{"z":1}`, `{"z":1,"mpyld":{"version":"v1.0.0"`},
		{`[1,2]`, `[1,2]`},
		{`[]`, `[]`},
		{`null`, `null`},
	}
	for _, tt := range tests {
		out, err := in.Stamp([]byte(tt.doc))
		if err != nil {
			t.Fatal(err)
		}
		var compact strings.Builder
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%s: result is not JSON: %v\n%s", tt.doc, err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			compact.WriteString(strings.ReplaceAll(strings.TrimSpace(line), `": `, `":`))
		}
		if !strings.HasPrefix(compact.String(), tt.want) {
			t.Errorf("Stamp(%s) = %s, want prefix %s", tt.doc, compact.String(), tt.want)
		}
	}
	if _, err := in.Stamp([]byte("{")); err == nil {
		t.Error("Stamp of bad JSON: no error")
	}
}
