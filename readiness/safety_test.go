package readiness

import (
	"errors"
	"os"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/safety/checks"
	"github.com/presoak/presoak/internal/home"
)

// TestSafety is the Safety area: the feature-flag snapshot matches the
// effective config (CONFIG's layers plus the rollback layer when applied),
// the rollback dry run turns every target off, and a restore round-trips.
// With CONFIG empty (a running bot checked from its metrics) there are no
// config files to snapshot, roll back or restore: every item fails as not
// evaluated (checks.WithoutConfig). With a bot profile (PROFILE) the
// targets are paths in the bot's own config (checklist.ProfileSafetyItems).
func TestSafety(t *testing.T) {
	checklist.Group(t, checklist.AreaSafety)
	env, err := checklist.LoadRunEnv(os.LookupEnv)
	if err != nil {
		t.Fatalf("safety: %v", err)
	}
	if p := env.BotProfile(); p != nil {
		// a bot that is not ours: rollback targets are paths in its config
		cfg, err := checklist.ProfileConfig(p)
		for _, n := range checklist.ProfileSafetyItems(p, cfg, err, safety.Workspace{Root: env.Layers.Root}, t.TempDir()) {
			t.Run(n.Name, func(t *testing.T) { checklist.Record(t, n.Item) })
		}
		return
	}
	if env.NoConfig {
		for _, n := range checks.WithoutConfig() {
			t.Run(n.Name, func(t *testing.T) { checklist.Record(t, n.Item) })
		}
		return
	}
	root := env.Layers.Root
	// The rollback targets and the snapshot schema are presoak's own data.
	targets, terr := home.Data(safety.TargetsFile)
	schema, serr := home.Data(safety.SchemaFile)
	if err := errors.Join(terr, serr); err != nil {
		t.Fatalf("safety: %v", err)
	}
	opts := safety.Options{
		Workspace:    safety.Workspace{Root: root},
		ConfigLayers: env.Layers.Paths,
		TargetsFile:  targets,
	}

	t.Run(checks.ItemSnapshot, func(t *testing.T) {
		checklist.Record(t, checks.Snapshot(opts, schema, root))
	})
	t.Run(checks.ItemRollbackDryRun, func(t *testing.T) {
		checklist.Record(t, checks.RollbackDryRun(opts, root))
	})
	t.Run(checks.ItemRestoreRoundTrip, func(t *testing.T) {
		scratch := opts
		scratch.Workspace = safety.Workspace{Root: t.TempDir()}
		checklist.Record(t, checks.RestoreRoundTrip(scratch, root))
	})
}
