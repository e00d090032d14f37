package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStartProfile checks DEPLOYORDER_CPUPROFILE's writer: a profile file
// that go tool pprof can read (it starts with gzip's magic bytes), and
// nothing at all when the variable is empty or names an impossible path.
func TestStartProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cpu.prof")
	end := startProfile(path)
	sum := 0
	for i := range 1_000_000 {
		sum += i % 7
	}
	_ = sum
	end()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		t.Errorf("profile is not gzip-compressed pprof data: % x", data[:min(len(data), 8)])
	}

	startProfile("")() // no variable: nothing to do, nothing written
	startProfile(filepath.Join(dir, "missing", "cpu.prof"))()
	if _, err := os.Stat(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("an impossible path created something: %v", err)
	}
}
