package safety_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/safety"
)

// fixedMeta makes snapshots byte-for-byte reproducible.
var fixedMeta = safety.Meta{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Version: "test", GitCommit: "unknown"}

// moduleFile is a path under the module root.
func moduleFile(t testing.TB, rel string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := safety.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, filepath.FromSlash(rel))
}

// newOptions is a scratch workspace on the fixtures' config layers (base and
// soak overrides unless layers are given) and the fixtures' rollback targets.
func newOptions(t testing.TB, layers ...string) safety.Options {
	t.Helper()
	if len(layers) == 0 {
		layers = []string{moduleFile(t, "fixtures/config.yaml"), moduleFile(t, "fixtures/config.soak_overrides.yaml")}
	}
	return safety.Options{
		Workspace:    safety.Workspace{Root: t.TempDir()},
		ConfigLayers: layers,
		TargetsFile:  moduleFile(t, safety.TargetsFile),
		Meta:         fixedMeta,
	}
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// listFiles is every file under dir (relative, slash-separated).
func listFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			r, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(r))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustLoad(t testing.TB, layers ...string) *safety.Effective {
	t.Helper()
	eff, err := safety.LoadConfig(layers...)
	if err != nil {
		t.Fatal(err)
	}
	return eff
}

// at is "file:line" of a dotted key's line in a config fixture, found by
// reading the text (section at column 0, then the first indented key line
// below it), independently of the config loader's provenance it checks.
func at(t testing.TB, file, dotted string) string {
	t.Helper()
	section, key, ok := strings.Cut(dotted, ".")
	if !ok {
		t.Fatalf("at: %q is not section.key", dotted)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	in := false
	for i, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, section+":"):
			in = true
		case in && len(line) > 0 && line[0] != ' ' && line[0] != '#':
			in = false
		case in && strings.HasPrefix(strings.TrimSpace(line), key+":"):
			return fmt.Sprintf("%s:%d", file, i+1)
		}
	}
	t.Fatalf("at: %s has no %s", file, dotted)
	return ""
}
