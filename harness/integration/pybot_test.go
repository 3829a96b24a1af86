package integration

import (
	"strings"
	"testing"

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
