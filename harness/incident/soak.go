package incident

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/internal/home"
)

// SoakDir is where a soak's bundles go, relative to the module root.
const SoakDir = "artifacts/soak"

// ForSoak is the Incident of a soak run from the module root, as make soak
// runs it: bundles under root/artifacts/soak, the rollback of CONFIG's
// layers in root's workspace with root's fixtures/rollback.yaml (presoak's
// own, internal/home.Data, when root has none: a team's tree), and onStop
// (the ON_STOP variable: "" or preview, or rollback) for the action.
func ForSoak(root string, layers []string, loaded *config.Loaded, spec *criteria.Spec, signals signal.Options, onStop string, log io.Writer) (*Incident, error) {
	action, err := ParseAction(onStop)
	if err != nil {
		return nil, fmt.Errorf("soak incident writer: %w", err)
	}
	// The team's own targets file when its tree has one, else presoak's
	// (internal/home.Data): a team's tree need not copy presoak's fixtures.
	targets := filepath.Join(root, filepath.FromSlash(safety.TargetsFile))
	if _, err := os.Stat(targets); err != nil {
		if d, derr := home.Data(safety.TargetsFile); derr == nil {
			targets = d
		}
	}
	return New(Options{
		Dir: filepath.Join(root, filepath.FromSlash(SoakDir)), Spec: spec, Signals: signals, Config: loaded, Action: action, Log: log, Root: root,
		Safety: safety.Options{
			Workspace:    safety.Workspace{Root: root},
			ConfigLayers: layers,
			TargetsFile:  targets,
		},
	})
}

// ProfileRollbackDir is where ON_STOP=rollback writes the rolled-back
// copies of a profile bot's config files, relative to the module root.
const ProfileRollbackDir = safety.ProfileRollbackDir

// ForProfileSoak is ForSoak for a bot under a profile (harness/profile):
// the rollback previewed (or, with onStop rollback, written as copies of
// the bot's config files under root/ProfileRollbackDir and verified) is the
// profile's config.rollback paths in the bot's own files, not presoak's
// rollback layer.
func ForProfileSoak(root string, p *profile.Profile, spec *criteria.Spec, signals signal.Options, onStop string, log io.Writer) (*Incident, error) {
	action, err := ParseAction(onStop)
	if err != nil {
		return nil, fmt.Errorf("soak incident writer: %w", err)
	}
	if p == nil {
		return nil, fmt.Errorf("soak incident writer: no bot profile")
	}
	return New(Options{
		Dir: filepath.Join(root, filepath.FromSlash(SoakDir)), Spec: spec, Signals: signals, Action: action, Log: log, Root: root,
		Safety: safety.Options{Workspace: safety.Workspace{Root: root}}, Profile: p,
		ProfileRollbackDir: filepath.Join(root, filepath.FromSlash(ProfileRollbackDir)),
	})
}
