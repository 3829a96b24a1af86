package safety_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/safety"
)

func TestEffectiveLayersAppendsTheRollbackLayerOnlyWhenItExists(t *testing.T) {
	w := safety.Workspace{Root: t.TempDir()}
	in := []string{"a.yaml", "b.yaml"}
	if got := w.EffectiveLayers(in); !slices.Equal(got, in) {
		t.Errorf("no layer: got %v, want %v", got, in)
	}
	writeFile(t, w.Root, safety.RollbackLayerFile, "pipeline:\n  enabled: false\n")
	got := w.EffectiveLayers(in)
	if want := append(slices.Clone(in), w.RollbackLayerPath()); !slices.Equal(got, want) {
		t.Errorf("layer present: got %v, want %v", got, want)
	}
	if len(in) != 2 {
		t.Error("the input slice was modified")
	}
	// Already listed: moved last, not repeated.
	listed := []string{in[0], w.RollbackLayerPath(), in[1]}
	if got2 := w.EffectiveLayers(listed); !slices.Equal(got2, got) {
		t.Errorf("layer listed: got %v, want %v", got2, got)
	}
	if got := w.WithoutRollback(listed); !slices.Equal(got, in) {
		t.Errorf("WithoutRollback: got %v, want %v", got, in)
	}
	// A directory in the layer's place is not a layer.
	w2 := safety.Workspace{Root: t.TempDir()}
	if err := os.MkdirAll(w2.RollbackLayerPath(), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := w2.EffectiveLayers(in); !slices.Equal(got, in) {
		t.Errorf("directory at the layer path: got %v, want %v", got, in)
	}
	// The package-level function works relative to the working directory.
	if got := safety.EffectiveLayers(nil); len(got) > 1 {
		t.Errorf("EffectiveLayers(nil) = %v", got)
	}
}

func TestCheck(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		o := newOptions(t)
		_, eff, err := safety.Check(o)
		if !errors.Is(err, safety.ErrNoSnapshot) || eff == nil {
			t.Fatalf("got %v, want ErrNoSnapshot with the config loaded", err)
		}
	})
	t.Run("fresh", func(t *testing.T) {
		o := newOptions(t)
		if _, err := safety.TakeSnapshot(o); err != nil {
			t.Fatal(err)
		}
		if _, _, err := safety.Check(o); err != nil {
			t.Fatalf("got %v, want a match", err)
		}
	})
	t.Run("config changed after the snapshot", func(t *testing.T) {
		o := newOptions(t)
		if _, err := safety.TakeSnapshot(o); err != nil {
			t.Fatal(err)
		}
		o.ConfigLayers = o.ConfigLayers[:1]
		_, _, err := safety.Check(o)
		if !errors.Is(err, safety.ErrStaleSnapshot) || !strings.Contains(err.Error(), "make snapshot") {
			t.Fatalf("got %v, want ErrStaleSnapshot with the fix", err)
		}
	})
	t.Run("rollback applied", func(t *testing.T) {
		o := newOptions(t)
		if _, err := safety.TakeSnapshot(o); err != nil {
			t.Fatal(err)
		}
		if _, err := safety.Apply(o); err != nil {
			t.Fatal(err)
		}
		_, _, err := safety.Check(o)
		if !errors.Is(err, safety.ErrStaleSnapshot) || !strings.Contains(err.Error(), "make restore") {
			t.Fatalf("got %v, want ErrStaleSnapshot pointing at make restore", err)
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		o := newOptions(t)
		writeFile(t, o.Workspace.Root, safety.SnapshotFile, `{"format_version": 1, "generated_at": "2026`)
		if _, _, err := safety.Check(o); !errors.Is(err, safety.ErrCorruptSnapshot) {
			t.Fatalf("got %v, want ErrCorruptSnapshot", err)
		}
	})
}

func TestRoundTrip(t *testing.T) {
	o := newOptions(t)
	r, err := safety.RoundTrip(o)
	if err != nil {
		t.Fatal(err)
	}
	if r.RestoredHash != r.SnapshotHash || r.RolledBackHash == r.SnapshotHash || r.Targets != 4 {
		t.Errorf("got %+v, want restored == snapshot != rolled back, 4 targets", r)
	}
	if _, err := safety.RoundTrip(safety.Options{}); err == nil {
		t.Error("round trip in the working directory: got nil, want a refusal")
	}
}

func TestModuleRoot(t *testing.T) {
	root, err := safety.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root + "/go.mod"); err != nil {
		t.Fatal(err)
	}
	if _, err := safety.ModuleRoot(t.TempDir()); err == nil {
		t.Error("temp dir: got a module root, want none")
	}
}
