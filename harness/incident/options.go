package incident

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/signal"
)

// Action is what a stop does to the bot's config.
type Action string

// The actions.
const (
	// Preview (the default) writes the rollback dry run into the bundle and
	// changes nothing.
	Preview Action = "preview"
	// Rollback applies the rollback layer (harness/safety), verifies it
	// and records it in the bundle.
	Rollback Action = "rollback"
)

// ErrAction is returned by ParseAction for an unknown value.
var ErrAction = errors.New("unknown ON_STOP action")

// ParseAction reads ON_STOP: "" or "preview" is Preview, "rollback" is Rollback.
func ParseAction(v string) (Action, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "preview":
		return Preview, nil
	case "rollback":
		return Rollback, nil
	}
	return "", fmt.Errorf("parse ON_STOP: %w %q: want preview (default) or rollback", ErrAction, v)
}

// Options configure the incident bundles of one soak. Dir and Spec are
// required; the zero value of every other field works (what is missing is
// said in the bundle, not guessed).
type Options struct {
	// Dir receives incident-<time>/ bundles (artifacts/soak under the module root).
	Dir string
	// Spec is the soak's criteria; Signals its signal options (the frozen
	// baseline for p95_regression_pct).
	Spec    *criteria.Spec
	Signals signal.Options
	// Config is the bot's effective config, for the redacted copy and the hash.
	Config *config.Loaded
	// Safety says where the rollback is previewed or applied (workspace,
	// config layers, targets file): the same options as `make rollback`.
	Safety safety.Options
	// Profile, when set, is the bot profile (harness/profile) the soak runs
	// on: the rollback is the profile's (its config.rollback paths in the
	// bot's own config files, harness/checklist.ProfileRollback), not
	// Safety's. ProfileRollbackDir receives the rolled-back copies of the
	// bot's layers on ON_STOP=rollback (the bot's files are never written).
	Profile            *profile.Profile
	ProfileRollbackDir string
	// Action is Preview (default) or Rollback (ON_STOP=rollback).
	Action Action
	// KeepSamples is how many of the last samples go into samples.jsonl [120].
	KeepSamples int
	// Log receives a line per bundle written; nil: none.
	Log io.Writer
	// Root, when set, is the module root: Log names bundles relative to it
	// (no machine's absolute paths in a soak's output).
	Root string
	// Now is the wall clock (for "written at"); nil: time.Now.
	Now func() time.Time
}

// display is path relative to Root when it lies under it.
func (o *Options) display(path string) string {
	if o.Root == "" {
		return path
	}
	if rel, err := filepath.Rel(o.Root, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return path
}

func (o *Options) defaults() error {
	var errs []error
	if o.Dir == "" {
		errs = append(errs, errors.New("no bundle directory"))
	}
	if o.Spec == nil {
		errs = append(errs, errors.New("no criteria"))
	}
	if o.Profile != nil && o.ProfileRollbackDir == "" && o.Action == Rollback {
		errs = append(errs, errors.New("a profile's rollback on stop needs ProfileRollbackDir"))
	}
	if o.Action == "" {
		o.Action = Preview
	}
	if o.Action != Preview && o.Action != Rollback {
		errs = append(errs, fmt.Errorf("%w %q", ErrAction, o.Action))
	}
	if o.KeepSamples <= 0 {
		o.KeepSamples = 120
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return errors.Join(errs...)
}

// historySpan is how far before the firing its signal history goes: the
// time the condition had to hold, the window it is computed over, and ten
// evaluations of context.
func historySpan(spec *criteria.Spec, c criteria.Criterion) time.Duration {
	return c.For + c.Window + 10*spec.EvaluationInterval
}
