package engine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/engine/fault"
)

// designMetrics are the metric names ARCHITECTURE.md promises.
var designMetrics = []string{
	MetricTickDuration, MetricStageDuration, MetricTicks, MetricDeadlineMisses, MetricCacheRequests,
	MetricFillVolume, MetricBreakerOpen, MetricTickErrors, MetricResidentMemory, MetricFeatureFlag,
}

func gather(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

func labelsOf(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

func TestMetricsOnTheSimulatedClock(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewPedanticRegistry()
	plan := &fault.Plan{Faults: []fault.Fault{{Kind: fault.VenueOutage, Start: 30 * time.Second, Duration: time.Hour}}}
	e := newSimEngine(t, testConfig(), Options{Registerer: reg, Faults: plan})
	e.RunFor(time.Minute)
	mfs := gather(t, reg)
	for _, name := range designMetrics {
		if mfs[name] == nil {
			t.Errorf("metric %s missing", name)
		}
	}
	s := e.Stats()
	if v := mfs[MetricTicks].GetMetric()[0].GetCounter().GetValue(); v != float64(s.Ticks) {
		t.Errorf("%s = %v, want %d", MetricTicks, v, s.Ticks)
	}
	stages := map[string]uint64{}
	for _, m := range mfs[MetricStageDuration].GetMetric() {
		stages[labelsOf(m)["stage"]] = m.GetHistogram().GetSampleCount()
	}
	for i := range NumStages {
		if stages[StageNames[i]] != s.Stages[i].Count {
			t.Errorf("stage %s count %d, want %d", StageNames[i], stages[StageNames[i]], s.Stages[i].Count)
		}
	}
	if h := mfs[MetricTickDuration].GetMetric()[0].GetHistogram(); h.GetSampleCount() != s.Ticks {
		t.Errorf("tick histogram count %d, want %d", h.GetSampleCount(), s.Ticks)
	}
	flags := map[string]float64{}
	for _, m := range mfs[MetricFeatureFlag].GetMetric() {
		flags[labelsOf(m)["flag"]] = m.GetGauge().GetValue()
	}
	for _, name := range FlagNames {
		if flags[name] != 1 {
			t.Errorf("flag %s = %v, want 1 (enabled in the test config)", name, flags[name])
		}
	}
	open := 0.0
	for _, m := range mfs[MetricBreakerOpen].GetMetric() {
		l := labelsOf(m)
		if l["breaker"] == "order_entry" && l["critical"] == "true" {
			open = m.GetGauge().GetValue()
		}
	}
	if open != 1 {
		t.Errorf("order_entry breaker gauge = %v during an outage, want 1", open)
	}
	if v := mfs[MetricResidentMemory].GetMetric()[0].GetGauge().GetValue(); v != s.ResidentBytes || v <= 0 {
		t.Errorf("resident memory %v, want the modeled %v", v, s.ResidentBytes)
	}
}

func TestRealClockRunStopsAndExportsProcessMemory(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Tick.Interval = 10 * time.Millisecond
	cfg.MDCache.TTL = 30 * time.Millisecond // under the 40ms between the synthetic book's changes on average: hits and misses
	reg := prometheus.NewPedanticRegistry()
	e := newSimEngine(t, cfg, Options{Clock: clock.NewReal(), Registerer: reg})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = e.Run(ctx) })
	time.Sleep(300 * time.Millisecond)
	mfs := gather(t, reg) // a scrape while the loop runs
	cancel()
	wg.Wait()
	if runErr != nil {
		t.Fatalf("Run returned %v, want nil on cancel", runErr)
	}
	if s := e.Stats(); s.Ticks == 0 || s.ResidentBytes <= 0 {
		t.Fatalf("ticks %d resident %v after 300ms, want ticks and a resident size", s.Ticks, s.ResidentBytes)
	}
	for _, name := range designMetrics {
		if mfs[name] == nil {
			t.Errorf("metric %s missing on the real clock", name)
		}
	}
	if l := e.Latencies("fetch_md"); l.Max < 5*time.Millisecond || l.Min > time.Millisecond {
		t.Errorf("real-clock fetch_md min %v max %v, want cache hits (~40us) and venue fetches (~18ms)", l.Min, l.Max)
	}
}
