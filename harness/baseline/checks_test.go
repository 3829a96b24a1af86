package baseline

import (
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
)

func checksByName(cs []Check) map[string]Check {
	out := map[string]Check{}
	for _, c := range cs {
		out[c.Name] = c
	}
	return out
}

func TestBaselineChecksDefaultConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	cs := checksByName(BaselineChecks(measure(t, f.options()), f.view))
	for _, name := range []string{"ticks_sampled", "fetch_md_p95", "tick_total_p95", "deadline_miss", "hit_ratio", "submit_p95", "tick_total_p99"} {
		c, ok := cs[name]
		if !ok {
			t.Errorf("no item %s", name)
			continue
		}
		if c.Item.Got == "" || c.Item.Want == "" || c.Item.Source == "" || c.Item.Message == "" {
			t.Errorf("%s: incomplete item %+v", name, c.Item)
		}
	}
	for _, name := range []string{"ticks_sampled", "fetch_md_p95", "tick_total_p95", "deadline_miss"} {
		if c := cs[name]; c.Item.Status != result.StatusPass || c.Item.Severity != result.Blocking {
			t.Errorf("%s: %s/%s: %s", name, c.Item.Severity, c.Item.Status, c.Item.Message)
		}
	}
	if c := cs["submit_p95"]; c.Item.Severity != result.Warning {
		t.Errorf("submit_p95 severity %s, want warning (not one of the seed's four)", c.Item.Severity)
	}
	if c := cs["fetch_md_p95"]; !strings.Contains(c.Item.Message, "95% CI") || !hasAttr(c, "confidence") {
		t.Errorf("fetch_md_p95 carries no interval/confidence: %s %v", c.Item.Message, c.Attrs)
	}
}

// TestHitRatioFailsOnBaseConfig: with the base layer only (md_cache off) the
// hit ratio fails, and its fix says to enable the cache where.
func TestHitRatioFailsOnBaseConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t, baseOnly)
	run := measure(t, f.options())
	for _, cs := range [][]Check{BaselineChecks(run, f.view), MDCacheChecks(run, f.view)} {
		c := checksByName(cs)["hit_ratio"]
		if c.Item.Status != result.StatusFail || c.Item.Got != "0.00%" {
			t.Fatalf("hit_ratio on base config: %s %s: %s", c.Item.Status, c.Item.Got, c.Item.Message)
		}
		if !strings.Contains(c.Item.Fix, "md_cache.enabled = false (fixtures/config.yaml:") ||
			!strings.Contains(c.Item.Fix, "fixtures/config.soak_overrides.yaml") {
			t.Errorf("fix %q does not say where the cache is off and what to edit", c.Item.Fix)
		}
	}
	if c := checksByName(MDCacheChecks(run, f.view))["md_cache_enabled"]; c.Item.Status != result.StatusFail {
		t.Errorf("md_cache_enabled on base config: %s", c.Item.Status)
	}
}

func TestMDCacheChecksDefaultConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	cs := checksByName(MDCacheChecks(measure(t, f.options()), f.view))
	if len(cs) != 3 {
		t.Fatalf("items %v, want md_cache_enabled, md_cache_ttl, hit_ratio", cs)
	}
	for _, name := range []string{"md_cache_enabled", "md_cache_ttl"} {
		if c := cs[name]; c.Item.Status != result.StatusPass {
			t.Errorf("%s: %s", name, c.Item.Message)
		}
	}
	if c := cs["hit_ratio"]; c.Item.Area != checklist.AreaMDCache || c.Item.Got == "" {
		t.Errorf("hit_ratio: %+v", c.Item)
	}
	if got := MDCacheChecks(nil, f.view); len(got) != 2 {
		t.Errorf("without a run: %d items, want the two config items", len(got))
	}
}

func TestTTLRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ttl, interval time.Duration
		want          result.Status
	}{
		{100 * time.Millisecond, 100 * time.Millisecond, result.StatusPass},
		{50 * time.Millisecond, 100 * time.Millisecond, result.StatusPass},
		{101 * time.Millisecond, 100 * time.Millisecond, result.StatusFail},
		{time.Second, 100 * time.Millisecond, result.StatusFail},
		{0, 100 * time.Millisecond, result.StatusFail},
	}
	for _, tt := range tests {
		cfg := &config.Config{Tick: config.TickConfig{Interval: tt.interval}, MDCache: config.MDCacheConfig{TTL: tt.ttl}}
		view := checklist.ConfigView{Config: cfg, Override: "over.yaml", Source: func(key string) string { return "c.yaml:" + key }}
		it := TTLRule(view)
		if it.Status != tt.want {
			t.Errorf("ttl %v interval %v: %s (%s), want %s", tt.ttl, tt.interval, it.Status, it.Message, tt.want)
		}
		if it.Status == result.StatusFail && (!strings.Contains(it.Fix, "at most tick.interval") || !strings.Contains(it.Message, "c.yaml:md_cache.ttl")) {
			t.Errorf("ttl %v: fix %q / message %q lack the rule or the source", tt.ttl, it.Fix, it.Message)
		}
	}
}

func TestTicksSampledFailsOnShortSample(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Ticks = 500
	c := checksByName(BaselineChecks(measure(t, o), f.view))["ticks_sampled"]
	if c.Item.Status != result.StatusFail || c.Item.Got != "500" {
		t.Errorf("ticks_sampled on 500 ticks: %s %s", c.Item.Status, c.Item.Got)
	}
}

// TestNoSamplesFails: a run without observations fails every budget item.
func TestNoSamplesFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	run := Assemble(Meta{Clock: RealClock}, budget.Observations{}, f.set)
	for _, c := range BaselineChecks(run, f.view) {
		if c.Item.Status != result.StatusFail {
			t.Errorf("%s passed without samples: %s", c.Name, c.Item.Message)
		}
	}
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	for expr, want := range map[string]string{
		"fetch_md: p(95) < 35ms": "fetch_md_p95", "tick_total: p(99.9) < 1s": "tick_total_p99_9",
		"submit: avg < 1ms": "submit_avg", "deadline_miss: rate < 2%": "deadline_miss", "md_cache_hit_ratio: >= 70%": "hit_ratio",
	} {
		target, e, _ := strings.Cut(expr, ": ")
		b, err := budget.Parse(target, e)
		if err != nil {
			t.Fatal(err)
		}
		if got := CheckName(b); got != want {
			t.Errorf("CheckName(%s) = %q, want %q", expr, got, want)
		}
	}
}

func hasAttr(c Check, key string) bool {
	for _, kv := range c.Attrs {
		if kv[0] == key && kv[1] != "" {
			return true
		}
	}
	return false
}

// TestBudgetListedBlockingBlocks: a budget the budgets file lists under
// blocking: is a blocking item; the same budget unlisted is a warning (only
// the seed's four block by default).
func TestBudgetListedBlockingBlocks(t *testing.T) {
	for _, blocking := range []bool{false, true} {
		b := budget.Budget{Target: budget.StageSubmit, Expr: "p(95) < 25ms", Kind: budget.Latency, Blocking: blocking}
		c := budgetCheck(checklist.AreaBaseline, budget.Result{Budget: b, Pass: false}, &Baseline{}, checklist.ConfigView{})
		want := result.Warning
		if blocking {
			want = result.Blocking
		}
		if c.Item.Severity != want {
			t.Errorf("blocking=%v: severity %s, want %s", blocking, c.Item.Severity, want)
		}
	}
}
