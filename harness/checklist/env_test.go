package checklist_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/safety/checks"
)

// With the rollback applied in a workspace (the real snapshot + apply), the
// checklist loads CONFIG's layers plus the rollback layer: pipeline.enabled is
// false, set by the rollback layer, and the fix says to undo it; the Safety
// snapshot item reports the snapshot stale with the fix make restore.
func TestLoadEnvSeesAppliedRollback(t *testing.T) {
	mod, err := checklist.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	list := filepath.Join(mod, "fixtures/config.yaml") + "," + filepath.Join(mod, "fixtures/config.soak_overrides.yaml")

	before := checklist.LoadEnvAt(root, list)
	if before.LoadErr != nil || !before.Loaded.Config.Pipeline.Enabled || before.Rollback != "" {
		t.Fatalf("before the rollback: err %v, rollback %q", before.LoadErr, before.Rollback)
	}

	opts := safety.Options{
		Workspace:    safety.Workspace{Root: root},
		ConfigLayers: before.Layers.Paths,
		TargetsFile:  filepath.Join(mod, safety.TargetsFile),
	}
	if _, err := safety.TakeSnapshot(opts); err != nil {
		t.Fatal(err)
	}
	if _, err := safety.Apply(opts); err != nil {
		t.Fatal(err)
	}

	env := checklist.LoadEnvAt(root, list)
	if env.LoadErr != nil {
		t.Fatal(env.LoadErr)
	}
	if env.Loaded.Config.Pipeline.Enabled {
		t.Fatal("pipeline.enabled = true with the rollback applied, want false")
	}
	if got, want := env.Effective.Names(), safety.RollbackLayerFile; got[len(got)-1] != want || len(env.Layers.Paths) != 2 {
		t.Errorf("effective layers %v, CONFIG layers %v: want CONFIG's two then %s", got, env.Layers.Names(), want)
	}
	if !strings.HasSuffix(env.LayersAttr(), safety.RollbackLayerFile+" (rollback applied)") {
		t.Errorf("LayersAttr = %q, want the rollback layer marked", env.LayersAttr())
	}
	var pipeline checklist.Item
	for _, n := range checklist.ConfigAndFlagsItems(env, nil) {
		if n.Name == "pipeline_enabled" {
			pipeline = n.Item
		}
	}
	if pipeline.Status != result.StatusFail || !strings.HasPrefix(pipeline.Source, safety.RollbackLayerFile+":") ||
		!strings.Contains(pipeline.Fix, "make restore") {
		t.Errorf("pipeline_enabled with the rollback applied = %+v, want a failure sourced in the rollback layer, fixed by make restore", pipeline)
	}

	snap := checks.Snapshot(opts, filepath.Join(mod, safety.SchemaFile), root)
	if snap.Status != result.StatusFail || !strings.HasPrefix(snap.Got, "stale") || !strings.Contains(snap.Fix, "make restore") {
		t.Errorf("Safety snapshot item with the rollback applied = %+v, want stale with the fix make restore", snap)
	}

	if _, err := safety.Restore(opts); err != nil {
		t.Fatal(err)
	}
	if after := checklist.LoadEnvAt(root, list); !after.Loaded.Config.Pipeline.Enabled || after.Rollback != "" {
		t.Errorf("after restore: pipeline.enabled %v, rollback %q", after.Loaded.Config.Pipeline.Enabled, after.Rollback)
	}
}
