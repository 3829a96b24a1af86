package target

import (
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
)

// perSymbolPage is a bot with per-symbol tick histograms: BTCUSDT ticks
// at <= 40 ms, ETHUSDT at ~160 ms. A kill switch gauge without a critical
// label is engaged.
const perSymbolPage = `# TYPE mm_ticks_total counter
mm_ticks_total 200
# TYPE mm_tick_duration_seconds histogram
mm_tick_duration_seconds_bucket{symbol="BTCUSDT",le="0.05"} 100
mm_tick_duration_seconds_bucket{symbol="BTCUSDT",le="0.1"} 100
mm_tick_duration_seconds_bucket{symbol="BTCUSDT",le="0.25"} 100
mm_tick_duration_seconds_bucket{symbol="BTCUSDT",le="+Inf"} 100
mm_tick_duration_seconds_sum{symbol="BTCUSDT"} 4
mm_tick_duration_seconds_count{symbol="BTCUSDT"} 100
mm_tick_duration_seconds_bucket{symbol="ETHUSDT",le="0.05"} 0
mm_tick_duration_seconds_bucket{symbol="ETHUSDT",le="0.1"} 0
mm_tick_duration_seconds_bucket{symbol="ETHUSDT",le="0.25"} 100
mm_tick_duration_seconds_bucket{symbol="ETHUSDT",le="+Inf"} 100
mm_tick_duration_seconds_sum{symbol="ETHUSDT"} 16
mm_tick_duration_seconds_count{symbol="ETHUSDT"} 100
# TYPE kill_switch_engaged gauge
kill_switch_engaged 1
`

// deriveNames derives with the old metric-name mapping folded into a
// profile (profile.FromNames, as the harness file's metric_names: is).
func deriveNames(t *testing.T, page string, names profile.MetricNames) signal.Sample {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var s signal.Sample
	if _, err := DeriveProfile(fams, profile.FromNames(names), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A slow symbol must be judged: the tick histogram aggregates every series.
func TestDeriveTickLatencyEverySeries(t *testing.T) {
	s := deriveNames(t, perSymbolPage, profile.MetricNames{})
	h := s.Stages[TickTotal]
	if h.Count != 200 {
		t.Errorf("tick histogram count: got %g, want 200 (both symbols)", h.Count)
	}
	if q, _ := h.Quantile(0.95); q < 0.1 {
		t.Errorf("tick p95: got %.0fms, want the slow symbol's (> 100ms)", q*1000)
	}
}

func deriveProfile(t *testing.T, page, signals string) (signal.Sample, Derivation) {
	t.Helper()
	p, err := profile.Parse("p.yaml", "", []byte("version: 1\nsignals:\n"+signals))
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var s signal.Sample
	d, err := DeriveProfile(fams, p, &s)
	if err != nil {
		t.Fatal(err)
	}
	return s, d
}

// A kill switch without critical="true", declared as the profile's
// breakers_open, must count (with the old name mapping it was ignored:
// the critical="true" matcher was fixed).
func TestDeriveKillSwitchWithoutCriticalLabel(t *testing.T) {
	s, _ := deriveProfile(t, perSymbolPage, `  ticks: {expr: mm_ticks_total, kind: counter}
  breakers_open: {expr: kill_switch_engaged, kind: gauge}
`)
	if s.CriticalBreakersOpen != 1 {
		t.Errorf("kill switch engaged: got %d open, want 1", s.CriticalBreakersOpen)
	}
	s, _ = deriveProfile(t, strings.Replace(perSymbolPage, "kill_switch_engaged 1", "kill_switch_engaged 0", 1), `  ticks: {expr: mm_ticks_total, kind: counter}
  breakers_open: {expr: kill_switch_engaged, kind: gauge}
`)
	if s.CriticalBreakersOpen != 0 {
		t.Errorf("kill switch off: got %d open, want 0", s.CriticalBreakersOpen)
	}
}

// The slowest symbol is named.
func TestDeriveNamesTheSlowSeries(t *testing.T) {
	_, d := deriveProfile(t, perSymbolPage, `  ticks: {expr: mm_ticks_total, kind: counter}
  tick_latency: {expr: mm_tick_duration_seconds, kind: histogram}
`)
	if got := d.Slowest[TickTotal]; got != `{symbol="ETHUSDT"}` {
		t.Errorf("slowest tick series: got %q, want {symbol=\"ETHUSDT\"}", got)
	}
}

// A histogram in milliseconds is converted: with the old fixed seconds, a
// 40..85 ms tick read as p95 85.7s.
const msPage = `# TYPE hb_ticks_total counter
hb_ticks_total 100
# TYPE hb_tick_latency_ms histogram
hb_tick_latency_ms_bucket{le="10"} 0
hb_tick_latency_ms_bucket{le="50"} 50
hb_tick_latency_ms_bucket{le="100"} 100
hb_tick_latency_ms_bucket{le="+Inf"} 100
hb_tick_latency_ms_sum 5000
hb_tick_latency_ms_count 100
`

func TestDeriveMilliseconds(t *testing.T) {
	n := profile.MetricNames{Ticks: "hb_ticks_total", TickDuration: "hb_tick_latency_ms"}
	old := deriveNames(t, msPage, n)
	if q, _ := old.Stages[TickTotal].Quantile(0.95); q < 1 {
		t.Fatalf("old mapping: p95 %gs; the repro expects the unit error (> 1s)", q)
	}
	s, d := deriveProfile(t, msPage, `  ticks: {expr: hb_ticks_total, kind: counter}
  tick_latency: {expr: hb_tick_latency_ms, kind: histogram, unit: milliseconds}
`)
	if q, _ := s.Stages[TickTotal].Quantile(0.95); q < 0.09 || q > 0.1 {
		t.Errorf("p95: got %gs, want 0.095s", q)
	}
	if len(d.Warnings) != 0 {
		t.Errorf("warnings: got %v, want none", d.Warnings)
	}
}

// A selector that matches nothing is listed, naming the closest metrics;
// a ticks selector that matches nothing is ErrNoTicks.
func TestDeriveUnmatched(t *testing.T) {
	_, d := deriveProfile(t, msPage, `  ticks: {expr: hb_ticks_total, kind: counter}
  cache_hits: {expr: 'hb_cache_hits_total', kind: counter}
`)
	if len(d.Unmatched) != 1 || !strings.Contains(d.Unmatched[0].Error(), "hb_cache_hits_total") || !strings.Contains(d.Unmatched[0].Error(), "closest metrics the bot exports: hb_ticks_total") {
		t.Errorf("unmatched: got %v", d.Unmatched)
	}
	p, _ := profile.Parse("p.yaml", "", []byte("version: 1\nsignals:\n  ticks: {expr: mm_ticks_total, kind: counter}\n"))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, _ := parser.TextToMetricFamilies(strings.NewReader(msPage))
	var s signal.Sample
	if _, err := DeriveProfile(fams, p, &s); !errors.Is(err, ErrNoTicks) || !strings.Contains(err.Error(), "hb_ticks_total") {
		t.Errorf("no ticks: got %v, want ErrNoTicks naming hb_ticks_total", err)
	}
}

// Every summed counter keeps its series apart (signal.Sample.Parts), the
// profile's signals included: two symbols' tick counters are two parts.
func TestDeriveProfileParts(t *testing.T) {
	s, _ := deriveProfile(t, `# TYPE hb_ticks_total counter
hb_ticks_total{symbol="BTCUSDT"} 5
hb_ticks_total{symbol="ETHUSDT"} 7
# TYPE hb_hits_total counter
hb_hits_total 3
`, `  ticks: {expr: hb_ticks_total, kind: counter}
  cache_hits: {expr: hb_hits_total, kind: counter}
  cache_misses: {expr: hb_misses_total, kind: counter}
`)
	if got := s.Parts[signal.PartTicks]; len(got) != 2 || got[`{symbol="ETHUSDT"}`] != 7 || s.Ticks != 12 {
		t.Errorf("ticks parts: got %v (ticks %g), want two symbols summing to 12", got, s.Ticks)
	}
	if got := s.Parts[signal.PartCacheHits]; len(got) != 1 || got["{}"] != 3 {
		t.Errorf("cache_hits parts: got %v", got)
	}
	if got, ok := s.Parts[signal.PartCacheMisses]; !ok || len(got) != 0 {
		t.Errorf("unmatched cache_misses: got %v (present %v), want an empty part", got, ok)
	}
}
