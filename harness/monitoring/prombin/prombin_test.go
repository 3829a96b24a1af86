package prombin

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRelease(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"v0.316.0": "3.16.0", "v0.305.1": "3.5.1", "v0.300.0": "3.0.0", "v0.316.0-rc.1": "3.16.0"} {
		got, err := Release(in)
		if err != nil || got != want {
			t.Errorf("Release(%q): got %q, %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"v2.42.0", "v0.42.0", "v0.x.0", ""} {
		if got, err := Release(bad); err == nil {
			t.Errorf("Release(%q): got %q, want an error", bad, got)
		}
	}
}

// TestTheRepositoryPinsPrometheus3: tools/go.mod pins a Prometheus 3
// release, the module version the team's hint names (PinnedModuleVersion).
func TestTheRepositoryPinsPrometheus3(t *testing.T) {
	t.Parallel()
	root, err := Root(".")
	if err != nil {
		t.Fatal(err)
	}
	pin, err := PinIn(root)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pin.Release, "3.") {
		t.Fatalf("tools/go.mod pins %s, want a Prometheus 3 release", pin)
	}
	if pin.ModuleVersion != PinnedModuleVersion {
		t.Fatalf("PinnedModuleVersion = %s, tools/go.mod pins %s: update the constant", PinnedModuleVersion, pin.ModuleVersion)
	}
}

// fakeRoot is a module root with a tools/go.mod pinning v0.316.0.
func fakeRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/x\n")
	write("tools/go.mod", "module example.com/x/tools\n\ngo 1.26\n\ntool github.com/prometheus/prometheus/cmd/promtool\n\nrequire github.com/prometheus/prometheus v0.316.0\n")
	return root
}

func TestFindSaysMakeDepsWhenMissing(t *testing.T) {
	t.Parallel()
	root := fakeRoot(t)
	_, pin, err := Find(filepath.Join(root, "tools"), Promtool)
	if !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("no bin/promtool: got %v, want ErrNotBuilt", err)
	}
	if pin.Release != "3.16.0" {
		t.Errorf("pin read from inside tools/: got %+v, want 3.16.0", pin)
	}
	for _, want := range []string{"make deps", "bin/promtool", "3.16.0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), root) {
		t.Errorf("error %q names a machine path", err)
	}
}

// TestFindRejectsAnotherBinary: a binary in bin/ that is not built from
// the pinned Prometheus (here: this test binary) is refused, never run.
func TestFindRejectsAnotherBinary(t *testing.T) {
	t.Parallel()
	root := fakeRoot(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, BinDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, BinDir, Prometheus), data, 0o755); err != nil {
		t.Fatal(err)
	}
	_, _, err = Find(root, Prometheus)
	if !errors.Is(err, ErrNotBuilt) || !strings.Contains(err.Error(), "not built from github.com/prometheus/prometheus") {
		t.Fatalf("foreign bin/prometheus: got %v, want it refused as not built from the pinned module", err)
	}
	if err := os.WriteFile(filepath.Join(root, BinDir, Promtool), []byte("#!/bin/sh\necho promtool, version 2.42.0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Find(root, Promtool); !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("a script as bin/promtool: got %v, want ErrNotBuilt", err)
	}
}

func TestPinInNamesTheProblem(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if _, err := PinIn(root); err == nil || !strings.Contains(err.Error(), ToolsModFile) || strings.Contains(err.Error(), root) {
		t.Fatalf("no tools/go.mod: got %v, want an error naming %s and no machine path", err, ToolsModFile)
	}
	if err := os.MkdirAll(filepath.Join(root, "tools"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ToolsModFile), []byte("module x\n\nrequire github.com/prometheus/prometheus v2.42.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := PinIn(root); err == nil || !strings.Contains(err.Error(), "tools/go.mod:3") {
		t.Fatalf("a 2.x pin: got %v, want an error naming tools/go.mod:3", err)
	}
}
