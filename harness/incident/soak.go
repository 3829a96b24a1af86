package incident

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/signal"
)

// SoakDir is where a soak's bundles go, relative to the module root.
const SoakDir = "artifacts/soak"

// ForSoak is the Incident of a soak run from the module root, as make soak
// runs it: bundles under root/artifacts/soak, the rollback of CONFIG's
// layers in root's workspace with root's fixtures/rollback.yaml, and onStop
// (the ON_STOP variable: "" or preview, or rollback) for the action.
func ForSoak(root string, layers []string, loaded *config.Loaded, spec *criteria.Spec, signals signal.Options, onStop string, log io.Writer) (*Incident, error) {
	action, err := ParseAction(onStop)
	if err != nil {
		return nil, fmt.Errorf("soak incident writer: %w", err)
	}
	return New(Options{
		Dir: filepath.Join(root, filepath.FromSlash(SoakDir)), Spec: spec, Signals: signals, Config: loaded, Action: action, Log: log, Root: root,
		Safety: safety.Options{
			Workspace:    safety.Workspace{Root: root},
			ConfigLayers: layers,
			TargetsFile:  filepath.Join(root, filepath.FromSlash(safety.TargetsFile)),
		},
	})
}
