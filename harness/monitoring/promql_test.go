package monitoring_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/signal"
)

// defaultNameParts are substrings only ARCHITECTURE.md's metric names contain.
var defaultNameParts = []string{"mm_", "process_resident_memory_bytes"}

func TestSignalExprReadsTheMappedNames(t *testing.T) {
	o := monitoring.Options{Profile: customNames(), Selector: `job="acme"`}
	for _, n := range monitoring.Signals {
		expr, err := monitoring.SignalExpr(n, 10*time.Minute, o)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for _, bad := range defaultNameParts {
			if strings.Contains(expr, bad) {
				t.Errorf("%s reads a default name (%s) under another mapping: %s", n, bad, expr)
			}
		}
		if n != signal.P95RegressionPct && !strings.Contains(expr, `job="acme"`) {
			t.Errorf("%s ignores the selector: %s", n, expr)
		}
	}
	want := map[signal.Name]string{
		signal.DeadlineMissPct:      "acme_late_loops_total",
		signal.ErrorPct:             "acme_loop_failures_total",
		signal.MDCacheHitPct:        "acme_book_cache_lookups_total",
		signal.TakerSharePct:        "acme_filled_base_total",
		signal.MemoryGrowthMBPerH:   "acme_rss_bytes",
		signal.CriticalBreakersOpen: "acme_breaker_tripped",
		signal.P95RegressionPct:     "acme_step_seconds_bucket",
	}
	for n, name := range want {
		expr, _ := monitoring.SignalExpr(n, 10*time.Minute, o)
		if !strings.Contains(expr, name) {
			t.Errorf("%s: %s does not read %s", n, expr, name)
		}
	}
}

func TestSignalExprRefusesBadInput(t *testing.T) {
	if _, err := monitoring.SignalExpr("no_such_signal", time.Minute, monitoring.Options{}); err == nil {
		t.Error("unknown signal: no error")
	}
	if _, err := monitoring.SignalExpr(signal.DeadlineMissPct, 0, monitoring.Options{}); err == nil {
		t.Error("a ratio without a window: no error")
	}
	if _, err := monitoring.SignalExpr(signal.TargetDown, 0, monitoring.Options{}); err != nil {
		t.Errorf("target_down without a window: %v", err)
	}
}

// TestGenerationWithAUsersMapping is `make monitoring METRIC_NAMES=...
// SELECTOR=...` for another bot: every asset reads its names, none of the
// reference engine's.
func TestGenerationWithAUsersMapping(t *testing.T) {
	root := t.TempDir()
	mapping := "tick_duration: acme_loop_seconds\nstage_duration: acme_step_seconds\nticks: acme_loops_total\n" +
		"deadline_misses: acme_late_loops_total\ncache_requests: acme_book_cache_lookups_total\nfill_volume: acme_filled_base_total\n" +
		"breaker_open: acme_breaker_tripped\ntick_errors: acme_loop_failures_total\nresident_memory: acme_rss_bytes\nfeature_flag: acme_flag_on\n"
	writeFile(t, filepath.Join(root, "names.yaml"), []byte(mapping))
	vars := map[string]string{
		"CRITERIA":     filepath.Join(moduleRoot(t), monitoring.DefaultCriteria),
		"BUDGETS":      filepath.Join(moduleRoot(t), monitoring.DefaultBudgets),
		"METRIC_NAMES": "names.yaml",
		"SELECTOR":     `{job="acme"}`,
	}
	env := monitoring.EnvFrom(root, func(k string) string { return vars[k] })
	in, err := env.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := monitoring.Render(in)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"rules": a.Rules, "dashboard": a.Dashboard, "checklist": a.Checklist} {
		for _, bad := range defaultNameParts {
			if strings.Contains(promQL(data), bad) {
				t.Errorf("%s mentions the reference engine's %s under the user's mapping", name, bad)
			}
		}
		for _, want := range []string{"acme_loops_total", "metric names: names.yaml"} {
			if !strings.Contains(string(data), want) {
				t.Errorf("%s does not mention %q", name, want)
			}
		}
	}
	if !strings.Contains(string(a.Rules), `job="acme"`) {
		t.Error("rules ignore SELECTOR")
	}
}

func TestEnvLoadReportsEveryProblem(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "budgets.yaml"), []byte("version: 1\nbudgets:\n  fetch_md: p(120) < 35ms\n"))
	writeFile(t, filepath.Join(root, "names.yaml"), []byte("tickz: x\n"))
	env := monitoring.Env{Root: root, Criteria: "missing.yaml", Budgets: "budgets.yaml", MetricNames: "names.yaml"}
	_, err := env.Load()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"criteria missing.yaml", "budgets budgets.yaml", "metric names names.yaml"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), root) {
		t.Errorf("error shows an absolute path: %v", err)
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing criteria: error does not wrap os.ErrNotExist: %v", err)
	}
}

func TestNewScenarioRefusesConditionsItCannotProvoke(t *testing.T) {
	for _, c := range []criteria.Criterion{
		{Name: "never", Signal: signal.DeadlineMissPct, Op: criteria.Greater, Threshold: 100, Window: time.Minute},
		{Name: "always", Signal: signal.MDCacheHitPct, Op: criteria.LessEqual, Threshold: 100, Window: time.Minute},
		{Name: "shrinking", Signal: signal.MemoryGrowthMBPerH, Op: criteria.Less, Threshold: -5, Window: time.Hour},
		{Name: "down_is_up", Signal: signal.TargetDown, Op: criteria.Less, Threshold: 1, Window: time.Minute},
	} {
		if _, err := monitoring.NewScenario(c, 15*time.Second, monitoring.Options{}); err == nil {
			t.Errorf("%s: no error", c.Name)
		}
	}
	if _, err := monitoring.NewScenario(criteria.Criterion{Name: "x", Signal: signal.DeadlineMissPct, Op: criteria.Greater, Threshold: 5, Window: time.Minute}, 1500*time.Millisecond, monitoring.Options{}); err == nil {
		t.Error("fractional interval: no error")
	}
}

func TestAlertName(t *testing.T) {
	for in, want := range map[string]string{"deadline_miss_stop": "PresoakDeadlineMissStop", "p95_regression_warn": "PresoakP95RegressionWarn", "x": "PresoakX"} {
		if got := monitoring.AlertName(in); got != want {
			t.Errorf("AlertName(%q) = %q, want %q", in, got, want)
		}
	}
}

// promQL is the PromQL of an asset: its "expr" lines and the lines of its
// promql code blocks (criteria text may name metrics in prose).
func promQL(data []byte) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(l, "```promql"):
			in = true
		case strings.HasPrefix(l, "```"):
			in = false
		case in || strings.Contains(l, "expr"):
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
