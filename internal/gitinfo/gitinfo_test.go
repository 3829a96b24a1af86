package gitinfo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestCommit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	t.Parallel()
	if got := Commit(t.TempDir()); got != Unknown {
		t.Errorf("outside a work tree: got %q, want %q", got, Unknown)
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	f := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(f, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "a.txt")
	git(t, dir, "commit", "-q", "-m", "a")
	clean := Commit(dir)
	if !hash.MatchString(clean) {
		t.Fatalf("clean work tree: got %q, want a full hash", clean)
	}
	if err := os.WriteFile(f, []byte("b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Commit(dir); got != clean+DirtySuffix {
		t.Errorf("modified work tree: got %q, want %q", got, clean+DirtySuffix)
	}
	if strings.Contains(Commit(dir), "\n") {
		t.Error("a newline in the commit")
	}
}
