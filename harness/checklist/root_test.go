package checklist

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestModuleRoot(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ModuleRoot(deep); !errors.Is(err, ErrNoModuleRoot) {
		t.Errorf("no go.mod: err = %v, want ErrNoModuleRoot", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ModuleRoot(deep); err != nil || got != dir {
		t.Errorf("ModuleRoot = %q, %v; want %q", got, err, dir)
	}
}

func TestConfigLayers(t *testing.T) {
	l := ConfigLayers("", "/m")
	if strings.Join(l.Names(), ",") != DefaultConfig {
		t.Errorf("default layers = %v", l.Names())
	}
	l = ConfigLayers(" a.yaml, ,/abs/b.yaml ", "/m")
	if want := []string{"/m/a.yaml", "/abs/b.yaml"}; strings.Join(l.Paths, ",") != strings.Join(want, ",") {
		t.Errorf("paths = %v, want %v", l.Paths, want)
	}
	if got := l.Names(); strings.Join(got, ",") != "a.yaml,/abs/b.yaml" {
		t.Errorf("names = %v", got)
	}
	if got := l.Display("/mm/x"); got != "/mm/x" {
		t.Errorf("Display outside root = %q", got)
	}
}
