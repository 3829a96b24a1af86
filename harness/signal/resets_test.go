package signal

import (
	"testing"
	"time"
)

// symbolBot is a bot whose ticks and deadline-miss counters are per symbol
// (one series per symbol label), as a target reads them: a Sample carries
// the sums and, in Parts, every series present in that read.
type symbolBot struct {
	ticks, misses map[string]float64 // raw counter per symbol
}

func newSymbolBot() *symbolBot {
	return &symbolBot{ticks: map[string]float64{}, misses: map[string]float64{}}
}

// sample is what a read at `at` returns when only the symbols in visible
// have their series in it (a stale series is absent from the read).
func (b *symbolBot) sample(at time.Time, visible ...string) Sample {
	s := Sample{At: at, Up: true, Parts: map[Part]map[string]float64{
		PartTicks: {}, PartDeadlineMisses: {},
	}}
	for _, sym := range visible {
		key := `{symbol="` + sym + `"}`
		s.Parts[PartTicks][key] = b.ticks[sym]
		s.Parts[PartDeadlineMisses][key] = b.misses[sym]
		s.Ticks += b.ticks[sym]
		s.DeadlineMisses += b.misses[sym]
	}
	return s
}

// TestStaleSeriesInsideASumDoesNotResetEveryCounter reproduces the
// measured bug: a 10-hour-old bot quotes two symbols; ETH stops quoting and
// its series turns stale, missing from one read in six (a Prometheus
// instant query drops a stale series). BTC misses 13.3% of its ticks. Each
// dip of the sums used to read as a restart of every counter, which then
// added its lifetime total to the window: deadline_miss_pct read 1.02% in
// two minutes of every six, and deadline_miss_stop (> 5% for 10 minutes)
// never fired. Resets are per series now: 13.33% at every evaluation.
func TestStaleSeriesInsideASumDoesNotResetEveryCounter(t *testing.T) {
	t.Parallel()
	bot := newSymbolBot()
	// Ten healthy hours at 1% misses on both symbols.
	for _, sym := range []string{"BTC", "ETH"} {
		bot.ticks[sym], bot.misses[sym] = 540000, 5400
	}
	s := NewSeries(time.Hour)
	lowest, held := 100.0, time.Duration(0)
	for k := 0; k <= 30*60; k++ {
		at := t0.Add(time.Duration(k) * time.Second)
		if k > 0 {
			bot.ticks["BTC"] += 15 // 2 misses in 15 ticks: 13.33%
			bot.misses["BTC"] += 2
		}
		visible := []string{"BTC"}
		if (k/60)%6 != 5 { // ETH's stale series: in five reads of six minutes
			visible = append(visible, "ETH")
		}
		s.Add(bot.sample(at, visible...))
		if k < 60 || k%15 != 0 {
			continue
		}
		v := s.Compute(DeadlineMissPct, time.Minute, at, Options{})
		if !v.OK {
			t.Fatalf("at +%v: no data (%s)", at.Sub(t0), v.Reason)
		}
		lowest = min(lowest, v.V)
		if v.V > 5 {
			held += 15 * time.Second
		} else {
			held = 0
		}
	}
	approx(t, "lowest deadline_miss_pct over 30 minutes (truth 13.33%)", lowest, 100*2.0/15, 1e-9)
	if held < 10*time.Minute {
		t.Fatalf("deadline_miss_pct > 5%% held for %v at the end, want >= 10m (deadline_miss_stop must fire)", held)
	}
	if s.Resets() != 0 {
		t.Fatalf("resets: got %d, want 0 (no series went down)", s.Resets())
	}
}

// TestResetOfOneSeriesInASum: a per-symbol counter restarts (its series
// drops to zero and counts on) while the others go on. Only that series'
// increase across the reset is its new value (Prometheus's increase());
// the other series are not touched.
func TestResetOfOneSeriesInASum(t *testing.T) {
	t.Parallel()
	bot := newSymbolBot()
	bot.ticks["BTC"], bot.misses["BTC"] = 1e6, 1e4
	bot.ticks["ETH"], bot.misses["ETH"] = 2e6, 2e4
	s := NewSeries(time.Hour)
	for k := 0; k <= 120; k++ {
		at := t0.Add(time.Duration(k) * time.Second)
		if k == 90 {
			// ETH's worker restarts between two reads: 10 ticks and 1 miss
			// since, on a fresh counter.
			bot.ticks["ETH"], bot.misses["ETH"] = 10, 1
		} else if k > 0 {
			bot.ticks["ETH"] += 10
			bot.misses["ETH"]++
		}
		if k > 0 {
			bot.ticks["BTC"] += 10 // BTC: no misses
		}
		s.Add(bot.sample(at, "BTC", "ETH"))
	}
	// Over the last minute: BTC 600 ticks, ETH 600 ticks and 60 misses.
	v := s.Compute(DeadlineMissPct, time.Minute, t0.Add(120*time.Second), Options{})
	approx(t, "deadline_miss_pct across one series' reset", v.V, 100*60.0/1200, 1e-9)
	if s.Resets() != 1 {
		t.Fatalf("resets: got %d, want 1", s.Resets())
	}
	approx(t, "ticks since the start", s.Ticks(), 2400, 1e-9)
}

// TestSeriesDisappearsAndReappears: a series missing from some reads adds
// nothing while it is missing and, when it comes back, only what it counted
// meanwhile (or, if it came back lower, its new value: it was reset). A
// series seen for the first time after the start counts from zero.
func TestSeriesDisappearsAndReappears(t *testing.T) {
	t.Parallel()
	bot := newSymbolBot()
	bot.ticks["BTC"], bot.misses["BTC"] = 5e5, 5e3
	bot.ticks["ETH"], bot.misses["ETH"] = 5e5, 5e3
	s := NewSeries(time.Hour)
	add := func(k int, visible ...string) { s.Add(bot.sample(t0.Add(time.Duration(k)*time.Second), visible...)) }
	add(0, "BTC", "ETH")
	bot.ticks["BTC"] += 100
	bot.ticks["ETH"] += 100
	bot.misses["ETH"] += 10
	add(10, "BTC") // ETH missing: nothing of it counted yet
	bot.ticks["BTC"] += 100
	add(20, "BTC", "ETH") // back: its 100 ticks and 10 misses since t=0
	approx(t, "deadline_miss_pct with ETH back", s.Compute(DeadlineMissPct, time.Minute, t0.Add(20*time.Second), Options{}).V, 100*10.0/300, 1e-9)
	bot.ticks["ETH"], bot.misses["ETH"] = 50, 5 // ETH restarted while missing
	bot.ticks["SOL"], bot.misses["SOL"] = 50, 0 // a new symbol, from zero
	add(40, "BTC")
	add(50, "BTC", "ETH", "SOL")
	v := s.Compute(DeadlineMissPct, 30*time.Second, t0.Add(50*time.Second), Options{})
	approx(t, "deadline_miss_pct across a reset while missing", v.V, 100*5.0/100, 1e-9)
	approx(t, "ticks since the start", s.Ticks(), 400, 1e-9)
}

// TestCountersAddPerSeries: Counters.Add, the reset rule others ask, says
// restart for a series that went down and not for one missing from a read
// (the sum going down), nor for the first sample.
func TestCountersAddPerSeries(t *testing.T) {
	t.Parallel()
	smp := func(a, b float64, withB bool) *Sample {
		parts := map[string]float64{`symbol="A"`: a}
		sum := a
		if withB {
			parts[`symbol="B"`] = b
			sum += b
		}
		return &Sample{Up: true, Ticks: sum, Parts: map[Part]map[string]float64{PartTicks: parts}}
	}
	var c Counters
	for i, step := range []struct {
		s    *Sample
		want bool
	}{
		{smp(100, 100, true), false}, // the starting point
		{smp(110, 0, false), false},  // B missing: the sum went down, no series did
		{smp(120, 130, true), false}, // B back, above its last value
		{smp(5, 400, true), true},    // A reset, the sum still up
		{smp(6, 100, true), true},    // B reset
		{smp(7, 101, true), false},
	} {
		if got := c.Add(step.s); got != step.want {
			t.Errorf("sample %d: reset %v, want %v", i, got, step.want)
		}
	}
}
