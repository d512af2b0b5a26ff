// This file implements the version profiles: what each span of MicroPython
// releases expects of a native module (its .mpy ABI) and how its own
// mpy_ld.py lays the module out. Facts from VERSIONS.md and NATMOD_SPEC §6.

package linker

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mpyld/mpyld/mpy"
)

// Version is a MicroPython release number. Preview marks a development
// tree (py/mpconfig.h MICROPY_VERSION_PRERELEASE), which comes before the
// release of the same number.
type Version struct {
	Major, Minor, Micro int
	Preview             bool
}

// V returns the release major.minor.micro.
func V(major, minor, micro int) Version { return Version{Major: major, Minor: minor, Micro: micro} }

// IsZero reports whether v is unset.
func (v Version) IsZero() bool { return v == Version{} }

func (v Version) String() string {
	if v.IsZero() {
		return "unknown"
	}
	s := fmt.Sprintf("v%d.%d.%d", v.Major, v.Minor, v.Micro)
	if v.Preview {
		s += "-preview"
	}
	return s
}

// Compare orders versions; a preview sorts before its release.
func (v Version) Compare(w Version) int {
	for _, d := range []int{v.Major - w.Major, v.Minor - w.Minor, v.Micro - w.Micro} {
		if d != 0 {
			if d < 0 {
				return -1
			}
			return 1
		}
	}
	switch {
	case v.Preview == w.Preview:
		return 0
	case v.Preview:
		return -1
	}
	return 1
}

// AtLeast reports whether v is w or later.
func (v Version) AtLeast(w Version) bool { return v.Compare(w) >= 0 }

// ParseVersion reads "1.22", "v1.22.2", "1.29.0-preview" (git describe tails
// such as "-preview.42.gabcdef" are allowed).
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	var v Version
	if i := strings.IndexByte(t, '-'); i >= 0 {
		if !strings.HasPrefix(t[i:], "-preview") {
			return Version{}, fmt.Errorf("MicroPython version %q: want a release like 1.22 or 1.22.2, or 1.29.0-preview", s)
		}
		v.Preview, t = true, t[:i]
	}
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("MicroPython version %q: want a release like 1.22 or 1.22.2", s)
	}
	nums := []*int{&v.Major, &v.Minor, &v.Micro}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return Version{}, fmt.Errorf("MicroPython version %q: %q is not a number", s, p)
		}
		*nums[i] = n
	}
	return v, nil
}

// EntryRule is how a linker writes the jump to mpy_init at text offset 0.
type EntryRule int

// Entry jump rules (NATMOD_SPEC §6.4, VERSIONS.md).
const (
	// EntryFixed: one form per arch, encoded after layout from mpy_init's
	// final address (v1.20 to v1.22).
	EntryFixed EntryRule = iota
	// EntryV128: the form is chosen from mpy_init's offset inside its own
	// section (v1.28); mpyld encodes it from the final address.
	EntryV128
	// EntryDev: none when mpy_init comes first, x86 short jumps, padded to
	// mpy_init's section alignment (the development branch).
	EntryDev
)

// Profile is one span of MicroPython releases that expect the same native
// module: .mpy sub-version, mp_fun_table layout, config header, and the
// bytes their own mpy_ld.py writes.
type Profile struct {
	Name        string  // "v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"
	First, Last Version // the releases it covers; Last is zero for dev
	SubVersion  int
	Entry       EntryRule
	// SourceBase: the first qstr is the base name of the output, not the
	// -o path as given (dev, and its --source-name).
	SourceBase bool
	// IntTypedefs: the config header declares mp_uint_t and mp_int_t, which
	// headers before v1.27 need (dev drops them).
	IntTypedefs bool
}

// The profiles, oldest first. v1.23 to v1.27 wrote other entry jumps than
// v1.28 for the same ABI; any jump loads anywhere, so one profile with
// v1.28's bytes serves them.
var (
	ProfileV120 = &Profile{Name: "v1.20-v1.21", First: V(1, 20, 0), Last: V(1, 21, 0), SubVersion: 1, Entry: EntryFixed, IntTypedefs: true}
	ProfileV122 = &Profile{Name: "v1.22", First: V(1, 22, 0), Last: V(1, 22, 2), SubVersion: 2, Entry: EntryFixed, IntTypedefs: true}
	ProfileV128 = &Profile{Name: "v1.23-v1.28", First: V(1, 23, 0), Last: V(1, 28, 0), SubVersion: 3, Entry: EntryV128, IntTypedefs: true}
	ProfileDev  = &Profile{Name: "dev", First: Version{Major: 1, Minor: 29, Preview: true}, SubVersion: 3, Entry: EntryDev, SourceBase: true}

	Profiles = []*Profile{ProfileV120, ProfileV122, ProfileV128, ProfileDev}
)

// ABI is the .mpy version of the profile, "6.2".
func (p *Profile) ABI() string { return fmt.Sprintf("%d.%d", mpy.Version, p.SubVersion) }

// funTableIndex returns the mp_fun_table slot of a runtime object (such as
// mp_type_type), or -1.
func (p *Profile) funTableIndex(name string) int {
	t := mpy.FunTable(p.SubVersion)
	for i := mpy.RuntimeObjectBase(p.SubVersion); i < len(t); i++ {
		if t[i] == name {
			return i
		}
	}
	return -1
}

// Target is the MicroPython a module is built for: a profile and, when it
// is known, the exact release.
type Target struct {
	*Profile
	Version Version // zero when only the ABI was given
}

// DefaultTarget is v1.28.0.
var DefaultTarget = Target{Profile: ProfileV128, Version: V(1, 28, 0)}

func (t Target) String() string {
	if t.Version.IsZero() {
		return fmt.Sprintf("MicroPython %s (.mpy %s)", t.Name, t.ABI())
	}
	return fmt.Sprintf("MicroPython %s (.mpy %s, profile %s)", t.Version, t.ABI(), t.Name)
}

// orDefault is t, or DefaultTarget for the zero Target.
func (t Target) orDefault() Target {
	if t.Profile == nil {
		return DefaultTarget
	}
	return t
}

// newest is the latest release the target may be: its version, or the last
// of its profile.
func (t Target) newest() Version {
	t = t.orDefault()
	switch {
	case !t.Version.IsZero():
		return t.Version
	case t.Last.IsZero():
		return t.First
	}
	return t.Last
}

// targetForVersion is the target of a release, or of a preview (which
// falls in the profile of the release before it, or dev after v1.28.0).
func targetForVersion(v Version) (Target, error) {
	t := Target{Version: v}
	switch {
	case v.Compare(ProfileV128.Last) > 0:
		t.Profile = ProfileDev
	case v.AtLeast(ProfileV128.First):
		t.Profile = ProfileV128
	case v.AtLeast(ProfileV122.First):
		t.Profile = ProfileV122
	case v.AtLeast(ProfileV120.First):
		t.Profile = ProfileV120
	default:
		return Target{}, fmt.Errorf("MicroPython %s writes .mpy 6.0 or older, which mpyld does not support (v1.20 or later)", v)
	}
	return t, nil
}

// ParseMicroPython reads --micropython: a release ("1.22", "v1.22.2") or
// "dev" (the development branch).
func ParseMicroPython(s string) (Target, error) {
	if strings.EqualFold(s, "dev") || strings.EqualFold(s, "master") {
		return Target{Profile: ProfileDev}, nil
	}
	v, err := ParseVersion(s)
	if err != nil {
		return Target{}, err
	}
	return targetForVersion(v)
}

// ParseABI reads --mpy-abi: "6.1", "6.2" or "6.3" (the v1.28 profile; the
// development branch writes the same ABI, select it with --micropython dev).
func ParseABI(s string) (Target, error) {
	for _, p := range Profiles[:3] {
		if s == p.ABI() {
			return Target{Profile: p}, nil
		}
	}
	return Target{}, fmt.Errorf("--mpy-abi %q: want 6.1 (MicroPython v1.20-v1.21), 6.2 (v1.22) or 6.3 (v1.23 and later)", s)
}

// archSince is the first release that loads an arch's native code, for the
// arches younger than the .mpy format.
var archSince = map[mpy.Arch]Version{mpy.ArchRV32IMC: V(1, 24, 0), mpy.ArchRV64IMC: V(1, 28, 0)}

// archFlagsSince is the first release whose loader reads arch flags.
var archFlagsSince = V(1, 27, 0)

// Check refuses what the target cannot load: an arch it does not run, or
// arch flags before v1.27.
func (t Target) Check(a *Arch, archFlags uint64) error {
	if since, ok := archSince[a.MPY]; ok && !t.newest().AtLeast(since) {
		return fmt.Errorf("%s cannot load %s native modules: they need MicroPython %s or later (.mpy 6.3); build against a newer MicroPython tree", t, a.Name, since)
	}
	if archFlags != 0 && !t.newest().AtLeast(archFlagsSince) {
		return fmt.Errorf("%s cannot load modules with --arch-flags: the loader reads them from MicroPython %s on; build without arch flags", t, archFlagsSince)
	}
	return nil
}

// SourceName is the first qstr of a module written to output: the path as
// given, or its base name (dev).
func (t Target) SourceName(output string) string {
	if t.orDefault().SourceBase {
		if i := strings.LastIndexAny(output, `/\`); i >= 0 {
			return output[i+1:]
		}
	}
	return output
}

// ObjQstrs reports whether MP_OBJ_NEW_QSTR goes through the object table
// (v1.20's py/dynruntime.h; from v1.21 through mp_fun_table).
func (t Target) ObjQstrs() bool {
	return t.SubVersion == 1 && !t.Version.IsZero() && !t.Version.AtLeast(V(1, 21, 0))
}

// firstWith names the oldest profile whose mp_fun_table holds a runtime
// object, for messages; "" when none does.
func firstWith(name string) string {
	for _, p := range Profiles {
		if p.funTableIndex(name) >= 0 {
			return p.First.String()
		}
	}
	return ""
}

// Dynruntime is what the target's py/dynruntime.mk does that a build must
// do the same way (NATMOD_SPEC §6.8, VERSIONS.md).
type Dynruntime struct {
	// SplitFortify: "-U _FORTIFY_SOURCE" in two words (before v1.25).
	SplitFortify bool
	// ARMFloatNone: armv6m and armv7m default to MICROPY_FLOAT_IMPL=none
	// (before v1.26; float since).
	ARMFloatNone bool
	// HostCompilers: x86 builds with i686-linux-gnu-gcc and no -m32, x64
	// with x86_64-linux-gnu-gcc (dev).
	HostCompilers bool
	// BuildPerArch: BUILD is build-$(ARCH) and the native part is
	// $(BUILD)/$(MOD).mpy (dev).
	BuildPerArch bool
}

// Dynruntime returns the target's dynruntime.mk facts: those of its
// version, or of the newest release of its profile.
func (t Target) Dynruntime() Dynruntime {
	t = t.orDefault()
	v := t.newest()
	dev := t.Profile == ProfileDev
	return Dynruntime{SplitFortify: !v.AtLeast(V(1, 25, 0)), ARMFloatNone: !v.AtLeast(V(1, 26, 0)), HostCompilers: dev, BuildPerArch: dev}
}

// Float is the default MICROPY_FLOAT_IMPL of arch a for the target.
func (t Target) Float(a *Arch) string {
	if t.Dynruntime().ARMFloatNone && (a.MPY == mpy.ArchARMV6M || a.MPY == mpy.ArchARMV7M) {
		return "none"
	}
	return a.Float
}
