package monitoring_test

import (
	"context"
	"errors"
	"github.com/presoak/presoak/internal/modroot"
	"os"
	"path/filepath"
	"testing"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/profile"
)

// needPromtool returns a Promtool, failing the test when promtool is missing
// in CI (CI=true) and skipping loudly elsewhere.
func needPromtool(t testing.TB) monitoring.Promtool {
	t.Helper()
	p := monitoring.Promtool{}
	if _, err := p.Find(); err != nil {
		if errors.Is(err, monitoring.ErrNoPromtool) && os.Getenv("CI") == "" {
			t.Skipf("SKIPPED, NOT PASSED: %v — promtool proves the generated rules; run `make deps` (CI=true makes this a failure)", err)
		}
		t.Fatalf("%v", err)
	}
	return p
}

// moduleRoot is the directory holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// defaultSpec is fixtures/criteria.yaml.
func defaultSpec(t testing.TB) *criteria.Spec { return loadSpec(t, monitoring.DefaultCriteria) }

// shortSpec is fixtures/criteria.short.yaml (seconds-long for-durations,
// 1s evaluations: what short real-clock soaks and launch tests use).
func shortSpec(t testing.TB) *criteria.Spec { return loadSpec(t, "fixtures/criteria.short.yaml") }

// noDataSpec is the default criteria's taker_share_stop (the review's
// no-data case) and deadline_miss_stop (no ticks): a two-hour gap makes
// hours of series, so promtool gets two alerts, not all of them.
func noDataSpec(t testing.TB) *criteria.Spec {
	spec := *defaultSpec(t)
	spec.Criteria = nil
	for _, name := range []string{"deadline_miss_stop", "taker_share_stop"} {
		c, ok := defaultSpec(t).ByName(name)
		if !ok {
			t.Fatalf("fixtures/criteria.yaml has no %s", name)
		}
		spec.Criteria = append(spec.Criteria, c)
	}
	return &spec
}

func loadSpec(t testing.TB, rel string) *criteria.Spec {
	t.Helper()
	spec, err := criteria.Load(filepath.Join(moduleRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// customNames is the reference profile with another bot's names (the old
// metric-name mapping folded in: profile.FromNames).
func customNames() *profile.Profile {
	return profile.FromNames(profile.MetricNames{
		TickDuration:   "acme_loop_seconds",
		StageDuration:  "acme_step_seconds",
		Ticks:          "acme_loops_total",
		DeadlineMisses: "acme_late_loops_total",
		CacheRequests:  "acme_book_cache_lookups_total",
		FillVolume:     "acme_filled_base_total",
		BreakerOpen:    "acme_breaker_tripped",
		TickErrors:     "acme_loop_failures_total",
		ResidentMemory: "acme_rss_bytes",
		FeatureFlag:    "acme_flag_on",
	})
}

// writeRulesAndTests renders the rules and their rule tests for spec into
// dir (as name.rules.yml and name.test.yml) and returns the test file's path.
func writeRulesAndTests(t testing.TB, dir, name string, spec *criteria.Spec, o monitoring.Options, opts ...monitoring.ScenarioOption) (rules, tests string) {
	t.Helper()
	a, err := monitoring.Render(monitoring.Inputs{Spec: spec, Options: o})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := monitoring.NewRuleTests(spec, o, opts...)
	if err != nil {
		t.Fatal(err)
	}
	data, err := rt.Render(name + ".rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	rules, tests = filepath.Join(dir, name+".rules.yml"), filepath.Join(dir, name+".test.yml")
	if err := os.WriteFile(rules, a.Rules, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tests, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return rules, tests
}

func ctx(t testing.TB) context.Context {
	return t.Context()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// realisticBaseline is shaped like a frozen baseline of the reference engine
// on the simulated clock: fetch_md and the tick in tens of milliseconds, the
// compute stages under a microsecond (below every histogram bucket).
var realisticBaseline = map[string]float64{
	"fetch_md": 0.0242483, "fair_value": 7.21e-7, "spread": 8.31e-7, "quote": 7.61e-7,
	"risk": 7.51e-7, "submit": 6.61e-7, "tick_total": 0.0252314,
}
