package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// Must decide (issue 17): a report path under artifacts/ that is a symlink
// to a file elsewhere. Decision: the rename replaces the link with the
// report; the file it pointed to is never written.
func TestWriteFileReplacesASymlinkInsteadOfFollowingIt(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(outside, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "report.json")
	if err := os.Symlink(outside, path); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("report\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "keep me\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Fatalf("got %v, %v; want a regular file in place of the link", fi, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "report\n" {
		t.Errorf("report: got %q", b)
	}
}
