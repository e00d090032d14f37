package contract

// InterestOf runs the syntax-only pass of Analyze on in and returns the
// contract types it finds of interest (importpath.Type, sorted): what the
// analysis then type-checks around.
func InterestOf(in Input) []string {
	a := newAnalysis(in)
	a.prepass()
	return sortedKeys(a.interest)
}
