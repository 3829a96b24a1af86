package integration

import (
	"math"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/target"
)

// TestPythonBotThroughScrape reads fixtures/pybot (Python standard library
// only) through the same scrape target as the Go bot: a valid sample with
// every signal's inputs; then each injected fault shows in the sample.
func TestPythonBotThroughScrape(t *testing.T) {
	t.Parallel()
	bot := startPyBot(t, "--tick", "0.02")
	waitTicks(t, bot.addr)
	s := sampleAll(t, newScrape(t, bot.addr))[0]
	if !s.Up {
		t.Fatalf("python bot: down: %s", s.Fault)
	}
	if s.Ticks <= 0 || s.CacheHits+s.CacheMisses <= 0 || s.ResidentBytes <= 0 || len(s.Stages) != 7 || len(s.Flags) == 0 {
		t.Fatalf("python bot: incomplete sample %+v", s)
	}
	if h := s.Stages[target.TickTotal]; h.Count != s.Ticks {
		t.Fatalf("tick histogram count %g, ticks %g: want equal", h.Count, s.Ticks)
	}
	if s.CriticalBreakersOpen != 0 || s.DeadlineMisses != 0 || s.TakerVolume != 0 {
		t.Fatalf("healthy python bot: got %+v", s)
	}

	for _, tc := range []struct {
		fault string
		check func(t *testing.T, addr string)
	}{
		{"breaker", func(t *testing.T, addr string) {
			if s := sampleAll(t, newScrape(t, addr))[0]; !s.Up || s.CriticalBreakersOpen != 1 {
				t.Fatalf("got %+v, want up with 1 critical breaker open", s)
			}
		}},
		{"deadline_misses", func(t *testing.T, addr string) {
			s := sampleAll(t, newScrape(t, addr))[0]
			if !s.Up || s.DeadlineMisses == 0 || s.DeadlineMisses != s.Ticks {
				t.Fatalf("got %+v, want every tick a deadline miss", s)
			}
			// 200 ms ticks at a 20 ms interval: like the engine, mm_ticks_total
			// counts slots, the 10 each tick overruns included.
			if run := s.Stages[target.TickTotal].Count; s.Ticks < 5*run {
				t.Fatalf("ticks %g for %g ticks run, want the overrun slots counted (about 11x)", s.Ticks, run)
			}
		}},
		{"garbage", func(t *testing.T, addr string) {
			if s := sampleAll(t, newScrape(t, addr))[0]; s.Up || !strings.HasPrefix(s.Fault, target.FaultGarbage) {
				t.Fatalf("got up=%v fault %q, want %q", s.Up, s.Fault, target.FaultGarbage)
			}
		}},
		{"http_500", func(t *testing.T, addr string) {
			if s := sampleAll(t, newScrape(t, addr))[0]; s.Up || !strings.HasPrefix(s.Fault, target.FaultStatus+" 500") {
				t.Fatalf("got up=%v fault %q, want %q", s.Up, s.Fault, target.FaultStatus+" 500")
			}
		}},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			t.Parallel()
			b := startPyBot(t, "--fault", tc.fault, "--tick", "0.02")
			waitTicks(t, b.addr)
			tc.check(t, b.addr)
		})
	}
}

// waitTicks waits until a bot's page (when it serves one) shows ticks.
func waitTicks(t *testing.T, addr string) {
	t.Helper()
	for range 50 {
		body := getBody(t, "http://"+addr+"/metrics")
		if !strings.Contains(body, "mm_ticks_total 0\n") {
			return
		}
		sleepTick()
	}
}

// TestPythonBotDeskSignals: the Python bot exports the reference engine's
// desk metrics, so every signal the reference profile declares has a value
// (a signal without data would leave a soak's criterion "no data" and the
// soak inconclusive); each desk fault shows in its signal.
func TestPythonBotDeskSignals(t *testing.T) {
	t.Parallel()
	desk := func(t *testing.T, args ...string) map[string]float64 {
		t.Helper()
		bot := startPyBot(t, append([]string{"--tick", "0.02"}, args...)...)
		sc, err := target.NewScrape(target.ScrapeOptions{URL: "http://" + bot.addr + "/metrics", Profile: profile.Default()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sc.Close() })
		for range 100 { // until 10 ticks ran (20 ms each; bounded for a loaded machine)
			s := sampleAll(t, sc)[0]
			if !s.Up {
				t.Fatalf("python bot down: %s", s.Fault)
			}
			if s.Declared["ticks_run"] >= 10 {
				return s.Declared
			}
			sleepTick()
		}
		t.Fatal("python bot: fewer than 10 ticks")
		return nil
	}
	healthy := desk(t)
	for _, name := range []string{"inventory_limit_use", "order_rejects", "md_age", "ticks_run", "tick_slots", "two_sided_ticks", "pnl_drawdown", "pnl"} {
		v, ok := healthy[name]
		if !ok || math.IsNaN(v) {
			t.Errorf("healthy python bot: signal %s has no value (declared: %v)", name, healthy)
		}
	}
	if healthy["inventory_limit_use"] >= 0.95 || healthy["md_age"] > 0.05 || healthy["two_sided_ticks"] <= 0 {
		t.Errorf("healthy python bot: got %v, want inventory off its limit, a fresh book and two-sided ticks", healthy)
	}
	for _, tc := range []struct {
		fault string
		ok    func(d map[string]float64) bool
		want  string
	}{
		// the book's age is the time since the start: at least the ticks run
		{"stale_md", func(d map[string]float64) bool { return d["md_age"] > 0.05 && d["md_age"] >= 0.9*0.02*d["ticks_run"] }, "md_age climbing with the ticks"},
		{"one_sided", func(d map[string]float64) bool { return d["two_sided_ticks"] == 0 && d["ticks_run"] > 0 }, "no two-sided ticks"},
		{"inventory", func(d map[string]float64) bool { return d["inventory_limit_use"] > 0 }, "inventory walking to its limit"},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			t.Parallel()
			if d := desk(t, "--fault", tc.fault); !tc.ok(d) {
				t.Errorf("got %v, want %s", d, tc.want)
			}
		})
	}
}
