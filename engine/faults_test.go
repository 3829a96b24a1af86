package engine

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
)

// faultRun runs 3 minutes with one fault from 1m to 2m and returns the stats
// just before it, at its middle, at its end and a minute after.
func faultRun(t *testing.T, cfg *config.Config, k fault.Kind, magnitude float64) (before, during, after, end Stats) {
	t.Helper()
	plan := &fault.Plan{Faults: []fault.Fault{{Kind: k, Start: time.Minute, Duration: time.Minute, Magnitude: magnitude}}}
	e := newSimEngine(t, cfg, Options{Faults: plan})
	e.RunFor(time.Minute - time.Millisecond)
	before = e.Stats()
	e.RunFor(30 * time.Second)
	during = e.Stats()
	e.RunFor(30 * time.Second)
	after = e.Stats()
	e.RunFor(time.Minute)
	end = e.Stats()
	return before, during, after, end
}

func TestFaultsMoveTheirCounters(t *testing.T) {
	t.Parallel()
	noCache := func() *config.Config { c := testConfig(); c.MDCache.Enabled = false; return c }

	t.Run("feed_stall", func(t *testing.T) {
		t.Parallel()
		b, d, a, _ := faultRun(t, noCache(), fault.FeedStall, 100)
		if b.StageErrors[StageFetchMD] != 0 || a.StageErrors[StageFetchMD] == 0 {
			t.Errorf("fetch_md errors %d before, %d after a stall; want 0 then > 0", b.StageErrors[StageFetchMD], a.StageErrors[StageFetchMD])
		}
		if !d.FaultsActive[fault.FeedStall] || d.Breakers[BreakerVenueMD].Trips == 0 {
			t.Errorf("during the stall: active %v, venue_md trips %d; want active and tripped", d.FaultsActive[fault.FeedStall], d.Breakers[BreakerVenueMD].Trips)
		}
	})
	t.Run("venue_latency_spike", func(t *testing.T) {
		t.Parallel()
		b, _, a, _ := faultRun(t, noCache(), fault.VenueLatencySpike, 8)
		if b.DeadlineMisses != 0 || a.DeadlineMisses == 0 {
			t.Errorf("deadline misses %d before, %d after an 8x spike; want 0 then > 0", b.DeadlineMisses, a.DeadlineMisses)
		}
	})
	t.Run("venue_error_burst", func(t *testing.T) {
		t.Parallel()
		b, _, a, _ := faultRun(t, noCache(), fault.VenueErrorBurst, 0.5)
		if b.TickErrors != 0 || a.StageErrors[StageFetchMD] == 0 || a.StageErrors[StageSubmit] == 0 {
			t.Errorf("errors %d before; fetch_md %d submit %d after; want 0 then both > 0", b.TickErrors, a.StageErrors[StageFetchMD], a.StageErrors[StageSubmit])
		}
	})
	t.Run("cache_degradation", func(t *testing.T) {
		t.Parallel()
		b, _, a, _ := faultRun(t, testConfig(), fault.CacheDegradation, 0.9)
		hitRatio := func(s0, s1 Stats) float64 {
			return float64(s1.CacheHits-s0.CacheHits) / float64(s1.CacheHits-s0.CacheHits+s1.CacheMisses-s0.CacheMisses)
		}
		var zero Stats
		if normal, degraded := hitRatio(zero, b), hitRatio(b, a); degraded >= normal/2 {
			t.Errorf("hit ratio %.2f during degradation, %.2f before; want it to collapse", degraded, normal)
		}
	})
	t.Run("memory_leak", func(t *testing.T) {
		t.Parallel()
		b, d, a, end := faultRun(t, testConfig(), fault.MemoryLeak, 600) // 600 MB/h: 5 MB at 30 s
		grew := d.ResidentBytes - b.ResidentBytes
		if grew < 4e6 || grew > 6e6 {
			t.Errorf("resident grew %.0f bytes 30s into a 600 MB/h leak, want about 5e6", grew)
		}
		if a.ResidentBytes <= d.ResidentBytes && end.ResidentBytes != b.ResidentBytes {
			t.Errorf("resident %v during, %v at the end, %v after; want growth then release to %v", d.ResidentBytes, a.ResidentBytes, end.ResidentBytes, b.ResidentBytes)
		}
		if end.ResidentBytes != b.ResidentBytes {
			t.Errorf("resident %v after the leak ended, want released to %v", end.ResidentBytes, b.ResidentBytes)
		}
	})
	t.Run("aggressive_quoting", func(t *testing.T) {
		t.Parallel()
		b, _, a, _ := faultRun(t, testConfig(), fault.AggressiveQuoting, 5)
		if b.TakerVolume != 0 || a.TakerVolume == 0 {
			t.Errorf("taker volume %v before, %v after aggressive quoting; want 0 then > 0", b.TakerVolume, a.TakerVolume)
		}
		if a.TakerCapBlocks != b.TakerCapBlocks {
			t.Errorf("taker cap blocked %d aggressive orders, want it bypassed", a.TakerCapBlocks-b.TakerCapBlocks)
		}
		if share := a.TakerSharePct(); share <= 9 {
			t.Errorf("taker share %.1f%%, want above the 9%% cap", share)
		}
	})
	t.Run("venue_outage", func(t *testing.T) {
		t.Parallel()
		b, d, a, end := faultRun(t, testConfig(), fault.VenueOutage, 0)
		if b.CriticalBreakersOpen != 0 || d.CriticalBreakersOpen != 1 || !d.Breakers[BreakerOrderEntry].Open {
			t.Errorf("critical breakers open %d before, %d during (order_entry open %v); want 0 then 1",
				b.CriticalBreakersOpen, d.CriticalBreakersOpen, d.Breakers[BreakerOrderEntry].Open)
		}
		if a.StageErrors[StageSubmit] == 0 {
			t.Error("no submit errors during an outage")
		}
		if end.CriticalBreakersOpen != 0 {
			t.Errorf("%d critical breakers open a minute after the outage, want 0", end.CriticalBreakersOpen)
		}
	})
}

func TestSeventyTwoHourPlanSchedulesEveryFault(t *testing.T) {
	t.Parallel()
	plan, err := fault.Load(filepath.Join(moduleRoot(t), "fixtures/faults/soak_72h.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Tick.Interval = 5 * time.Second // 72 h in 52k ticks, over a still market
	e := newSimEngine(t, cfg, Options{Faults: plan, Feed: newScriptFeed(10000, 1, 10000.2, 1)})
	var seen [fault.NumKinds]bool
	var last Stats
	for range 72 * 3600 / 5 {
		e.Step()
		last = e.Stats()
		for k, on := range last.FaultsActive {
			seen[k] = seen[k] || on
		}
	}
	for _, k := range fault.Kinds() {
		if !seen[k] {
			t.Errorf("fault %s never active in 72 h of soak_72h.yaml", k)
		}
	}
	if last.ResidentBytes != float64(64<<20) {
		t.Errorf("resident %v at the end, want the leak released to 64 MiB", last.ResidentBytes)
	}
}

// TestMemoryLeakIsRealOnTheRealClock: on the real clock a memory_leak fault
// holds real memory, at every tick as much as the plan says for the time
// the tick ran at (rounded up to whole MiB), several MiB before it ends,
// and none after. What is held is checked against each tick's own time, so
// a loaded machine that runs fewer ticks changes what is expected, not the
// verdict; the fault lasts long enough (2 s, 2 MiB reached after 0.4 s)
// that a tick lands in its second half however late the ticks come.
func TestMemoryLeakIsRealOnTheRealClock(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Tick.Interval = 10 * time.Millisecond
	// 18 GB/h = 5 MB/s for 2 s: about 10 MB at its peak.
	const mag, span = 18_000.0, 2 * time.Second
	plan := &fault.Plan{Faults: []fault.Fault{{Kind: fault.MemoryLeak, Duration: span, Magnitude: mag}}}
	e := newSimEngine(t, cfg, Options{Clock: clock.NewReal(), Faults: plan})
	peak, ticks := 0, 0
	deadline := time.Now().Add(span + time.Minute)
	for time.Now().Before(deadline) {
		e.Step()
		ticks++
		e.mu.Lock()
		n := len(e.mem.chunks)
		_, on := e.sched.Active(fault.MemoryLeak)
		elapsed, _ := e.sched.Elapsed(fault.MemoryLeak, e.tickStart)
		e.mu.Unlock()
		want := 0
		if on {
			want = int((int64(mag*1e6*float64(elapsed)/3600e9) + leakChunk - 1) / leakChunk)
		}
		if n != want {
			t.Fatalf("tick %d, %v into the leak (active %v): %d MiB held, want %d", ticks, time.Duration(elapsed), on, n, want)
		}
		peak = max(peak, n)
		if !on && peak > 0 {
			break
		}
	}
	if peak < 2 {
		t.Fatalf("leak held at most %d MiB over %d ticks, want several", peak, ticks)
	}
	e.mu.Lock()
	left := len(e.mem.chunks)
	e.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d MiB still held after the leak ended", left)
	}
	t.Logf("peak %d MiB over %d ticks", peak, ticks)
}

func TestVenueOutageKeepsTheCriticalBreakerOpen(t *testing.T) {
	t.Parallel()
	plan := &fault.Plan{Faults: []fault.Fault{{Kind: fault.VenueOutage, Start: 10 * time.Second, Duration: time.Minute}}}
	e := newSimEngine(t, testConfig(), Options{Faults: plan})
	e.RunFor(15 * time.Second) // 5 s into the outage: tripped after 3 failed submits
	if s := e.Stats(); s.CriticalBreakersOpen != 1 {
		t.Fatalf("critical breakers open %d 5s into the outage, want 1", s.CriticalBreakersOpen)
	}
	for i := 0; i < 540; i++ { // every tick to 69.9 s: half-open probes fail and reopen it
		e.Step()
		if s := e.Stats(); s.CriticalBreakersOpen != 1 {
			t.Fatalf("breaker closed %d ticks later, during the outage (state %v)", i+1, s.Breakers[BreakerOrderEntry].State)
		}
	}
	e.RunFor(30 * time.Second)
	if s := e.Stats(); s.CriticalBreakersOpen != 0 || s.Breakers[BreakerOrderEntry].Trips < 2 {
		t.Fatalf("after the outage: %d open, %d trips; want closed after several trips", s.CriticalBreakersOpen, s.Breakers[BreakerOrderEntry].Trips)
	}
}
