package soakrun

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/incident"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/internal/modroot"
)

// With PROFILE set (in a team's tree, which has none of presoak's config
// files), the soak's header names the bot's config layers and a stop's
// rollback is the profile's, on copies of the bot's own files.
func TestSoakUsesTheProfile(t *testing.T) {
	for _, k := range []string{"TARGET", "HARNESS", "SCRAPE_URL", "PROMETHEUS_URL", "SELECTOR", "PROFILE", "PRESOAK_PROFILE", "CONFIG"} {
		t.Setenv(k, "")
	}
	presoak, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	team := t.TempDir()
	env := map[string]string{
		"DURATION": "1s", "ON_STOP": "rollback",
		"PROFILE":  filepath.Join(presoak, "fixtures/bots/bbgo/profile.yaml"),
		"CRITERIA": filepath.Join(presoak, "fixtures/criteria.yaml"),
	}
	spec := Spec{Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Root: team, Dir: filepath.Join(team, "soak"), DatasetsRoot: team}
	// without a snapshot of the bot's config, a rollback on stop could not
	// be restored: refused before anything starts
	if _, err := Prepare(spec); err == nil || !strings.Contains(err.Error(), "make snapshot PROFILE=") {
		t.Fatalf("ON_STOP=rollback without a snapshot: got %v, want a refusal saying make snapshot", err)
	}
	p, err := profile.Load(env["PROFILE"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := safety.TakeProfileSnapshot(safety.Workspace{Root: team}, p, safety.Meta{}); err != nil {
		t.Fatal(err)
	}
	s, err := Prepare(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	note := s.configNote()
	if !strings.Contains(note, "xmaker.yaml") || !strings.Contains(note, "profile.yaml") || strings.Contains(note, "config.yaml") {
		t.Errorf("header config = %q, want the profile's layers (xmaker.yaml), not presoak's config", note)
	}
	if on := s.onStopNote(); !strings.Contains(on, "profile") || !strings.Contains(on, "make restore PROFILE=") || !strings.Contains(on, "not in effect until your deploy restarts the bot") {
		t.Errorf("on stop = %q, want the profile's rollback: copies not in effect until the deploy loads them, undone by make restore PROFILE=", on)
	}
	rep := &soak.Report{Verdict: soak.Stopped, Stop: &soak.Firing{Criterion: "target_down_stop", Signal: signal.TargetDown, Op: ">", At: time.Unix(1767225600, 0)}}
	if err := s.in.Finish(rep); err != nil {
		t.Fatalf("rollback on stop: %v", err)
	}
	bs := s.in.Bundles()
	if len(bs) != 1 {
		t.Fatalf("bundles %v, want one", bs)
	}
	prev, _ := os.ReadFile(filepath.Join(bs[0], incident.BundleRollbackPreview))
	if !strings.Contains(string(prev), "crossExchangeStrategies[0].xmaker.pipelineQuoting: true -> false") || strings.Contains(string(prev), "pipeline.enabled") {
		t.Errorf("rollback preview is not the profile's:\n%s", prev)
	}
	if _, err := os.Stat(filepath.Join(team, filepath.FromSlash(incident.ProfileRollbackDir), "00-xmaker.yaml")); err != nil {
		t.Errorf("ON_STOP=rollback wrote no rolled-back copy of the bot's config: %v", err)
	}
}

// TestSoakCriteriaFromTheProfile: a profile naming criteria: is soaked
// under them without CRITERIA; CRITERIA set wins; with neither, presoak's
// own fixtures/criteria.yaml (in presoak's module, not the team's tree).
func TestSoakCriteriaFromTheProfile(t *testing.T) {
	for _, k := range []string{"TARGET", "HARNESS", "SCRAPE_URL", "PROMETHEUS_URL", "SELECTOR", "PROFILE", "PRESOAK_PROFILE", "CONFIG", "CRITERIA"} {
		t.Setenv(k, "")
	}
	presoak, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	team := t.TempDir()
	bot := filepath.Join(presoak, "fixtures", "bots", "bbgo")
	for _, f := range []string{"profile.yaml", "xmaker.yaml", "budgets.yaml"} {
		data, err := os.ReadFile(filepath.Join(bot, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "profile.yaml" {
			data = append(data, "criteria: soak-criteria.yaml\n"...)
		}
		if err := os.WriteFile(filepath.Join(team, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	short, err := os.ReadFile(filepath.Join(presoak, "fixtures", "criteria.short.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(team, "soak-criteria.yaml"), short, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ criteria, want string }{
		{"", filepath.Join(team, "soak-criteria.yaml")},
		{filepath.Join(presoak, "fixtures", "criteria.yaml"), filepath.Join(presoak, "fixtures", "criteria.yaml")},
	} {
		env := map[string]string{"DURATION": "1s", "PROFILE": filepath.Join(team, "profile.yaml"), "CRITERIA": tc.criteria}
		s, err := Prepare(Spec{Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
			Root: team, Dir: filepath.Join(team, "soak"), DatasetsRoot: team})
		if err != nil {
			t.Fatal(err)
		}
		if s.critPath != tc.want {
			t.Errorf("CRITERIA=%q: soaked under %s, want %s", tc.criteria, s.critPath, tc.want)
		}
		_ = s.Close()
	}
}
