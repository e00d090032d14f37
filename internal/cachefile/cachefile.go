// Package cachefile writes the files of deployorder's caches (finished
// plans, the dependency index, the dependencies' types) so that a reader
// never sees half of one.
package cachefile

import (
	"os"
	"path/filepath"
)

// Write writes data to name, creating its directory: to a temporary file
// in that directory renamed over name, so that a reader sees the old file
// or the new one, and two writers at once leave one of theirs. Nothing is
// left behind when it fails.
func Write(name string, data []byte) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	err = werr
	if err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
