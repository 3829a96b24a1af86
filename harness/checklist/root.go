package checklist

import (
	"github.com/presoak/presoak/internal/modroot"
	"path/filepath"
	"strings"
)

// DefaultConfig is the CONFIG used when the variable is unset: the fixtures'
// base and soak overrides, relative to the module root (as in the Makefile).
const DefaultConfig = "fixtures/config.yaml,fixtures/config.soak_overrides.yaml"

// ErrNoModuleRoot is returned when no go.mod is found above a directory.
var ErrNoModuleRoot = modroot.ErrNotFound

// ModuleRoot returns the nearest directory at or above dir that holds go.mod.
// Tests run with their package directory as working directory; fixture and
// artifact paths are relative to this root.
func ModuleRoot(dir string) (string, error) {
	return modroot.Find(dir)
}

// Layers is a run's config layers: the paths to load and how to name them.
type Layers struct {
	// Root is the module root the relative paths are resolved against.
	Root string
	// Paths are absolute paths, base first.
	Paths []string
}

// ConfigLayers resolves the CONFIG value list (comma-separated; empty means
// DefaultConfig) against root. Absolute paths are kept as given.
func ConfigLayers(list, root string) Layers {
	if strings.TrimSpace(list) == "" {
		list = DefaultConfig
	}
	l := Layers{Root: root}
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		l.Paths = append(l.Paths, p)
	}
	return l
}

// Display names path for a report: relative to the root when it is inside it
// (so no machine's absolute paths reach a report), else as given.
func (l Layers) Display(path string) string { return displayPath(l.Root, path) }

// Names are the layers' display names, base first.
func (l Layers) Names() []string {
	out := make([]string, len(l.Paths))
	for i, p := range l.Paths {
		out[i] = l.Display(p)
	}
	return out
}

func displayPath(root, path string) string {
	if !filepath.IsAbs(path) || root == "" {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}
