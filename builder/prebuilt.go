// This file checks prebuilt objects and archives given as sources.

package builder

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mpyld/mpyld/elfobj"
)

// moduleTables are the module's own qstr and object tables, whose entries
// code finds by the numbers of the config header it was compiled with.
var moduleTables = map[string]string{"mp_native_qstr_table": "qstr table", "mp_native_obj_table": "object table"}

// checkPrebuilt refuses a prebuilt object, or an archive member, given as a
// source (paths relative to dir) that reads the module's qstr or object table: the build makes the
// config header from the C sources it compiles, so the numbers such an
// object was compiled with (from a header this build cannot see) would
// pick other strings at run time. dynruntime.mk takes no objects as
// sources, so no reference build does this. Files that cannot be read
// are left to the linker, which names what is wrong with them.
func checkPrebuilt(dir string, paths []string) error {
	for _, p := range paths {
		data, err := os.ReadFile(inDir(dir, p))
		if err != nil {
			continue
		}
		type member struct {
			name string
			data []byte
		}
		members := []member{{p, data}}
		if elfobj.IsArchive(data) {
			ar, err := elfobj.ReadArchive(p, data)
			if err != nil {
				continue
			}
			members = members[:0]
			for _, m := range ar.Members {
				members = append(members, member{p + "(" + m.Name + ")", m.Data})
			}
		}
		for _, m := range members {
			f, err := elfobj.Parse(m.name, m.data)
			if err != nil {
				continue
			}
			for _, s := range f.Symbols {
				if what, ok := moduleTables[s.Name]; ok && s.Shndx == elf.SHN_UNDEF {
					return fmt.Errorf("%s: a prebuilt object that reads the module's %s (symbol %s): its entries are numbered by the config header it was compiled with, which this build cannot see, so the module would load other strings; give its C source in sources instead (the build numbers its qstrs), or link it with mpyld link --qstrs <that header>", filepath.ToSlash(m.name), what, s.Name)
				}
			}
		}
	}
	return nil
}
