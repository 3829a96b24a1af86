package prombin

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// teamRoot is a team's module: presoak is a dependency, so there is neither
// presoak's Makefile nor its tools/go.mod.
func teamRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/team\n\ngo 1.26\n\nrequire github.com/presoak/presoak v0.4.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestFindInATeamTreeSaysHowToBuildThere: in a team's module `make deps`
// does not exist; the error says the go command that builds the pinned
// binaries there and the variables that name them, and is still
// ErrNotBuilt for callers that branch on it.
func TestFindInATeamTreeSaysHowToBuildThere(t *testing.T) {
	t.Parallel()
	root := teamRoot(t)
	for _, name := range []string{Promtool, Prometheus} {
		_, _, err := Find(root, name)
		if !errors.Is(err, ErrNotBuilt) {
			t.Fatalf("%s in a team's tree: got %v, want ErrNotBuilt", name, err)
		}
		msg := err.Error()
		if strings.Contains(msg, "make deps") {
			t.Errorf("%s in a team's tree: error %q says make deps, which is presoak's own Makefile target", name, msg)
		}
		for _, want := range []string{
			"go install github.com/prometheus/prometheus/cmd/promtool@" + PinnedModuleVersion,
			"github.com/prometheus/prometheus/cmd/prometheus@" + PinnedModuleVersion,
			EnvPromtool, EnvPrometheus,
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s in a team's tree: error %q does not say %q", name, msg, want)
			}
		}
		if strings.Contains(msg, root) {
			t.Errorf("error %q names a machine path", msg)
		}
	}
}

// TestFindWithABadOverrideInATeamTree: PRESOAK_PROMTOOL naming a binary
// that is not a Prometheus build, in a team's tree: refused, and the hint
// is the team's, not make deps. (Not parallel: it sets the environment.)
func TestFindWithABadOverrideInATeamTree(t *testing.T) {
	root := teamRoot(t)
	script := filepath.Join(root, "promtool")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho promtool, version 2.42.0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvPromtool, script)
	_, _, err := Find(root, Promtool)
	if !errors.Is(err, ErrNotBuilt) || strings.Contains(err.Error(), "make deps") || !strings.Contains(err.Error(), "go install") {
		t.Fatalf("a script as %s in a team's tree: got %v, want ErrNotBuilt with the go install hint, not make deps", EnvPromtool, err)
	}
}
