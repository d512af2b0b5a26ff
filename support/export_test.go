package support

// DynruntimeTable is Hint's table of py/dynruntime.h macros, for the
// external tests (which import builder, which imports this package).
var DynruntimeTable = dynruntime()
