package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileReplacesWholeAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "report.md")
	for _, body := range []string{"first\n", "second, longer\n"} {
		if err := WriteFile(path, []byte(body)); err != nil {
			t.Fatalf("WriteFile: %v", err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != body {
			t.Fatalf("read back %q, %v; want %q", got, err, body)
		}
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", fi.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the file (no temp left)", len(entries))
	}
}

func TestWriteFileWhereTheDirectoryCannotBe(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "artifacts")
	if err := os.WriteFile(blocker, []byte("a file, not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(blocker, "release", "snapshot.json")
	err := WriteFile(path, []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("WriteFile under a regular file = %v, want an error naming %s", err, path)
	}
}
