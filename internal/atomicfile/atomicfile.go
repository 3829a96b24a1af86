// Package atomicfile writes files so that a reader sees the old content or the
// new, never a part: every report, snapshot, manifest and layer presoak writes
// goes through it. It is a leaf (standard library only), so the engine, the
// harness and the renderers can all use it.
//
// A path that is a symbolic link is replaced by the file, never written
// through: a link under artifacts/ to a file elsewhere leaves that file as it
// was.
//
// It is not a lock: two writers of one path race, and the last rename wins
// (internal/runlock keeps two runs out of one directory).
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes data to path through a temporary file in the same directory,
// synced and renamed over path, with mode 0644. It creates the directory when
// missing. When the directory cannot exist (a regular file in its place, no
// permission) nothing is written and the error names path.
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
