// Command monogen writes a synthetic Go monorepo with a git history, for
// deployorder's benchmarks and tests:
//
//	go run ./internal/monogen -out DIR [-packages 2000] [-services 100] [-contracts 20] [-commits 500] [-seed 1]
//
// DIR must not exist or be empty. See package gen for what the repository
// contains.
package main
