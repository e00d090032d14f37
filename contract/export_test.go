package contract

// InterestOf runs the syntax-only pass of Analyze on in and returns the
// contract types it finds of interest (importpath.Type, sorted): what the
// analysis then type-checks around.
func InterestOf(in Input) []string {
	a := newAnalysis(in)
	a.prepass()
	return sortedKeys(a.interest)
}

// TargetsOf returns the packages the analysis of a range type-checks with
// bodies at head.
func TargetsOf(in Input) []string {
	a := newAnalysis(in)
	if !a.prepass().any {
		return nil
	}
	return sortedKeys(a.targets()[Head])
}

// SetExtractHook sets a function the extraction's goroutine runs first,
// and returns the function that unsets it.
func SetExtractHook(f func()) func() {
	extractHook = f
	return func() { extractHook = nil }
}
