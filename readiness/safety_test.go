package readiness

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/presoak/presoak/readiness/checklist"
	"github.com/presoak/presoak/readiness/safety"
	"github.com/presoak/presoak/readiness/safety/checks"
)

// TestSafety is the Safety area: the feature-flag snapshot matches the
// effective config (CONFIG's layers plus the rollback layer when applied),
// the rollback dry run turns every target off, and a restore round-trips.
func TestSafety(t *testing.T) {
	checklist.Group(t, checklist.AreaSafety)
	env, err := checklist.LoadEnv(os.Getenv("CONFIG"))
	if err != nil {
		t.Fatalf("safety: %v", err)
	}
	root := env.Layers.Root
	opts := safety.Options{
		Workspace:    safety.Workspace{Root: root},
		ConfigLayers: env.Layers.Paths,
		TargetsFile:  filepath.Join(root, safety.TargetsFile),
	}

	t.Run("feature_flags_snapshot", func(t *testing.T) {
		checklist.Record(t, checks.Snapshot(opts, filepath.Join(root, safety.SchemaFile), root))
	})
	t.Run("rollback_dry_run", func(t *testing.T) {
		checklist.Record(t, checks.RollbackDryRun(opts, root))
	})
	t.Run("restore_round_trip", func(t *testing.T) {
		scratch := opts
		scratch.Workspace = safety.Workspace{Root: t.TempDir()}
		checklist.Record(t, checks.RestoreRoundTrip(scratch, root))
	})
}
