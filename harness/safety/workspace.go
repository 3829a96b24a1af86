package safety

import (
	"github.com/presoak/presoak/internal/modroot"
	"os"
	"path/filepath"
)

// Paths of the safety artifacts, relative to a workspace root.
const (
	// SnapshotFile is the feature-flag snapshot (the seed's name).
	SnapshotFile = "artifacts/release/FEATURE_FLAGS_SNAPSHOT.json"
	// RollbackLayerFile is the rollback override layer; while it exists it is
	// the last config layer (see EffectiveLayers).
	RollbackLayerFile = "artifacts/release/rollback.override.yaml"
	// TargetsFile is the default rollback targets file.
	TargetsFile = "fixtures/rollback.yaml"
	// SchemaFile is the JSON Schema of the snapshot.
	SchemaFile = "fixtures/schema/feature_flags_snapshot.schema.json"
)

// Workspace is the directory the safety artifacts live under. Root "" means
// the working directory (what `make` and the presoak command use); tests use
// a temporary directory so they never touch the user's artifacts.
type Workspace struct {
	// Root is the directory holding artifacts/; "" is the working directory.
	Root string
}

func (w Workspace) path(rel string) string {
	if w.Root == "" {
		return filepath.FromSlash(rel)
	}
	return filepath.Join(w.Root, filepath.FromSlash(rel))
}

// SnapshotPath is where the snapshot is written and read.
func (w Workspace) SnapshotPath() string { return w.path(SnapshotFile) }

// RollbackLayerPath is where Apply writes the rollback layer.
func (w Workspace) RollbackLayerPath() string { return w.path(RollbackLayerFile) }

// RollbackActive reports whether the rollback layer exists (as a regular file).
func (w Workspace) RollbackActive() bool {
	fi, err := os.Stat(w.RollbackLayerPath())
	return err == nil && fi.Mode().IsRegular()
}

// EffectiveLayers is configLayers followed by the rollback layer when it
// exists under the workspace root. A rollback layer already in configLayers
// is moved to the end, not repeated. The input slice is not modified.
func (w Workspace) EffectiveLayers(configLayers []string) []string {
	layers := w.WithoutRollback(configLayers)
	if w.RollbackActive() {
		layers = append(layers, w.RollbackLayerPath())
	}
	return layers
}

// WithoutRollback is configLayers without the workspace's rollback layer:
// the user's own layers, what a snapshot records and a rollback starts from.
func (w Workspace) WithoutRollback(configLayers []string) []string {
	out := make([]string, 0, len(configLayers)+1)
	for _, l := range configLayers {
		if !w.isRollbackLayer(l) {
			out = append(out, l)
		}
	}
	return out
}

func (w Workspace) isRollbackLayer(path string) bool {
	a, err1 := filepath.Abs(path)
	b, err2 := filepath.Abs(w.RollbackLayerPath())
	return err1 == nil && err2 == nil && a == b
}

// EffectiveLayers is the layers a bot started with CONFIG=configLayers runs
// on: configLayers, then artifacts/release/rollback.override.yaml (relative to
// the working directory) when that file exists. Load the bot's config with
// config.Load(safety.EffectiveLayers(layers)...) so an applied rollback takes
// effect; Workspace.EffectiveLayers does the same under another root.
func EffectiveLayers(configLayers []string) []string {
	return Workspace{}.EffectiveLayers(configLayers)
}

// ModuleRoot walks up from dir to the directory holding go.mod.
func ModuleRoot(dir string) (string, error) {
	return modroot.Find(dir)
}
