package builder

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
)

func TestReadCMake(t *testing.T) {
	dir := t.TempDir()
	abs, _ := filepath.Abs(dir)
	good := `# Create an INTERFACE library for our C module.
add_library(usermod_cexample INTERFACE)

target_sources(usermod_cexample INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}/examplemodule.c # the module
    ${CMAKE_CURRENT_LIST_DIR}/lib/helper.c
)
target_include_directories(usermod_cexample INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
)
target_compile_definitions(usermod_cexample INTERFACE MODULE_CEXAMPLE_ENABLED=1 "NAME=x y")

# Link our INTERFACE library to the usermod target.
target_link_libraries(usermod INTERFACE usermod_cexample)
`
	m, err := readCMake(dir, good)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(m.sources, m.includes, m.defines)
	want := fmt.Sprint([]string{"examplemodule.c", "lib/helper.c"}, []string{abs}, []string{"MODULE_CEXAMPLE_ENABLED=1", "NAME=x y"})
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	refused := []struct{ text, want string }{
		{"add_library(usermod_x INTERFACE)\ntarget_sources(usermod_x INTERFACE a.c)\nif(FOO)\nendif()\n", `micropython\.cmake:3: if\(FOO\): a command mpyld does not run; .*give the sources with flags or mpyld\.toml`},
		{"add_library(usermod_x INTERFACE)\ntarget_sources(usermod_x INTERFACE ${SRC_DIR}/a.c)\n", `:2: target_sources.*a variable or generator expression`},
		{"add_library(usermod_x STATIC a.c)\n", `:1: add_library.*not an INTERFACE library`},
		{"add_library(usermod_x INTERFACE)\ntarget_sources(other INTERFACE a.c)\n", `:2: target_sources.*not the INTERFACE of a usermod_\* library`},
		{"add_library(usermod_x INTERFACE)\n", `no target_sources`},
		{"add_library(usermod_x INTERFACE\n", `not closed`},
	}
	for _, c := range refused {
		_, err := readCMake(dir, c.text)
		if err == nil || !regexp.MustCompile(c.want).MatchString(err.Error()) {
			t.Errorf("%q: got %v, want an error matching %s", c.text, err, c.want)
		}
	}
}
