package profile

import (
	"slices"
	"strings"
	"testing"
)

// acmeNames is another bot's mapping (every field set).
var acmeNames = MetricNames{
	TickDuration: "acme_loop_seconds", StageDuration: "acme_step_seconds", Ticks: "acme_loops_total",
	DeadlineMisses: "acme_late_loops_total", CacheRequests: "acme_book_cache_lookups_total",
	FillVolume: "acme_filled_base_total", BreakerOpen: "acme_breaker_tripped", TickErrors: "acme_loop_failures_total",
	ResidentMemory: "acme_rss_bytes", FeatureFlag: "acme_flag_on",
}

// TestFromNamesWithoutNamesIsTheReference: an empty mapping, or one that
// names the reference engine's own metrics, is the reference profile
// itself (its expressions as written, its desk signals kept).
func TestFromNamesWithoutNamesIsTheReference(t *testing.T) {
	ref := Default()
	for name, names := range map[string]MetricNames{
		"empty":     {},
		"reference": {Ticks: "mm_ticks_total", FillVolume: "mm_fill_volume_total"},
	} {
		p := FromNames(names)
		if got, want := p.SignalNames(), ref.SignalNames(); !slices.Equal(got, want) {
			t.Errorf("%s: signals %v, want the reference's %v", name, got, want)
		}
		for _, n := range ref.SignalNames() {
			if got, want := p.Signal(n).Expr, ref.Signal(n).Expr; got != want {
				t.Errorf("%s: %s expr %q, want %q", name, n, got, want)
			}
		}
	}
}

// TestFromNamesIsAnotherBot: the mapping's names replace the engine
// signals' metrics, keeping the reference's labels and aggregations; the
// reference engine's desk signals are not another bot's.
func TestFromNamesIsAnotherBot(t *testing.T) {
	p := FromNames(acmeNames)
	for role, want := range map[string]string{
		"ticks":         "acme_loops_total",
		"cache_hits":    `acme_book_cache_lookups_total{result="hit"}`,
		"taker_volume":  `acme_filled_base_total{liquidity="taker"}`,
		"stage_latency": "sum by (stage) (acme_step_seconds)",
		"feature_flags": "max by (flag) (acme_flag_on)",
		"breakers_open": `acme_breaker_tripped{critical="true"}`,
	} {
		if got := p.Signal(role).Expr; got != want {
			t.Errorf("%s: got %q, want %q", role, got, want)
		}
	}
	if d := p.Declared(); len(d) != 0 {
		t.Errorf("declared signals %d (%s...), want none of the reference engine's", len(d), d[0].Name)
	}
	// a partial mapping keeps the reference's other names
	q := FromNames(MetricNames{Ticks: "acme_loops_total"})
	if got, want := q.Signal("deadline_misses").Metric, "mm_tick_deadline_misses_total"; got != want {
		t.Errorf("partial mapping: deadline_misses %q, want %q", got, want)
	}
	if Default().Signal("ticks").Metric != "mm_ticks_total" {
		t.Error("FromNames changed the reference profile")
	}
}

func TestParseNames(t *testing.T) {
	for _, c := range []struct {
		name, yaml string
		want       []string // substrings of the error, each; none: no error
	}{
		{"partial override keeps the defaults", "ticks: acme_loops_total\n", nil},
		{"unknown key", "tick: acme\n", []string{"line 1: tick: unknown key; known here: breaker_open, cache_requests"}},
		{"not a metric name", "ticks: acme-loops\n", []string{`line 1: ticks: got str "acme-loops", want a Prometheus metric name`}},
		{"empty name", "ticks: \"\"\n", []string{`ticks: got str "", want a Prometheus metric name`}},
		{"a number", "ticks: 5\n", []string{`ticks: got int "5"`}},
		{"every problem", "tickz: a\nfill_volume: b c\n", []string{"line 1: tickz: unknown key", "line 2: fill_volume: got"}},
		{"duplicate", "ticks: a\nticks: b\n", []string{"line 2: ticks: duplicate key"}},
		{"not a mapping", "- a\n", []string{"parse metric names: line 1: got a list, want a mapping"}},
		{"not yaml", "ticks: [a\n", []string{"parse metric names: yaml"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseNames([]byte(c.yaml))
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if p.Signal("ticks").Metric != "acme_loops_total" || p.Signal("deadline_misses").Metric != "mm_tick_deadline_misses_total" {
					t.Errorf("got ticks %s, deadline_misses %s", p.Signal("ticks").Metric, p.Signal("deadline_misses").Metric)
				}
				return
			}
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("got error %v, want one containing %q", err, w)
				}
			}
		})
	}
}

// TestEngineMetricsOfTheReference: the reference profile's engine signals
// read the metrics ARCHITECTURE.md lists for the reference engine, each
// once, histograms marked.
func TestEngineMetricsOfTheReference(t *testing.T) {
	names, hist := Default().EngineMetrics()
	want := []string{"mm_tick_duration_seconds", "mm_stage_duration_seconds", "mm_ticks_total", "mm_tick_deadline_misses_total",
		"mm_md_cache_requests_total", "mm_fill_volume_total", "mm_circuit_breaker_open", "mm_tick_errors_total",
		"process_resident_memory_bytes", "mm_feature_flag_enabled"}
	if !slices.Equal(names, want) {
		t.Errorf("got %v\nwant %v", names, want)
	}
	if len(hist) != 2 || !hist["mm_tick_duration_seconds"] || !hist["mm_stage_duration_seconds"] {
		t.Errorf("histograms %v, want the tick and stage durations", hist)
	}
	acme, _ := FromNames(acmeNames).EngineMetrics()
	if len(acme) != 10 || acme[0] != "acme_loop_seconds" {
		t.Errorf("another bot's engine metrics: %v", acme)
	}
}

func TestMetricOf(t *testing.T) {
	var none *Profile
	if got := none.MetricOf("feature_flags"); got != "mm_feature_flag_enabled" {
		t.Errorf("nil profile: got %q, want the reference's", got)
	}
	if got := FromNames(acmeNames).MetricOf("feature_flags"); got != "acme_flag_on" {
		t.Errorf("got %q, want acme_flag_on", got)
	}
	p := Default()
	delete(p.Signals, "feature_flags")
	if got := p.MetricOf("feature_flags"); got != "mm_feature_flag_enabled" {
		t.Errorf("undeclared: got %q, want the reference's", got)
	}
}
