package monitoring

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

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
	out, _, err := p.ProveRulesCached(ctx, nil, rules, spec, o)
	return out, err
}

// ProveRulesCached is ProveRules with a proof cache (nil: none): when cache
// holds promtool's success for this promtool version, these rules and these
// rule tests, promtool is not run again and cached is that proof; Parity
// always runs. A new success is stored.
func (p Promtool) ProveRulesCached(ctx context.Context, cache *ProofCache, rules []byte, spec *criteria.Spec, o Options) (out string, cached *Proof, err error) {
	rt, err := NewRuleTests(spec, o)
	if err != nil {
		return "", nil, fmt.Errorf("prove rules: %w", err)
	}
	tests, err := rt.Render(filepath.Base(RulesPath))
	if err != nil {
		return "", nil, fmt.Errorf("prove rules: %w", err)
	}
	var errs []error
	key, version := "", ""
	if cache != nil {
		if version, err = p.Version(ctx); err != nil {
			if errors.Is(err, ErrNoPromtool) {
				return "", nil, fmt.Errorf("prove rules: %w", err)
			}
			cache = nil // cannot name the promtool: no cache this time
		} else {
			key = proofKey(version, rules, tests)
		}
	}
	if proof, ok := cache.lookup(key, version); ok {
		out, cached = proof.Output, &proof
	} else {
		out, err = p.runTests(ctx, rules, tests)
		switch {
		case errors.Is(err, ErrNoPromtool):
			return "", nil, fmt.Errorf("prove rules: %w", err)
		case err != nil:
			errs = append(errs, err)
		}
		if err == nil && key != "" {
			_ = cache.store(key, Proof{Promtool: version, ProvedAt: time.Now().UTC(), Output: out})
		}
	}
	for _, sc := range rt.Scenarios {
		if err := Parity(spec, sc); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		if cached != nil {
			cached = nil // the report must not present a failed proof as cached
		}
		return out, nil, fmt.Errorf("prove rules: %w", errors.Join(errs...))
	}
	return out, cached, nil
}

// runTests runs `promtool test rules` on tests against rules, in a temp
// directory (so that promtool's output names no temp path).
func (p Promtool) runTests(ctx context.Context, rules, tests []byte) (string, error) {
	file, dir, err := writeProof(rules, tests)
	if dir != "" {
		defer os.RemoveAll(dir)
	}
	if err != nil {
		return "", err
	}
	out, err := p.runIn(ctx, dir, "test", "rules", filepath.Base(file))
	if err != nil && !errors.Is(err, ErrNoPromtool) {
		err = fmt.Errorf("promtool test rules: %w", err)
	}
	return out, err
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
