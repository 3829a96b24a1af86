// Package golden compares a renderer's output with a golden file under a
// test's testdata/, and rewrites the file when the test runs with -update.
// The renderers' tests (reports/...) share it, so every golden failure reads
// the same way: which file, the first line that differs, how to update.
package golden

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Check compares got with the golden file at path. With update it first
// writes got to path. A missing file, or content that differs, is an error
// naming path and, for a difference, the first line that differs.
func Check(path string, got []byte, update bool) error {
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			return fmt.Errorf("update golden %s: %w", path, err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read golden %s (go test -update creates it): %w", path, err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s differs from the golden file (go test -update rewrites it; review the diff): %s",
			path, FirstDiff(string(got), string(want)))
	}
	return nil
}

// FirstDiff names the first line where got and want differ, with both lines.
func FirstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return "(no line differs)"
}
