// Package ghfake is a fake GitHub REST API for tests: just the issue
// comment endpoints that a sticky pull-request comment uses (list, with
// pagination; create; update), with a token check, a log of requests, and
// failures that a test scripts in advance. It keeps its comments in memory
// and is safe for concurrent use.
package ghfake
