package monitoring_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/profile"
)

// acmeProfile is a foreign bot with signals of its own, none of which
// presoak has Go code for.
const acmeProfile = `version: 1
bot: acme
signals:
  ticks:            {expr: 'acme_loops_total', kind: counter}
  acme_queue_depth: {expr: 'max(acme_order_queue{venue="x"})', kind: gauge}
  acme_refusals:    {expr: 'acme_refused_total{kind!="test"}', kind: counter}
  acme_orders:      {expr: 'acme_orders_sent_total', kind: counter}
  acme_spread:      {expr: 'min(acme_spread_bps)', kind: gauge}
`

const acmeCriteria = `version: 1
evaluation_interval: 15s
criteria:
  - {name: queue_deep, signal: acme_queue_depth, over: max, op: ">", threshold: 100, window: 5m, for: 2m, severity: stop, description: "queue deep", action: "a"}
  - {name: refusals_fast, signal: acme_refusals, over: rate, op: ">", threshold: 0.5, window: 5m, for: 6m, severity: warn, description: "refusals", action: "a"}
  - {name: refusal_share, signal: acme_refusals, over: ratio, of: acme_orders, op: ">", threshold: 5, window: 10m, for: 5m, severity: stop, description: "refused share", action: "a"}
  - {name: spread_collapsed, signal: acme_spread, over: last, op: "<", threshold: 2, window: 1m, for: 1m, severity: warn, description: "spread", action: "a"}
  - {name: spread_drop, signal: acme_spread, over: drop, op: ">", threshold: 3, window: 10m, for: 2m, severity: warn, description: "spread fell", action: "a"}
  - {name: refusals_many, signal: acme_refusals, over: increase, op: ">=", threshold: 30, window: 5m, for: 5m15s, severity: warn, description: "refusals", action: "a"}
`

func acme(t testing.TB) (*criteria.Spec, monitoring.Options) {
	t.Helper()
	p, err := profile.Parse("acme.yaml", ".", []byte(acmeProfile))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := criteria.Parse("acme-criteria.yaml", []byte(acmeCriteria))
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.CheckDeclared(p.DeclaredKinds()); err != nil {
		t.Fatal(err)
	}
	return spec, monitoring.Options{Profile: p, Selector: `job="presoak-rule-test"`}
}

// TestDeclaredSignalRules: the rules of criteria on a foreign profile's
// own signals are its expressions under the matching PromQL function.
func TestDeclaredSignalRules(t *testing.T) {
	spec, o := acme(t)
	a, err := monitoring.Render(monitoring.Inputs{Spec: spec, Options: o})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`max_over_time((max by (job, instance) (acme_order_queue{job="presoak-rule-test", venue="x"}))[5m:15s])`,
		`sum by (job, instance) (rate(acme_refused_total{job="presoak-rule-test", kind!="test"}[5m]))`,
		`sum by (job, instance) (increase(acme_orders_sent_total{job="presoak-rule-test"}[10m]))`,
		`last_over_time((min by (job, instance) (acme_spread_bps{job="presoak-rule-test"}))[1m:15s])`,
		"presoak:acme_queue_depth_max:5m > 100",
		`max_over_time((min by (job, instance) (acme_spread_bps{job="presoak-rule-test"}))[10m:15s]) - min by (job, instance) (acme_spread_bps{job="presoak-rule-test"})`,
		"presoak:acme_refusals_per_acme_orders_pct:10m > 5",
	} {
		if !strings.Contains(string(a.Rules), want) {
			t.Errorf("rules do not contain %s", want)
		}
	}
}

// TestDeclaredSignalRuleTestsAndParity: promtool fires each alert on its
// fault scenario at the evaluation presoak's own evaluator fires it, with
// the same value.
func TestDeclaredSignalRuleTestsAndParity(t *testing.T) {
	spec, o := acme(t)
	rt, err := monitoring.NewRuleTests(spec, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range rt.Scenarios {
		t.Run("parity_"+sc.Criterion.Name, func(t *testing.T) { assertParity(t, spec, sc) })
	}
	p := needPromtool(t)
	rules, tests := writeRulesAndTests(t, t.TempDir(), "acme", spec, o)
	if out, err := p.CheckRules(ctx(t), rules); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := p.TestRules(ctx(t), tests)
	if err != nil || !strings.Contains(out, "SUCCESS") {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}

// TestDeclaredSignalUnknownToTheProfile: make monitoring refuses criteria
// naming a signal the profile does not declare.
func TestDeclaredSignalUnknownToTheProfile(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root+"/acme.yaml", []byte(acmeProfile))
	writeFile(t, root+"/c.yaml", []byte(strings.Replace(acmeCriteria, "signal: acme_spread,", "signal: acme_sprd,", 1)))
	vars := map[string]string{"CRITERIA": "c.yaml", "PROFILE": "acme.yaml", "BUDGETS": filepath.Join(moduleRoot(t), monitoring.DefaultBudgets)}
	_, err := monitoring.EnvFrom(root, func(k string) string { return vars[k] }).Load()
	if err == nil || !strings.Contains(err.Error(), `c.yaml:7: criterion spread_collapsed: signal: the bot profile declares no counter or gauge signal "acme_sprd"`) {
		t.Fatalf("got %v, want the unknown signal named at c.yaml:7", err)
	}
}
