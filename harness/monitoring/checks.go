package monitoring

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/monitoring/prombin"
	rmon "github.com/presoak/presoak/reports/monitoring"
	report "github.com/presoak/presoak/reports/readiness"
)

// FixGenerate is the fix of every stale or missing asset.
const FixGenerate = "run `make monitoring` (regenerates the rules, dashboard and checklist from CRITERIA, BUDGETS, METRIC_NAMES, SELECTOR and BASELINE)"

// GenerateFix is FixGenerate for a bot profile (its path as the user gives
// it; "" is none): `make monitoring` alone regenerates the reference
// engine's rules, so the command names PROFILE.
func GenerateFix(profile string) string {
	if profile == "" {
		return FixGenerate
	}
	return "run `make monitoring PROFILE=" + profile + "` (regenerates the rules, dashboard and checklist from the profile's signals, CRITERIA, BUDGETS, SELECTOR and BASELINE)"
}

func (c *Checks) fixGenerate() string {
	if c.Env.Profile == "" {
		return FixGenerate
	}
	return GenerateFix(c.Env.Display(c.Env.Profile))
}

// Checks are the readiness Monitoring area's items over the assets under
// Env.Root, generated from Env's inputs.
type Checks struct {
	// Env names the inputs and the root the assets are under.
	Env Env
	// Promtool checks the rules.
	Promtool Promtool
	// ProofCache, when set, keeps promtool's proof of a rule set
	// (AlertsMatchPresoak) so the same bytes are not proven twice; nil
	// proves every time.
	ProofCache *ProofCache

	in     Inputs
	assets Assets
	err    error
	loaded bool
}

func (c *Checks) want() (Assets, error) {
	if !c.loaded {
		c.loaded = true
		in, err := c.Env.Load()
		if err == nil {
			c.in = in
			c.assets, err = Render(in)
		}
		c.err = err
	}
	return c.assets, c.err
}

// asset reads a generated asset, or returns the failed item that says why
// it cannot: missing (regenerate it) or unreadable (with the reason), never
// one for the other.
func (c *Checks) asset(rel, want, src string, sev report.Severity) ([]byte, *checklist.Item) {
	data, err := os.ReadFile(filepath.Join(c.Env.Root, rel))
	switch {
	case errors.Is(err, os.ErrNotExist):
		it := item(report.StatusFail, sev, "missing", want, src, c.fixGenerate(),
			fmt.Sprintf("%s is missing, want it %s: %s", rel, want, c.fixGenerate()))
		return nil, &it
	case err != nil:
		it := item(report.StatusFail, sev, "unreadable", want, src, c.fixGenerate(),
			fmt.Sprintf("read %s: %v", rel, clip2(err.Error(), 300)))
		return nil, &it
	}
	return data, nil
}

func item(status report.Status, sev report.Severity, got, want, source, fix, msg string) checklist.Item {
	if status == report.StatusPass {
		fix = ""
	}
	return checklist.Item{Area: checklist.AreaMonitoring, Severity: sev, Status: status, Got: got, Want: want, Source: source, Fix: fix, Message: msg}
}

func (c *Checks) notEvaluated(what string, err error) checklist.Item {
	return checklist.NotEvaluated(checklist.AreaMonitoring, report.Blocking, what,
		err.Error(), "fix the inputs named above, then run `make monitoring`")
}

// RulesCurrent: the rules file exists and is exactly what the current
// criteria, budgets, metric names and baseline generate.
func (c *Checks) RulesCurrent() checklist.Item {
	const want = "generated from the current criteria"
	a, err := c.want()
	if err != nil {
		return c.notEvaluated(want, err)
	}
	return c.current(RulesPath, a.Rules, want, report.Blocking)
}

// ChecklistCurrent: SOAK_DASHBOARD_CHECKLIST.md is what the current inputs
// generate (a warning: a stale checklist misleads people, not alerting).
func (c *Checks) ChecklistCurrent() checklist.Item {
	const want = "generated from the current criteria"
	a, err := c.want()
	if err != nil {
		return c.notEvaluated(want, err)
	}
	return c.current(ChecklistPath, a.Checklist, want, report.Warning)
}

func (c *Checks) current(rel string, wantData []byte, want string, sev report.Severity) checklist.Item {
	src := rel + " vs " + c.Env.Display(c.Env.Criteria)
	got, failed := c.asset(rel, want, src, sev)
	switch {
	case failed != nil:
		return *failed
	case !bytes.Equal(got, wantData):
		why := "stale"
		if changed := changedInputs(got, wantData); len(changed) > 0 {
			why += " (" + strings.Join(changed, ", ") + " changed)"
		}
		line, g, w := firstDifference(got, wantData)
		return item(report.StatusFail, sev, why, want, src, c.fixGenerate(),
			fmt.Sprintf("%s is %s: line %d is %q, the current inputs generate %q: %s", rel, why, line, clip(g), clip(w), c.fixGenerate()))
	}
	return item(report.StatusPass, sev, "current", want, src, "", fmt.Sprintf("%s is what the current inputs generate", rel))
}

// FixDeps is the fix when the pinned promtool is missing, in presoak's own
// checkout (FixDepsIn says which applies).
const FixDeps = "run `make deps` (builds promtool and prometheus from the release pinned in tools/go.mod, with Go alone)"

// FixDepsTeam is the fix when the pinned promtool is missing in a team's
// tree, which has neither presoak's Makefile nor its tools/go.mod: the go
// install command of package prombin (tools/ is a nested module, so it is
// not in a team's module cache), then PRESOAK_PROMTOOL/PRESOAK_PROMETHEUS.
const FixDepsTeam = prombin.TeamHint

// FixDepsIn is the fix for a missing promtool in the tree root: FixDeps
// where root pins Prometheus in tools/go.mod (presoak's checkout, where
// `make deps` exists), FixDepsTeam anywhere else.
func FixDepsIn(root string) string {
	if _, err := prombin.PinIn(root); err == nil {
		return FixDeps
	}
	return FixDepsTeam
}

// RulesPassPromtool: `promtool check rules` accepts the rules file.
func (c *Checks) RulesPassPromtool(ctx context.Context) checklist.Item {
	const want = "promtool check rules: SUCCESS"
	path := filepath.Join(c.Env.Root, RulesPath)
	if _, err := os.Stat(path); err != nil {
		return item(report.StatusFail, report.Blocking, "no rules file", want, RulesPath, c.fixGenerate(),
			fmt.Sprintf("%s is missing, so promtool cannot check it: %s", RulesPath, c.fixGenerate()))
	}
	out, err := c.Promtool.CheckRules(ctx, path)
	if errors.Is(err, ErrNoPromtool) {
		return checklist.NotEvaluated(checklist.AreaMonitoring, report.Blocking, want, "the pinned promtool is not built", FixDepsIn(c.Env.Root))
	}
	if err != nil {
		return item(report.StatusFail, report.Blocking, "rejected", want, RulesPath, c.fixGenerate()+"; if it still fails, the criteria produce invalid PromQL: report it",
			fmt.Sprintf("promtool check rules rejects %s: %s", RulesPath, clip(strings.TrimSpace(out))))
	}
	return item(report.StatusPass, report.Blocking, monLastLine(out), want, RulesPath, "", "promtool check rules "+RulesPath+": "+monLastLine(out))
}

// AlertsMatchPresoak is the proof on the rules file Prometheus loads:
// promtool's rule tests with synthetic series for every criterion show each
// alert firing when its for-duration has elapsed and not one evaluation
// before, and presoak's own evaluator fires the criterion at the same
// evaluation with the same value.
func (c *Checks) AlertsMatchPresoak(ctx context.Context) checklist.Item {
	const want = "every alert fires at the evaluation presoak's evaluator does"
	a, err := c.want()
	if err != nil {
		return c.notEvaluated(want, err)
	}
	src := RulesPath + " (promtool test rules; criteria.EvaluateSeries)"
	rules, failed := c.asset(RulesPath, want, src, report.Blocking)
	if failed != nil {
		return *failed
	}
	_, cached, err := c.Promtool.ProveRulesCached(ctx, c.ProofCache, rules, c.in.Spec, c.in.Options)
	switch {
	case errors.Is(err, ErrNoPromtool):
		return checklist.NotEvaluated(checklist.AreaMonitoring, report.Blocking, want, "the pinned promtool is not built", FixDepsIn(c.Env.Root))
	case err != nil:
		return item(report.StatusFail, report.Blocking, "disagree", want, src, c.fixGenerate()+"; if it still fails, the rules and presoak's evaluator disagree: report it with this output",
			fmt.Sprintf("the alerts in %s do not fire as presoak does: %s", RulesPath, clip2(err.Error(), 1200)))
	}
	n := len(a.Model.Alerts)
	got, how := fmt.Sprintf("%d of %d alerts fire at presoak's evaluation", n, n), ""
	if cached != nil {
		how = fmt.Sprintf("; promtool's result for these exact rules and rule tests, proved by %s at %s, reused from the proof cache (presoak's evaluator ran now)",
			cached.Promtool, cached.ProvedAt.UTC().Format(time.RFC3339))
		src += " (promtool result cached)"
	}
	return item(report.StatusPass, report.Blocking, got, want, src, "",
		fmt.Sprintf("promtool rule tests and presoak's evaluator agree on all %d alerts in %s (synthetic series; fires at for-duration, not one evaluation before)%s", n, RulesPath, how))
}

// DashboardCoversCriteria: the dashboard parses, has the data source
// variable, and has a panel showing every criterion's signal (the same
// PromQL the rules record).
func (c *Checks) DashboardCoversCriteria() checklist.Item {
	const want = "a panel for every criterion's signal"
	a, err := c.want()
	if err != nil {
		return c.notEvaluated(want, err)
	}
	data, failed := c.asset(DashboardPath, want, DashboardPath, report.Blocking)
	if failed != nil {
		return *failed
	}
	exprs, problems := dashboardExprs(data)
	for _, al := range a.Model.Alerts {
		var sig rmon.Signal
		for _, s := range a.Model.Signals {
			if s.Record == al.Record {
				sig = s
			}
		}
		if !exprs[sig.Expr] {
			problems = append(problems, fmt.Sprintf("no panel shows %s's signal %s", al.Criterion, al.Record))
		}
	}
	if len(problems) > 0 {
		return item(report.StatusFail, report.Blocking, strings.Join(problems, "; "), want, DashboardPath, c.fixGenerate(),
			fmt.Sprintf("%s: %s: %s", DashboardPath, strings.Join(problems, "; "), c.fixGenerate()))
	}
	return item(report.StatusPass, report.Blocking, fmt.Sprintf("%d of %d criteria's signals have a panel", len(a.Model.Alerts), len(a.Model.Alerts)),
		want, DashboardPath, "", fmt.Sprintf("%s has a panel for each of the %d criteria's signals", DashboardPath, len(a.Model.Alerts)))
}

// dashboardExprs returns every PromQL expression of the dashboard's panels,
// and what is wrong with its frame (schema version, data source variable).
func dashboardExprs(data []byte) (map[string]bool, []string) {
	var d struct {
		SchemaVersion int `json:"schemaVersion"`
		Templating    struct {
			List []struct {
				Name, Type string
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, []string{"not a dashboard: " + err.Error()}
	}
	var problems []string
	if d.SchemaVersion < rmon.SchemaVersion {
		problems = append(problems, fmt.Sprintf("schemaVersion %d, want %d", d.SchemaVersion, rmon.SchemaVersion))
	}
	hasDS := false
	for _, v := range d.Templating.List {
		hasDS = hasDS || (v.Name == rmon.DatasourceVar && v.Type == "datasource")
	}
	if !hasDS {
		problems = append(problems, "no data source variable")
	}
	exprs := map[string]bool{}
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			exprs[t.Expr] = true
		}
	}
	return exprs, problems
}

// AlertsHaveRunbooks: every criterion has an alerting rule in the rules
// file with its for-duration and severity, and every alert has a non-empty
// action (runbook) annotation.
func (c *Checks) AlertsHaveRunbooks() checklist.Item {
	const want = "an alert per criterion, each with an action line"
	a, err := c.want()
	if err != nil {
		return c.notEvaluated(want, err)
	}
	data, failed := c.asset(RulesPath, want, RulesPath, report.Blocking)
	if failed != nil {
		return *failed
	}
	alerts, err := parseAlerts(data)
	if err != nil {
		return item(report.StatusFail, report.Blocking, "unreadable", want, RulesPath, c.fixGenerate(), fmt.Sprintf("%s: %v: %s", RulesPath, err, c.fixGenerate()))
	}
	var problems []string
	for name, r := range alerts {
		if strings.TrimSpace(r.Annotations["action"]) == "" {
			problems = append(problems, name+" has no action (runbook) line")
		}
	}
	for _, al := range a.Model.Alerts {
		r, ok := alerts[al.Name]
		switch {
		case !ok:
			problems = append(problems, "no alert "+al.Name+" for criterion "+al.Criterion)
		case r.Labels["severity"] != al.Severity:
			problems = append(problems, fmt.Sprintf("%s severity %q, want %q", al.Name, r.Labels["severity"], al.Severity))
		case r.For != forOf(al):
			problems = append(problems, fmt.Sprintf("%s for %q, want %q", al.Name, r.For, forOf(al)))
		}
	}
	if len(problems) > 0 {
		sortStrings(problems)
		return item(report.StatusFail, report.Blocking, strings.Join(problems, "; "), want, RulesPath, c.fixGenerate(),
			fmt.Sprintf("%s: %s: %s", RulesPath, strings.Join(problems, "; "), c.fixGenerate()))
	}
	return item(report.StatusPass, report.Blocking, fmt.Sprintf("%d alerts, each with an action line", len(alerts)), want, RulesPath, "",
		fmt.Sprintf("%s: %d alerts, one per criterion, each with its for-duration, severity and action line", RulesPath, len(alerts)))
}

func forOf(a rmon.Alert) string {
	if a.For <= 0 {
		return ""
	}
	return rmon.FormatDuration(a.For)
}

type parsedRule struct {
	Alert       string            `yaml:"alert"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func parseAlerts(data []byte) (map[string]parsedRule, error) {
	var f struct {
		Groups []struct {
			Rules []parsedRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parse rules: %w", err)
	}
	out := map[string]parsedRule{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out[r.Alert] = r
			}
		}
	}
	return out, nil
}

// inputLine matches the "# criteria: path sha256:…" and "- criteria: …"
// lines that head every asset.
func inputLines(data []byte) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimPrefix(strings.TrimPrefix(l, "# "), "- ")
		for _, k := range []string{"criteria", "budgets", "metric names", "selector", "baseline"} {
			if strings.HasPrefix(l, k+": ") {
				out[k] = l
			}
		}
	}
	return out
}

// changedInputs names the inputs whose header line differs.
func changedInputs(got, want []byte) []string {
	g, w := inputLines(got), inputLines(want)
	var out []string
	for _, k := range []string{"criteria", "budgets", "metric names", "selector", "baseline"} {
		if g[k] != w[k] {
			out = append(out, k)
		}
	}
	return out
}

// firstDifference is the first line that differs outside the comments, or
// the first that differs at all.
func firstDifference(got, want []byte) (line int, g, w string) {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var a, b string
		if i < len(gl) {
			a = gl[i]
		}
		if i < len(wl) {
			b = wl[i]
		}
		if a != b && !strings.HasPrefix(a, "#") && !strings.HasPrefix(b, "#") && !strings.HasPrefix(a, "- ") {
			return i + 1, a, b
		}
	}
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var a, b string
		if i < len(gl) {
			a = gl[i]
		}
		if i < len(wl) {
			b = wl[i]
		}
		if a != b {
			return i + 1, a, b
		}
	}
	return 0, "", ""
}

func clip(s string) string { return clip2(s, 160) }

func clip2(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func monLastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func sortStrings(s []string) { sort.Strings(s) }
