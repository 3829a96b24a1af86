package safety_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/safety"
)

// botTree copies the bbgo example bot's profile and config into a
// temporary tree (the repository's fixtures are never written) and loads
// the profile.
func botTree(t *testing.T) (safety.Workspace, *profile.Profile) {
	t.Helper()
	repo, err := safety.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, f := range []string{"profile.yaml", "xmaker.yaml"} {
		data, err := os.ReadFile(filepath.Join(repo, "fixtures", "bots", "bbgo", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := profile.Load(filepath.Join(root, "profile.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return safety.Workspace{Root: root}, p
}

func rollBack(t *testing.T, w safety.Workspace, p *profile.Profile) []string {
	t.Helper()
	rb, err := checklist.ProfileRollback(p, w.ProfileRollbackPath())
	if err != nil {
		t.Fatal(err)
	}
	return rb.Files
}

// TestRestoreProfileRoundTrip: snapshot, rollback copies, restore: the
// copies are gone and every layer hashes to the snapshot's.
func TestRestoreProfileRoundTrip(t *testing.T) {
	t.Parallel()
	w, p := botTree(t)
	s, err := safety.TakeProfileSnapshot(w, p, safety.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Layers) != 1 || s.Layers[0].File != "xmaker.yaml" || len(s.Flags) != 2 {
		t.Fatalf("snapshot: got layers %+v flags %+v, want xmaker.yaml and 2 targets", s.Layers, s.Flags)
	}
	copies := rollBack(t, w, p)
	if _, err := safety.TakeProfileSnapshot(w, p, safety.Meta{}); !errors.Is(err, safety.ErrRollbackActive) {
		t.Errorf("snapshot while copies exist: got %v, want ErrRollbackActive", err)
	}
	r, err := safety.RestoreProfile(w, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Removed) != len(copies) || r.Removed[0] != copies[0] {
		t.Errorf("removed %v, want %v", r.Removed, copies)
	}
	if _, err := os.Stat(w.ProfileRollbackPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("rollback directory after restore: %v, want gone", err)
	}
	if len(r.Layers) != 1 || r.Layers[0].SHA256 != s.Layers[0].SHA256 {
		t.Errorf("verified layers %+v, want the snapshot's %+v", r.Layers, s.Layers)
	}
	// a second restore has nothing to remove and still verifies
	if r, err := safety.RestoreProfile(w, p); err != nil || len(r.Removed) != 0 {
		t.Errorf("second restore: got %+v, %v, want nothing removed and verified", r, err)
	}
}

// TestRestoreProfileRefuses: no snapshot, a bot config changed since it,
// and a snapshot of other layers are failures that name the cause and
// leave the copies in place.
func TestRestoreProfileRefuses(t *testing.T) {
	t.Parallel()
	t.Run("no snapshot", func(t *testing.T) {
		t.Parallel()
		w, p := botTree(t)
		rollBack(t, w, p)
		_, err := safety.RestoreProfile(w, p)
		if !errors.Is(err, safety.ErrNoSnapshot) || !strings.Contains(err.Error(), "left in place") {
			t.Fatalf("got %v, want ErrNoSnapshot, copies left in place", err)
		}
	})
	t.Run("config changed", func(t *testing.T) {
		t.Parallel()
		w, p := botTree(t)
		if _, err := safety.TakeProfileSnapshot(w, p, safety.Meta{}); err != nil {
			t.Fatal(err)
		}
		copies := rollBack(t, w, p)
		path := p.Resolve("xmaker.yaml")
		data, _ := os.ReadFile(path)
		edited := strings.Replace(string(data), "margin: 0.004", "margin: 0.005", 1)
		if edited == string(data) {
			t.Fatal("the fixture has no margin: 0.004 to edit")
		}
		if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := safety.RestoreProfile(w, p)
		if !errors.Is(err, safety.ErrStaleSnapshot) {
			t.Fatalf("got %v, want ErrStaleSnapshot", err)
		}
		for _, want := range []string{"xmaker.yaml (config.layers[0] of profile.yaml)", "changed since the snapshot", "left in place"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if _, err := os.Stat(copies[0]); err != nil {
			t.Errorf("a refused restore removed %s: %v", copies[0], err)
		}
	})
	t.Run("other layers", func(t *testing.T) {
		t.Parallel()
		w, p := botTree(t)
		if _, err := safety.TakeProfileSnapshot(w, p, safety.Meta{}); err != nil {
			t.Fatal(err)
		}
		p.Config.Layers = append(p.Config.Layers, "profile.yaml")
		if _, err := safety.RestoreProfile(w, p); !errors.Is(err, safety.ErrStaleSnapshot) || !strings.Contains(err.Error(), "records the layers xmaker.yaml") {
			t.Fatalf("got %v, want ErrStaleSnapshot naming the snapshot's layers", err)
		}
	})
	t.Run("old format", func(t *testing.T) {
		t.Parallel()
		w, p := botTree(t)
		if err := os.MkdirAll(filepath.Dir(w.ProfileSnapshotPath()), 0o755); err != nil {
			t.Fatal(err)
		}
		// the format the Safety item wrote before: a bare list of values, no hashes
		if err := os.WriteFile(w.ProfileSnapshotPath(), []byte(`[{"path":"a","value":"true","where":"x.yaml:1"}]`), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := safety.RestoreProfile(w, p); !errors.Is(err, safety.ErrCorruptSnapshot) || !strings.Contains(err.Error(), "make snapshot PROFILE=") {
			t.Fatalf("got %v, want ErrCorruptSnapshot saying to take a new one", err)
		}
	})
}

// TestProfileDeploySteps: the operator is told the rollback is not in
// effect, which copy replaces which file, and how to undo.
func TestProfileDeploySteps(t *testing.T) {
	t.Parallel()
	w, p := botTree(t)
	copies := rollBack(t, w, p)
	got := strings.Join(safety.ProfileDeploySteps(p, copies, filepath.Base), "\n")
	for _, want := range []string{"NOT in effect", "presoak does not start this bot", "00-xmaker.yaml in place of xmaker.yaml", "make restore PROFILE=profile.yaml"} {
		if !strings.Contains(got, want) {
			t.Errorf("deploy steps do not say %q:\n%s", want, got)
		}
	}
}
