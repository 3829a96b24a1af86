package monitoring_test

import (
	"strings"
	"testing"

	"github.com/presoak/presoak/readiness/monitoring"
)

// TestRuleTestsFireAtTheRightEvaluation runs `promtool test rules` on the
// generated rule tests of every criterion (default names with and without a
// frozen baseline, and another bot's names): each alert is not firing one
// interval before its for-duration has elapsed and fires at it, with its
// labels and annotations. One promtool run for all of them.
func TestRuleTestsFireAtTheRightEvaluation(t *testing.T) {
	p := needPromtool(t)
	spec := defaultSpec(t)
	dir := t.TempDir()
	var files []string
	for _, c := range []struct {
		name string
		o    monitoring.Options
	}{
		{"default", monitoring.Options{}},
		{"baseline", monitoring.Options{Baseline: map[string]float64{"fetch_md": 0.03, "submit": 0.05, "tick_total": 0.12}}},
		{"custom", monitoring.Options{Names: customNames(), Selector: `job="presoak-rule-test"`}},
	} {
		rules, tests := writeRulesAndTests(t, dir, c.name, spec, c.o)
		if out, err := p.CheckRules(ctx(t), rules); err != nil {
			t.Fatalf("%s rules: %v\n%s", c.name, err, out)
		}
		files = append(files, tests)
	}
	out, err := p.TestRules(ctx(t), files...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := strings.Count(out, "SUCCESS"); n != len(files) {
		t.Fatalf("promtool test rules: got %d SUCCESS, want %d:\n%s", n, len(files), out)
	}
}

// TestRuleTestsCatchAWrongForDuration shows the rule tests can fail: rules
// whose alerts fire one interval early (for: shortened) or never (threshold
// moved out of reach) fail promtool's test, naming the alert.
func TestRuleTestsCatchAWrongForDuration(t *testing.T) {
	p := needPromtool(t)
	spec := defaultSpec(t)
	dir := t.TempDir()
	_, tests := writeRulesAndTests(t, dir, "bad", spec, monitoring.Options{})
	// Regenerate the rules from a tampered spec over the good tests.
	bad := *spec
	bad.Criteria = append(bad.Criteria[:0:0], spec.Criteria...)
	bad.Criteria[0].For -= spec.EvaluationInterval
	bad.Criteria[1].Threshold = 0 // hit ratio < 0: never
	a, err := monitoring.Render(monitoring.Inputs{Spec: &bad})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir+"/bad.rules.yml", a.Rules)
	out, err := p.TestRules(ctx(t), tests)
	if err == nil {
		t.Fatalf("promtool test rules passed on tampered rules:\n%s", out)
	}
	for _, want := range []string{monitoring.AlertName(spec.Criteria[0].Name), monitoring.AlertName(spec.Criteria[1].Name)} {
		if !strings.Contains(out, want) {
			t.Errorf("promtool output does not name %s:\n%s", want, out)
		}
	}
}
