package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/marketdata"
)

func TestNewReportsEveryProblem(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Tick.Interval = 0
	cfg.Quoting.FairValue = "last"
	_, err := New(cfg, Options{})
	if err == nil {
		t.Fatal("New accepted a bad config")
	}
	for _, want := range []string{"new engine:", "tick.interval", "quoting.fair_value", ErrNoFeed.Error()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if !errors.Is(err, ErrNoFeed) {
		t.Errorf("error does not wrap ErrNoFeed")
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Error("New accepted a nil config")
	}
}

func TestNewRegistersOnTheGivenRegistry(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewPedanticRegistry()
	newSimEngine(t, testConfig(), Options{Registerer: reg})
	if _, err := New(testConfig(), Options{Feed: newScriptFeed(100, 1, 100.2, 1), Registerer: reg}); err == nil {
		t.Fatal("a second engine on the same registry registered, want a duplicate error")
	}
}

func TestRunForCoversMarketTime(t *testing.T) {
	t.Parallel()
	e := newSimEngine(t, testConfig(), Options{})
	e.RunFor(time.Minute)
	s := e.Stats()
	if s.Ticks != 600 {
		t.Fatalf("ticks = %d over 1m at 100ms, want 600", s.Ticks)
	}
	if s.NowNs-DefaultStartNs < int64(59*time.Second) {
		t.Fatalf("clock moved %v, want about 1m", time.Duration(s.NowNs-DefaultStartNs))
	}
	if s.MakerVolume+s.TakerVolume == 0 {
		t.Error("no fills in a minute of an active market")
	}
	if l := e.Latencies("tick_total"); l.Count != 600 || l.P95 <= 0 {
		t.Errorf("tick_total latencies %+v, want 600 samples", l)
	}
	if l := e.Latencies("nope"); l.Count != 0 {
		t.Errorf("unknown stage has %d samples", l.Count)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	run := func() (Stats, Latency) {
		e := newSimEngine(t, testConfig(), Options{Seed: 99})
		e.RunFor(10 * time.Minute)
		return e.Stats(), e.Latencies("tick_total")
	}
	s1, l1 := run()
	s2, l2 := run()
	if s1 != s2 || l1 != l2 {
		t.Fatalf("two runs with one seed differ:\n%+v\n%+v", s1, s2)
	}
	e := newSimEngine(t, testConfig(), Options{Seed: 100})
	e.RunFor(10 * time.Minute)
	if e.Stats() == s1 {
		t.Fatal("a different seed gave identical stats")
	}
}

func TestStepAndStatsDoNotAllocate(t *testing.T) {
	rec, err := marketdata.Generate(marketdata.SyntheticOptions{Seed: 3, StartPrice: 10000}, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	e := newSimEngine(t, testConfig(), Options{Feed: rec.Replay(), StartNs: rec.Manifest.StartNs})
	e.RunFor(time.Minute) // warm up
	if n := testing.AllocsPerRun(2000, e.Step); n != 0 {
		t.Errorf("Step allocates %.2f times per tick, want 0", n)
	}
	var s Stats
	if n := testing.AllocsPerRun(100, func() { s = e.Stats() }); n != 0 {
		t.Errorf("Stats allocates %.2f times, want 0", n)
	}
	_ = s
}

// TestDeskFaultsDoNotAllocate: the market_trend (a shifted copy of the
// book and trades) and one_sided_quoting paths allocate nothing per tick.
func TestDeskFaultsDoNotAllocate(t *testing.T) {
	rec, err := marketdata.Generate(marketdata.SyntheticOptions{Seed: 3, StartPrice: 10000}, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	plan := &fault.Plan{Faults: []fault.Fault{
		{Kind: fault.MarketTrend, Duration: time.Hour, Magnitude: 10},
		{Kind: fault.OneSidedQuoting, Duration: time.Hour},
	}}
	e := newSimEngine(t, testConfig(), Options{Feed: rec.Replay(), StartNs: rec.Manifest.StartNs, Faults: plan})
	e.RunFor(time.Minute) // warm up
	if n := testing.AllocsPerRun(2000, e.Step); n != 0 {
		t.Errorf("Step allocates %.2f times per tick under market_trend and one_sided_quoting, want 0", n)
	}
	e.mu.Lock()
	askQuoted, trend := e.vn.orders[ask].active, e.trendBps
	e.mu.Unlock()
	if askQuoted || trend < 10 {
		t.Errorf("ask quoted %v, market moved %.1f bps: want the faults on (no ask, >= 10 bps)", askQuoted, trend)
	}
}

func TestStatsDuringALongRun(t *testing.T) {
	t.Parallel()
	e := newSimEngine(t, testConfig(), Options{Feed: newScriptFeed(10000, 1, 10000.2, 1)})
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.RunFor(2 * time.Hour) // 72k ticks
	}()
	var seen []uint64
	for len(seen) < 3 {
		select {
		case <-done:
			t.Logf("run finished after %d mid-run snapshots", len(seen))
			seen = append(seen, 0, 0, 0)
		default:
			if s := e.Stats(); s.Ticks > 0 && s.Ticks < 72_000 {
				seen = append(seen, s.Ticks)
			}
			time.Sleep(time.Millisecond)
		}
	}
	<-done
	if s := e.Stats(); s.Ticks != 72_000 {
		t.Fatalf("ticks %d after 2h, want 72000", s.Ticks)
	}
}
