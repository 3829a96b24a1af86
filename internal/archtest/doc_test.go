package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/internal/modroot"
)

// TestArchitectureMapsEveryFolder: ARCHITECTURE.md, at the module root,
// names every top-level folder and every package under harness/ and
// internal/ (as `folder/` or `harness/x`), so the folder map is complete.
func TestArchitectureMapsEveryFolder(t *testing.T) {
	t.Parallel()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "ARCHITECTURE.md"))
	if err != nil {
		t.Fatalf("the architecture document: %v", err)
	}
	text := string(doc)
	top, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range top {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "artifacts" || e.Name() == "bin" {
			continue
		}
		if !strings.Contains(text, "`"+e.Name()+"/`") {
			t.Errorf("ARCHITECTURE.md's folder map lacks the top-level folder `%s/`", e.Name())
		}
	}
	for _, dir := range []string{"harness", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() || d.Name() == "testdata" {
				if d != nil && d.IsDir() && d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return err
			}
			if m, _ := filepath.Glob(filepath.Join(p, "*.go")); len(m) == 0 {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			if !strings.Contains(text, "`"+filepath.ToSlash(rel)+"`") {
				t.Errorf("ARCHITECTURE.md's folder map lacks the package `%s`", filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestNoReferenceToAMissingDesignDoc: nothing in the repository points at
// a design document it does not hold (the architecture is ARCHITECTURE.md).
func TestNoReferenceToAMissingDesignDoc(t *testing.T) {
	t.Parallel()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	missing := "DESIGN" + ".md" // split so this file does not name it
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "artifacts" || n == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".md", ".yaml", ".yml", ".py", ".json", ".golden", ".txt":
		default:
			if filepath.Base(p) != "Makefile" {
				return nil
			}
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), missing) {
			rel, _ := filepath.Rel(root, p)
			t.Errorf("%s refers to %s, which the repository does not hold: point it at ARCHITECTURE.md", rel, missing)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
