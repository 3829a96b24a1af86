package monitoring

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
)

// ErrNotParity is wrapped by Parity's errors: presoak's evaluator and the
// generated alert disagree on a scenario.
var ErrNotParity = errors.New("presoak and the alert rule disagree")

// Parity feeds a scenario to presoak's own evaluator (criteria.EvaluateSeries)
// and checks that the criterion fires at the scenario's FireAt — the
// evaluation at which its promtool rule test has the alert fire — with the
// value the alert's annotation shows.
func Parity(spec *criteria.Spec, sc Scenario) error {
	tr := criteria.EvaluateSeries(spec, signal.Options{BaselineP95: sc.Baseline}, sc.Samples(), sc.EvalTimes())
	name := sc.Criterion.Name
	fired, ok := tr.FirstFiring(name)
	if !ok {
		return fmt.Errorf("parity %s: %w: presoak never fires, the alert fires at %v", name, ErrNotParity, sc.FireAt)
	}
	if got := fired.Sub(Epoch); got != sc.FireAt {
		return fmt.Errorf("parity %s: %w: presoak fires at %v, the alert at %v", name, ErrNotParity, got, sc.FireAt)
	}
	for _, x := range tr.Transitions {
		if x.Criterion == name && x.At.Equal(fired) && math.Abs(x.Value.V-sc.Value) >= 0.005 {
			return fmt.Errorf("parity %s: %w: presoak's value at firing %v, the alert's %.2f", name, ErrNotParity, x.Value.V, sc.Value)
		}
	}
	return nil
}

// ProveRules is the proof on a rules file: promtool rule tests for every
// criterion of spec (each alert fires when its for-duration has elapsed and
// not one evaluation before) and Parity for each scenario. It returns
// promtool's output; every disagreement is in the error (ErrNoPromtool when
// promtool is missing).
func (p Promtool) ProveRules(ctx context.Context, rules []byte, spec *criteria.Spec, o Options) (string, error) {
	rt, err := NewRuleTests(spec, o)
	if err != nil {
		return "", fmt.Errorf("prove rules: %w", err)
	}
	tests, err := rt.Render(filepath.Base(RulesPath))
	if err != nil {
		return "", fmt.Errorf("prove rules: %w", err)
	}
	file, dir, err := writeProof(rules, tests)
	if dir != "" {
		defer os.RemoveAll(dir)
	}
	if err != nil {
		return "", err
	}
	// Run in the directory so that promtool's output names no temp path.
	out, err := p.runIn(ctx, dir, "test", "rules", filepath.Base(file))
	if errors.Is(err, ErrNoPromtool) {
		return "", fmt.Errorf("prove rules: %w", err)
	}
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("promtool test rules: %w", err))
	}
	for _, sc := range rt.Scenarios {
		if err := Parity(spec, sc); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("prove rules: %w", errors.Join(errs...))
	}
	return out, nil
}

// writeProof writes rules and their tests into a new temp directory and
// returns the test file's path and the directory (the caller removes it).
func writeProof(rules, tests []byte) (testFile, dir string, err error) {
	dir, err = os.MkdirTemp("", "presoak-rules-proof-")
	if err != nil {
		return "", "", fmt.Errorf("prove rules: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(RulesPath)), rules, 0o644); err != nil {
		return "", dir, fmt.Errorf("prove rules: %w", err)
	}
	testFile = filepath.Join(dir, filepath.Base(RuleTestsPath))
	if err := os.WriteFile(testFile, tests, 0o644); err != nil {
		return "", dir, fmt.Errorf("prove rules: %w", err)
	}
	return testFile, dir, nil
}
