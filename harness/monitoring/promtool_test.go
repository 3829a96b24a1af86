package monitoring_test

import (
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/monitoring"
)

// TestRuleTestsFireAtTheRightEvaluation runs `promtool test rules` on the
// generated rule tests of every criterion (default names with and without a
// frozen baseline, and another bot's names): each alert is not firing one
// interval before its for-duration has elapsed and fires at it, with its
// labels and annotations. One promtool run for all of them.
func TestRuleTestsFireAtTheRightEvaluation(t *testing.T) {
	p := needPromtool(t)
	for _, c := range []struct {
		name string
		spec *criteria.Spec
		o    monitoring.Options
		opts []monitoring.ScenarioOption
	}{
		{"default_names_no_baseline", defaultSpec(t), monitoring.Options{}, nil},
		{"custom_names_baseline_selector_restart", defaultSpec(t), monitoring.Options{
			Profile: customNames(), Selector: `job="presoak-rule-test"`,
			Baseline: realisticBaseline,
		}, []monitoring.ScenarioOption{monitoring.WithRestart()}},
		{"short_criteria_flap", shortSpec(t), monitoring.Options{}, []monitoring.ScenarioOption{monitoring.WithFlap()}},
		{"nodata_gap_2h", noDataSpec(t), monitoring.Options{}, []monitoring.ScenarioOption{monitoring.WithNoDataGap(2 * time.Hour)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rules, tests := writeRulesAndTests(t, t.TempDir(), "presoak", c.spec, c.o, c.opts...)
			if out, err := p.CheckRules(ctx(t), rules); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			out, err := p.TestRules(ctx(t), tests)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(out, "SUCCESS") {
				t.Fatalf("promtool test rules: no SUCCESS in its output:\n%s", out)
			}
		})
	}
}

// TestRuleTestsCatchAWrongForDuration shows the rule tests can fail: rules
// whose alerts fire one interval early (for: shortened) or never (threshold
// moved out of reach) fail promtool's test, naming the alert.
func TestRuleTestsCatchAWrongForDuration(t *testing.T) {
	p := needPromtool(t)
	spec := *defaultSpec(t)
	spec.Criteria = spec.Criteria[:2] // two alerts are enough, and fast
	dir := t.TempDir()
	_, tests := writeRulesAndTests(t, dir, "bad", &spec, monitoring.Options{})
	// Regenerate the rules from a tampered spec over the good tests.
	bad := spec
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
