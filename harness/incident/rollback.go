package incident

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/safety"
)

// RollbackResult is what the stop did about the config.
type RollbackResult struct {
	// Action is preview or rollback.
	Action Action `json:"action"`
	// Preview is the dry run, key by key (empty when it failed: PreviewErr).
	Preview    string `json:"preview,omitempty"`
	PreviewErr string `json:"preview_error,omitempty"`
	// Applied is true when the rollback layer was written and verified;
	// Layer is its path; ApplyErr why it was not.
	Applied  bool   `json:"applied"`
	Layer    string `json:"layer,omitempty"`
	ApplyErr string `json:"apply_error,omitempty"`
	// Verified lists every target key and its value after the rollback,
	// reloaded from the effective layers; VerifyErr says what did not match.
	Verified  []string `json:"verified,omitempty"`
	VerifyErr string   `json:"verify_error,omitempty"`
	// Profile names the bot profile whose rollback this is; empty: presoak's
	// (Safety's rollback layer). With a profile, Layer is the directory of
	// the rolled-back copies of the bot's config files.
	Profile string `json:"profile,omitempty"`
	// Deploy is, with a profile, what the operator must do with the
	// copies: presoak does not start that bot, so the rollback is not in
	// effect until the team's deploy restarts it on them
	// (safety.ProfileDeploySteps).
	Deploy []string `json:"deploy,omitempty"`
}

// noLayers is why there is no rollback when the soak had no config files.
const noLayers = "no config files given (CONFIG is empty): nothing here to roll back; roll the bot's flags back where its config lives"

// rollback previews (always) and, for Rollback, applies, reloads the
// effective layers and checks every target key has its rollback value.
func rollback(o safety.Options, action Action) (RollbackResult, error) {
	r, err := rollbackAbs(o, action)
	if root := o.Workspace.Root; root != "" { // paths in the workspace, relative to it
		rel := func(s string) string { return strings.ReplaceAll(s, root+string(filepath.Separator), "") }
		r.Preview, r.PreviewErr, r.Layer, r.ApplyErr, r.VerifyErr = rel(r.Preview), rel(r.PreviewErr), rel(r.Layer), rel(r.ApplyErr), rel(r.VerifyErr)
	}
	return r, err
}

func rollbackAbs(o safety.Options, action Action) (RollbackResult, error) {
	r := RollbackResult{Action: action}
	if len(o.ConfigLayers) == 0 {
		r.PreviewErr = noLayers
		if action != Rollback {
			return r, nil
		}
		r.ApplyErr = noLayers
		return r, fmt.Errorf("rollback on stop: %s", noLayers)
	}
	if plan, err := safety.DryRun(o); err != nil {
		r.PreviewErr = err.Error()
	} else {
		var b bytes.Buffer
		if err := plan.Print(&b); err != nil {
			r.PreviewErr = err.Error()
		}
		r.Preview = b.String()
	}
	if action != Rollback {
		return r, nil
	}
	a, err := safety.Apply(o)
	if err != nil {
		r.ApplyErr = err.Error()
		return r, fmt.Errorf("rollback on stop: %w", err)
	}
	r.Layer = a.Path
	load := o.Load
	if load == nil {
		load = safety.LoadConfig
	}
	after, err := load(o.Workspace.EffectiveLayers(o.ConfigLayers)...)
	if err != nil {
		r.VerifyErr = err.Error()
		return r, fmt.Errorf("rollback on stop: verify: %w", err)
	}
	var bad []string
	for _, c := range a.Plan.Changes {
		got, ok := after.Lookup(c.Key)
		v := "missing"
		if ok {
			v = safety.Display(got.Value)
		}
		r.Verified = append(r.Verified, fmt.Sprintf("%s = %s (want %s)", c.Key, v, c.New))
		if v != c.New {
			bad = append(bad, fmt.Sprintf("%s = %s, want %s", c.Key, v, c.New))
		}
	}
	if len(bad) > 0 {
		r.VerifyErr = strings.Join(bad, "; ")
		return r, fmt.Errorf("rollback on stop: verify: %s", r.VerifyErr)
	}
	r.Applied = true
	return r, nil
}

// profileRollback is rollback for a bot profile: the preview of its
// config.rollback paths in the bot's own files and, for Rollback, the
// rolled-back copies written (checklist.ProfileRollback) and verified.
func profileRollback(o Options) (RollbackResult, error) {
	p := o.Profile
	r := RollbackResult{Action: o.Action, Profile: filepath.Base(p.File)}
	lines, err := checklist.ProfileRollbackPreview(p)
	if err != nil {
		r.PreviewErr = fmt.Sprintf("profile %s: %v", r.Profile, err)
	} else {
		r.Preview = fmt.Sprintf("profile %s, the bot's config %s:\n  %s\n", r.Profile, strings.Join(p.Config.Layers, ", "), strings.Join(lines, "\n  "))
	}
	if o.Action != Rollback {
		return r, nil
	}
	rb, err := checklist.ProfileRollback(p, o.ProfileRollbackDir)
	if err != nil {
		r.ApplyErr = fmt.Sprintf("profile %s: %v", r.Profile, err)
		return r, fmt.Errorf("rollback on stop: profile %s: %w", r.Profile, err)
	}
	r.Layer = o.display(o.ProfileRollbackDir)
	for _, v := range rb.Verified {
		r.Verified = append(r.Verified, strings.ReplaceAll(v, o.ProfileRollbackDir+string(filepath.Separator), ""))
	}
	r.Deploy = safety.ProfileDeploySteps(p, rb.Files, o.display)
	r.Applied = true
	return r, nil
}

// text is rollback_preview.txt or rollback_applied.txt.
func (r RollbackResult) previewText() []byte {
	if r.PreviewErr != "" {
		return []byte("rollback dry run failed: " + r.PreviewErr + "\n")
	}
	if r.Profile != "" {
		return []byte("rollback dry run (nothing written); ON_STOP=rollback writes rolled-back copies of the bot's config files:\n" + r.Preview)
	}
	return []byte("rollback dry run (nothing written); make rollback APPLY=1 applies it:\n" + r.Preview)
}

func (r RollbackResult) appliedText() []byte {
	var b strings.Builder
	switch {
	case r.ApplyErr != "":
		fmt.Fprintf(&b, "ON_STOP=rollback: the rollback was NOT applied: %s\n", r.ApplyErr)
	case r.VerifyErr != "":
		fmt.Fprintf(&b, "ON_STOP=rollback: wrote %s but verification FAILED: %s\n", r.Layer, r.VerifyErr)
	case r.Profile != "":
		fmt.Fprintf(&b, "ON_STOP=rollback: profile %s: rolled-back copies of the bot's config files written to %s and verified (the bot's own files are untouched)\n", r.Profile, r.Layer)

	default:
		fmt.Fprintf(&b, "ON_STOP=rollback: applied and verified; rollback layer %s (undo with make restore)\n", r.Layer)
		b.WriteString("  a bot takes it when it next loads its config (the layer is last while it exists): restart it on safety.EffectiveLayers(CONFIG)\n")
	}
	for _, v := range r.Verified {
		fmt.Fprintf(&b, "  %s\n", v)
	}
	for _, l := range r.Deploy {
		fmt.Fprintf(&b, "%s\n", l)
	}
	return []byte(b.String())
}
