// Package mapfile gives the contents of a file without reading it whole:
// mapped read-only into memory where the system allows it, so that a large
// archive costs only the pages that are looked at.
package mapfile

// Map returns the contents of the named file and a function that releases
// them. The bytes must not be used, or kept in a slice or string that shares
// their memory, after release is called.
func Map(name string) (data []byte, release func(), err error) {
	return mapFile(name)
}
