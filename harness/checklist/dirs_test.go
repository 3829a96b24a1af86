package checklist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/checklist/result"
)

func TestWritableDirCreatesMissing(t *testing.T) {
	root := t.TempDir()
	it := WritableDir(root, "artifacts/edge/feeds", "seed")
	if it.Status != result.StatusPass || it.Got != "created, writable" {
		t.Fatalf("WritableDir(missing) = %+v, want created", it)
	}
	if fi, err := os.Stat(filepath.Join(root, "artifacts/edge/feeds")); err != nil || !fi.IsDir() {
		t.Fatalf("directory not created: %v", err)
	}
	if again := WritableDir(root, "artifacts/edge/feeds", "seed"); again.Got != "exists, writable" {
		t.Errorf("second run Got = %q, want exists, writable", again.Got)
	}
	entries, _ := os.ReadDir(filepath.Join(root, "artifacts/edge/feeds"))
	if len(entries) != 0 {
		t.Errorf("write probe left %d files behind", len(entries))
	}
}

// A regular file where a directory must be fails even for root (tests run
// as root in CI, where permissions alone would not).
func TestWritableDirFileInTheWay(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "artifacts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "artifacts/edge"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"artifacts/edge", "artifacts/edge/feeds"} {
		it := WritableDir(root, dir, "seed")
		if it.Status != result.StatusFail || it.Severity != result.Blocking {
			t.Fatalf("%s: %+v, want a blocking failure", dir, it)
		}
		if !strings.Contains(it.Fix, "remove or rename the regular file artifacts/edge") {
			t.Errorf("%s: fix = %q, want it to name the file in the way", dir, it.Fix)
		}
		if !strings.HasPrefix(it.Message, dir+" (seed) is not a writable directory: ") || strings.Contains(it.Message, root) {
			t.Errorf("%s: message = %q", dir, it.Message)
		}
	}
}

func TestWritableDirReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes to read-only directories; TestWritableDirFileInTheWay covers the failure for root")
	}
	root := t.TempDir()
	ro := filepath.Join(root, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	if it := WritableDir(root, "ro", "seed"); it.Status != result.StatusFail || !strings.Contains(it.Fix, "writable") {
		t.Errorf("read-only dir: %+v, want a failure about permissions", it)
	}
}

func TestLogDir(t *testing.T) {
	root := t.TempDir()
	cfg := config.Config{}
	if it := LogDir(root, view(cfg)); it.Status != result.StatusFail || !strings.Contains(it.Message, "output.log_dir is empty") {
		t.Errorf("empty log_dir: %+v", it)
	}
	cfg.Output.LogDir = "artifacts/logs"
	it := LogDir(root, view(cfg))
	if it.Status != result.StatusPass || !strings.HasPrefix(it.Source, "output.log_dir") {
		t.Errorf("log_dir: %+v", it)
	}
}

func TestDirItemName(t *testing.T) {
	for in, want := range map[string]string{"artifacts/edge/feeds": "artifacts_edge_feeds", "/var/log/bot/": "var_log_bot", "a b": "a_b"} {
		if got := DirItemName(in); got != want {
			t.Errorf("DirItemName(%q) = %q, want %q", in, got, want)
		}
	}
}
