package monitoring_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/monitoring/prombin"
	report "github.com/presoak/presoak/reports/readiness"
)

// newChecksRoot copies the fixtures' criteria and budgets into a scratch
// module root and, when generate is set, writes the assets there as `make
// monitoring` does.
func newChecksRoot(t *testing.T, generate bool) monitoring.Env {
	t.Helper()
	root := t.TempDir()
	src := moduleRoot(t)
	for _, f := range []string{monitoring.DefaultCriteria, monitoring.DefaultBudgets} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, f), data)
	}
	// Four criteria (two stop, a breaker, a warning) keep promtool fast;
	// the full spec is proved in TestRuleTestsFireAtTheRightEvaluation.
	spec := defaultSpec(t)
	small := *spec
	small.Criteria = nil
	for _, name := range []string{"deadline_miss_stop", "md_cache_hit_stop", "critical_breaker_stop", "deadline_miss_warn"} {
		c, ok := spec.ByName(name)
		if !ok {
			t.Fatalf("fixture has no criterion %s", name)
		}
		small.Criteria = append(small.Criteria, c)
	}
	data, err := yaml.Marshal(small)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, monitoring.DefaultCriteria), data)
	// The scratch root's own files, named as a user names them (unset,
	// CRITERIA and BUDGETS are presoak's own: profile.Pick).
	vars := map[string]string{"CRITERIA": monitoring.DefaultCriteria, "BUDGETS": monitoring.DefaultBudgets}
	env := monitoring.EnvFrom(root, func(k string) string { return vars[k] })
	if generate {
		in, err := env.Load()
		if err != nil {
			t.Fatal(err)
		}
		a, err := monitoring.Render(in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Write(root); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

func allItems(t *testing.T, env monitoring.Env) map[string]checklist.Item {
	c := &monitoring.Checks{Env: env}
	return map[string]checklist.Item{
		"rules_current":     c.RulesCurrent(),
		"promtool":          c.RulesPassPromtool(t.Context()),
		"dashboard":         c.DashboardCoversCriteria(),
		"runbooks":          c.AlertsHaveRunbooks(),
		"checklist_current": c.ChecklistCurrent(),
		"proof":             c.AlertsMatchPresoak(t.Context()),
	}
}

func TestChecksPassOnFreshlyGeneratedAssets(t *testing.T) {
	needPromtool(t)
	env := newChecksRoot(t, true)
	for name, it := range allItems(t, env) {
		if it.Status != report.StatusPass || it.Area != checklist.AreaMonitoring {
			t.Errorf("%s: got %s (%s), want pass in area Monitoring", name, it.Status, it.Message)
		}
		if it.Got == "" || it.Want == "" || it.Source == "" {
			t.Errorf("%s: evidence missing: got %q want %q source %q", name, it.Got, it.Want, it.Source)
		}
		if strings.Contains(it.Message, env.Root) || strings.Contains(it.Source, env.Root) {
			t.Errorf("%s: an absolute path reached the report: %s", name, it.Message)
		}
	}
}

func TestChecksFailWhenAssetsAreMissing(t *testing.T) {
	needPromtool(t)
	env := newChecksRoot(t, false)
	items := allItems(t, env)
	for name, it := range items {
		if it.Status == report.StatusPass {
			t.Errorf("%s passed without assets", name)
		}
		if !strings.Contains(it.Fix, "make monitoring") {
			t.Errorf("%s: fix %q does not say `make monitoring`", name, it.Fix)
		}
	}
	if it := items["rules_current"]; it.Severity != report.Blocking || it.Got != "missing" {
		t.Errorf("rules_current: got %s %q, want blocking \"missing\"", it.Severity, it.Got)
	}
	if it := items["checklist_current"]; it.Severity != report.Warning {
		t.Errorf("checklist_current: severity %s, want warning", it.Severity)
	}
}

func TestChecksFailWhenTheCriteriaChanged(t *testing.T) {
	env := newChecksRoot(t, true)
	path := filepath.Join(env.Root, monitoring.DefaultCriteria)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), "threshold: 5\n", "threshold: 4\n", 1)
	if changed == string(data) {
		t.Fatal("fixture has no `threshold: 5` to change")
	}
	writeFile(t, path, []byte(changed))
	c := &monitoring.Checks{Env: env}
	it := c.RulesCurrent()
	if it.Status != report.StatusFail || !strings.HasPrefix(it.Got, "stale") {
		t.Fatalf("rules_current after a criteria change: got %s %q, want fail stale", it.Status, it.Got)
	}
	if !strings.Contains(it.Message, "> 5") || !strings.Contains(it.Message, "> 4") {
		t.Errorf("message does not show the differing line: %s", it.Message)
	}
}

func TestChecksFailOnAlertWithoutRunbookAndDashboardWithoutPanel(t *testing.T) {
	env := newChecksRoot(t, true)
	rules := filepath.Join(env.Root, monitoring.RulesPath)
	data, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	// Blank the first alert's action.
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "action: ") {
			lines[i] = l[:strings.Index(l, "action:")] + "action: ''"
			break
		}
	}
	writeFile(t, rules, []byte(strings.Join(lines, "\n")))
	c := &monitoring.Checks{Env: env}
	it := c.AlertsHaveRunbooks()
	if it.Status != report.StatusFail || !strings.Contains(it.Message, "PresoakDeadlineMissStop has no action") {
		t.Errorf("alerts_have_runbook: got %s: %s", it.Status, it.Message)
	}

	dash := filepath.Join(env.Root, monitoring.DashboardPath)
	data, err = os.ReadFile(dash)
	if err != nil {
		t.Fatal(err)
	}
	// Drop the panel of the deadline-miss signal over 1m.
	a, err := monitoring.SignalExpr("deadline_miss_pct", 60e9, monitoring.Options{})
	if err != nil {
		t.Fatal(err)
	}
	quoted := strings.ReplaceAll(a, `"`, `\"`)
	if !strings.Contains(string(data), quoted) {
		t.Fatalf("dashboard does not contain %s", a)
	}
	writeFile(t, dash, []byte(strings.ReplaceAll(string(data), quoted, "vector(0)")))
	it = c.DashboardCoversCriteria()
	if it.Status != report.StatusFail || !strings.Contains(it.Message, "deadline_miss_stop") {
		t.Errorf("dashboard_has_panel_per_criterion: got %s: %s", it.Status, it.Message)
	}
}

func TestPromtoolCheckFailsOnBrokenRules(t *testing.T) {
	needPromtool(t)
	env := newChecksRoot(t, true)
	rules := filepath.Join(env.Root, monitoring.RulesPath)
	data, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, rules, []byte(strings.Replace(string(data), "> 5", "> > 5", 1)))
	it := (&monitoring.Checks{Env: env}).RulesPassPromtool(t.Context())
	if it.Status != report.StatusFail || !strings.Contains(it.Message, "promtool check rules rejects") {
		t.Errorf("got %s: %s", it.Status, it.Message)
	}
}

func TestProofFailsWhenAnAlertFiresEarly(t *testing.T) {
	needPromtool(t)
	env := newChecksRoot(t, true)
	rules := filepath.Join(env.Root, monitoring.RulesPath)
	data, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	// deadline_miss_stop's for: 10m becomes 9m45s: it fires one evaluation early.
	bad := strings.Replace(string(data), "for: 10m\n", "for: 9m45s\n", 1)
	if bad == string(data) {
		t.Fatal("rules have no `for: 10m`")
	}
	writeFile(t, rules, []byte(bad))
	it := (&monitoring.Checks{Env: env}).AlertsMatchPresoak(t.Context())
	if it.Status != report.StatusFail || !strings.Contains(it.Message, "PresoakDeadlineMissStop") {
		t.Fatalf("got %s: %s", it.Status, it.Message)
	}
	if strings.Contains(it.Message, os.TempDir()+"/presoak-rules-proof") {
		t.Errorf("message shows the temp directory: %s", it.Message)
	}
}

// In a team's tree (no tools/go.mod, no Makefile of presoak's) a missing
// promtool's fix says how to build the pinned one there, not `make deps`.
func TestMissingPromtoolFixFitsTheTree(t *testing.T) {
	team := t.TempDir()
	rules := filepath.Join(team, filepath.FromSlash(monitoring.RulesPath))
	if err := os.MkdirAll(filepath.Dir(rules), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rules, []byte("groups: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &monitoring.Checks{Env: monitoring.Env{Root: team}, Promtool: monitoring.Promtool{Path: filepath.Join(team, "no-promtool")}}
	it := c.RulesPassPromtool(context.Background())
	if !strings.Contains(it.Got, "not evaluated") {
		t.Fatalf("got %q, want not evaluated (no promtool)", it.Got)
	}
	if strings.Contains(it.Fix, "make deps") || !strings.Contains(it.Fix, "PRESOAK_PROMTOOL") || !strings.Contains(it.Fix, "go install github.com/prometheus/prometheus/cmd/promtool@"+prombin.PinnedModuleVersion) {
		t.Errorf("fix in a team's tree = %q, want how to build the pinned promtool there (go install @%s, PRESOAK_PROMTOOL), not make deps", it.Fix, prombin.PinnedModuleVersion)
	}
	root, err := prombin.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	if got := monitoring.FixDepsIn(root); got != monitoring.FixDeps {
		t.Errorf("fix in presoak's checkout = %q, want %q", got, monitoring.FixDeps)
	}
}

// TestChecksSayUnreadableNotMissing: an asset that exists but cannot be read
// (here a directory where the file belongs) is reported as unreadable with
// the reason, never as "missing" (which sends the user to regenerate a file
// that is there).
func TestChecksSayUnreadableNotMissing(t *testing.T) {
	env := newChecksRoot(t, false)
	for _, rel := range []string{monitoring.RulesPath, monitoring.DashboardPath, monitoring.ChecklistPath} {
		if err := os.MkdirAll(filepath.Join(env.Root, rel), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c := &monitoring.Checks{Env: env}
	for name, it := range map[string]checklist.Item{
		"rules_current":     c.RulesCurrent(),
		"dashboard":         c.DashboardCoversCriteria(),
		"runbooks":          c.AlertsHaveRunbooks(),
		"checklist_current": c.ChecklistCurrent(),
		"proof":             c.AlertsMatchPresoak(t.Context()),
	} {
		if it.Status != report.StatusFail || it.Got != "unreadable" || strings.Contains(it.Message, "is missing") {
			t.Errorf("%s: got %s %q (%s), want fail \"unreadable\"", name, it.Status, it.Got, it.Message)
		}
	}
}
