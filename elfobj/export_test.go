package elfobj

// NumSymbols is the number of symbols in the index, for tests.
func (x *Index) NumSymbols() int { return len(x.first) }
