// This file implements the project file, mpyld.toml, in a module folder.

package builder

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// ProjectFile is the name of the project file in a module folder.
const ProjectFile = "mpyld.toml"

// Project is the content of mpyld.toml. Every field is optional; command-line
// flags override it, and it overrides the natmod Makefile (its fields reach
// make as command-line variables).
type Project struct {
	Name    string   `toml:"name"`    // module name (MOD): the import name
	Version string   `toml:"version"` // module version, for releases
	Sources []string `toml:"sources"` // .c, .S, .py, prebuilt .o and .a (SRC)
	MPYDir  string   `toml:"mpy_dir"` // MicroPython tree (MPY_DIR)
	// MicroPython are several trees to build for, each into
	// dist/<arch>_<X.Y>/ (instead of mpy_dir).
	MicroPython []string `toml:"micropython"`
	// Compiler is the C compiler for every arch: "clang", or a name or path
	// (--cc ARCH=... wins).
	Compiler    string   `toml:"compiler"`
	Arch        []string `toml:"arch"`         // default arches
	Float       string   `toml:"float"`        // none, float or double (MICROPY_FLOAT_IMPL)
	LinkRuntime *bool    `toml:"link_runtime"` // link libgcc and libm (LINK_RUNTIME)
	CFlags      string   `toml:"cflags"`       // extra compiler flags (CFLAGS_EXTRA), sh syntax
	ArchFlags   string   `toml:"arch_flags"`   // rv32imc extensions (ARCH_FLAGS)
	Externs     string   `toml:"externs"`      // fixed-address symbols (MPY_EXTERN_SYM_FILE)
	Libs        []string `toml:"libs"`         // more archives to link (MPY_LD_FLAGS -l)
	Deps        []string `toml:"deps"`         // mip dependencies, for releases
	// MPYCrossFlags are more mpy-cross flags, sh syntax (MPY_CROSS_FLAGS).
	MPYCrossFlags string `toml:"mpy_cross_flags"`
	// Goal is the make goal the Makefile is read for (MAKECMDGOALS).
	Goal string `toml:"goal"`
	// Vars are make variables given to the Makefile, as on make's command line.
	Vars map[string]string `toml:"vars"`
	// GCSections links only what mpy_init reaches (--gc-sections).
	GCSections *bool `toml:"gc_sections"`
	// NoData refuses writable data and static variables (--no-data).
	NoData bool `toml:"no_data"`
}

// LoadProject reads dir/mpyld.toml; a missing file gives an empty project.
func LoadProject(dir string) (*Project, error) {
	p := &Project{}
	path := filepath.Join(dir, ProjectFile)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	md, err := toml.Decode(string(data), p)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q", path, un[0].String())
	}
	return p, nil
}
