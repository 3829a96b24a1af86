package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/internal/home"
	"github.com/presoak/presoak/internal/modroot"
)

// bbgoTree copies the bbgo-style example bot (profile, config, budgets)
// into a directory outside any module: a team's tree found from its
// profile (home.Tree), and returns the profile's path.
func bbgoTree(t *testing.T) string {
	t.Helper()
	checkout, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	tree := t.TempDir()
	for _, name := range []string{"profile.yaml", "xmaker.yaml", "budgets.yaml"} {
		b, err := os.ReadFile(filepath.Join(checkout, "fixtures", "bots", "bbgo", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tree, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(tree, "profile.yaml")
}

// presoak monitoring writes the rules where the checklist reads them: the
// team's tree (home.Tree, the profile's directory here), not the module of
// the working directory. Before, run from another module it wrote there,
// and from a directory outside any module it failed ("find module root").
func TestMonitoringWritesIntoTheProfilesTree(t *testing.T) {
	prof := bbgoTree(t)
	tree := filepath.Dir(prof)
	elsewhere := t.TempDir() // the working directory: another module
	if err := os.WriteFile(filepath.Join(elsewhere, "go.mod"), []byte("module example.com/elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(elsewhere)
	t.Setenv("PROFILE", prof)
	t.Setenv(home.EnvProfile, prof)
	t.Setenv("BUDGETS", "") // the profile's budgets: names the bot's
	own, err := home.Dir()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("CRITERIA", filepath.Join(own, "fixtures", "criteria.yaml")) // what home.Setup sets in a team's tree
	if code := runMonitoring(nil); code != 0 {
		t.Fatalf("presoak monitoring: exit %d, want 0", code)
	}
	if _, err := os.Stat(filepath.Join(tree, monitoring.RulesPath)); err != nil {
		t.Errorf("rules not in the profile's tree: %v", err)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "artifacts")); err == nil {
		t.Errorf("presoak monitoring wrote artifacts/ into the working directory's module, not the team's tree")
	}
}

// presoak readiness's first-run step makes the monitoring rules when they
// are missing from the team's tree, where the checklist reads them. Before,
// it looked in the module root of the working directory: with a profile
// elsewhere it found presoak's own rules (or made them there) and the
// Monitoring items failed "missing".
func TestEvidenceStepsLookInTheTeamsTree(t *testing.T) {
	prof := bbgoTree(t)
	t.Setenv(home.EnvProfile, prof)
	checkout, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	steps := evidenceSteps(checkout, "presoak")
	want := filepath.Join(filepath.Dir(prof), monitoring.RulesPath)
	for _, st := range steps {
		if st.What == "monitoring rules" && st.Path != want {
			t.Errorf("monitoring rules evidence: got %s, want %s (the team's tree)", st.Path, want)
		}
	}
}

// A profile whose target section is invalid (a scrape timeout longer than
// its interval) stops presoak readiness at once, naming file, line and key,
// as a profile problem does. Before, profile.Load accepted it, every test
// binary failed to load the harness, and the checklist fell back to
// presoak's own config: its items said "the config did not load
// (fixtures/config.yaml)" instead of the profile's key.
func TestReadinessValidatesTheProfilesTarget(t *testing.T) {
	prof := bbgoTree(t)
	data, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "    interval: 1s\n    timeout: 900ms\n", "    interval: 1s\n    timeout: 1500ms\n", 1)
	if bad == string(data) {
		t.Fatal("profile.yaml: no scrape interval 1s / timeout 900ms to break")
	}
	if err := os.WriteFile(prof, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PROFILE", "")
	t.Setenv(home.EnvProfile, "")
	err = setProfile(prof)
	if err == nil || !strings.Contains(err.Error(), "profile.yaml:") || !strings.Contains(err.Error(), "target.scrape.timeout") {
		t.Fatalf("setProfile with scrape timeout 1500ms > interval 1s: got %v, want an error naming profile.yaml:<line> and target.scrape.timeout", err)
	}
}
