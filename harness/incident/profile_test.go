package incident_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/incident"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
)

// A soak under a bot profile previews (and, with ON_STOP=rollback, writes
// and verifies) the profile's rollback: its config.rollback paths in the
// bot's own config files, never presoak's fixtures/rollback.yaml keys; the
// bot's files are not written.
func TestProfileSoakRollsBackTheBotsOwnConfig(t *testing.T) {
	t.Parallel()
	p, err := profile.Load(filepath.Join(root(t), "fixtures/bots/bbgo/profile.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	botFile := p.Resolve(p.Config.Layers[0])
	before, err := os.ReadFile(botFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, onStop := range []string{"", "rollback"} {
		ws := t.TempDir()
		in, err := incident.ForProfileSoak(ws, p, loadSpec(t), signal.Options{}, onStop, nil)
		if err != nil {
			t.Fatal(err)
		}
		rep := &soak.Report{Verdict: soak.Stopped, Stop: &soak.Firing{Criterion: "target_down_stop", Signal: signal.TargetDown, Op: ">", At: time.Unix(1767225600, 0)}}
		if err := in.Finish(rep); err != nil {
			t.Fatalf("ON_STOP=%q: %v", onStop, err)
		}
		bs := in.Bundles()
		if len(bs) != 1 {
			t.Fatalf("bundles %v, want one", bs)
		}
		prev := string(read(t, bs[0], incident.BundleRollbackPreview))
		for _, want := range []string{"crossExchangeStrategies[0].xmaker.pipelineQuoting: true -> false (xmaker.yaml:", "crossExchangeStrategies[0].xmaker.bookCache.enabled: true -> false (xmaker.yaml:"} {
			if !strings.Contains(prev, want) {
				t.Errorf("ON_STOP=%q: preview lacks %q:\n%s", onStop, want, prev)
			}
		}
		if strings.Contains(prev, "pipeline.enabled") || strings.Contains(prev, "rollback.yaml") || strings.Contains(prev, "make rollback") {
			t.Errorf("ON_STOP=%q: preview is presoak's own rollback, not the profile's:\n%s", onStop, prev)
		}
		if onStop != "rollback" {
			continue
		}
		applied := string(read(t, bs[0], incident.BundleRollbackApplied))
		if !strings.Contains(applied, "verified") || !strings.Contains(applied, "crossExchangeStrategies[0].xmaker.pipelineQuoting = false") || strings.Contains(applied, ws) {
			t.Errorf("rollback_applied.txt:\n%s\nwant the profile's targets verified false, paths relative to the tree", applied)
		}
		// presoak does not start this bot: the bundle says the rollback is
		// not in effect, which copy the deploy loads in place of which
		// file, and how to undo it (make restore PROFILE=...).
		for _, want := range []string{"NOT in effect", "presoak does not start this bot", incident.ProfileRollbackDir + "/00-xmaker.yaml in place of xmaker.yaml", "make restore PROFILE=", "profile.yaml (removes the copies"} {
			if !strings.Contains(applied, want) {
				t.Errorf("rollback_applied.txt does not say %q:\n%s", want, applied)
			}
		}
		var rec incident.Record
		if err := json.Unmarshal(read(t, bs[0], incident.BundleJSON), &rec); err != nil {
			t.Fatal(err)
		}
		if !rec.Rollback.Applied || rec.Rollback.Layer != incident.ProfileRollbackDir || rec.Rollback.Profile != "profile.yaml" {
			t.Errorf("incident.json rollback %+v, want applied in %s for profile.yaml", rec.Rollback, incident.ProfileRollbackDir)
		}
		cp, err := os.ReadFile(filepath.Join(ws, filepath.FromSlash(incident.ProfileRollbackDir), "00-xmaker.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if c, err := profile.ParseLayer("00-xmaker.yaml", cp); err != nil {
			t.Fatal(err)
		} else if v, err := (&profile.BotConfig{Layers: []profile.Layer{c}}).Lookup(mustPath(t, "crossExchangeStrategies[0].xmaker.pipelineQuoting")); err != nil || v.Text != "false" {
			t.Errorf("rolled-back copy: pipelineQuoting = %+v (%v), want false", v, err)
		}
	}
	after, _ := os.ReadFile(botFile)
	if !bytes.Equal(before, after) {
		t.Error("the bot's own config file was written")
	}
}

func mustPath(t *testing.T, s string) profile.Path {
	t.Helper()
	p, err := profile.ParsePath(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
