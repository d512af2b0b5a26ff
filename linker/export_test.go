package linker

// The decode checks, for the tests of package linker_test (which may
// import the builder).
var (
	CheckXtensa     = checkXtensa
	CheckRodataCode = checkRodataCode
)
