// Package modroot finds the module root: the directory holding go.mod that
// fixture and artifact paths are relative to. Tests run with their package
// directory as the working directory, commands with wherever they were
// started; both resolve paths against this root.
package modroot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNotFound is returned when no go.mod is found at or above a directory.
var ErrNotFound = errors.New("no go.mod found")

// Find returns the nearest directory at or above dir that holds a go.mod file.
// The error names only the last element of dir, never a whole machine path.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for d := abs; ; {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !fi.IsDir() {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("find module root: %w at or above %s", ErrNotFound, filepath.Base(abs))
		}
		d = parent
	}
}
