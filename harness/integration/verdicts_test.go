package integration

import (
	"context"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
)

// ratioTolerance is how far, in percentage points, a ratio signal of the
// reference bot read through scrape or prometheus may be from the embedded
// engine's. They are separate engines on the real clock with the same config
// and seed, started together (the same market at the same ticks), so their
// 5-10 s windows differ by the ticks the soaks' first reads fall between
// and by scheduling jitter (~10 ticks a second): 5 points is five ticks in
// a hundred. Through scrape vs prometheus on the same bot the
// difference is bounded exactly instead (TestScrapeAndPrometheusAgree).
const ratioTolerance = 5.0

// quickSpec keeps the criteria of fixtures/criteria.short.yaml that can have
// data within a 10 s soak (windows <= 10 s, signals that need no baseline or
// long memory series), so that a healthy bot passes rather than being
// inconclusive.
func quickSpec(t testing.TB) *criteria.Spec {
	t.Helper()
	spec, err := criteria.Load(filepath.Join(moduleRoot(t), "fixtures", "criteria.short.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var keep []criteria.Criterion
	for _, c := range spec.Criteria {
		switch c.Signal {
		case signal.DeadlineMissPct, signal.MDCacheHitPct, signal.ErrorPct, signal.CriticalBreakersOpen, signal.TargetDown:
			if c.Window <= 10*time.Second {
				keep = append(keep, c)
			}
		}
	}
	if len(keep) < 4 {
		t.Fatalf("criteria.short.yaml: only %d quick criteria", len(keep))
	}
	spec.Criteria = keep
	return spec
}

// TestVerdictsAgreeAcrossTargets runs the same 10 s soak on the embedded
// engine, on the reference bot through scrape, and through a real
// Prometheus: every verdict is pass, and every criterion's final value
// agrees with the embedded run within ratioTolerance (deadline misses, a
// measure of load on the real clock, with the other read of the same bot).
func TestVerdictsAgreeAcrossTargets(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	loaded, err := config.Load(filepath.Join(root, "fixtures", "config.yaml"), filepath.Join(root, "fixtures", "config.soak_overrides.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The embedded engine starts as soon as the bot listens (its engine
	// loop starts there too), not after Prometheus is up: both replay the
	// recording from its start on the real clock, so started together
	// their soak windows cover the same stretch of market. A few seconds
	// apart they did not, and a 10 s window of this recording ranges from
	// 88 % to 100 % cache hits with the same engine.
	bot := startMMBot(t)
	emb, err := target.NewEmbedded(target.EmbeddedOptions{Config: loaded})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emb.Close() })
	promURL, _ := startPrometheus(t, bot.addr)
	waitScraped(t, promURL, 1, 2, 30*time.Second)

	spec := quickSpec(t)
	runs := []*soakRun{{name: "embedded", tg: emb}, {name: "scrape", tg: newScrape(t, bot.addr)}, {name: "prometheus", tg: newProm(t, promURL)}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range runs {
		r.dir = filepath.Join(t.TempDir(), r.name)
		wg.Go(func() {
			r.rep, r.err = soak.Run(ctx, soak.Config{Spec: spec, Target: r.tg, Duration: 10 * time.Second, Dir: r.dir})
		})
	}
	wg.Wait()
	for _, r := range runs {
		if r.err != nil || r.rep == nil {
			t.Fatalf("%s: %v", r.name, r.err)
		}
		t.Logf("%s: %s: %s", r.name, r.rep.Verdict, r.rep.Reason)
		if r.rep.Verdict != soak.Pass {
			t.Errorf("%s: got %s, want pass: %s", r.name, r.rep.Verdict, r.rep.Reason)
		}
	}
	// Deadline misses measure the machine's load on the real clock (the
	// embedded engine shares the race-instrumented test process): they are
	// compared between the two reads of the same bot process, everything
	// else with the embedded run.
	byEmb, byScrape := runs[0].rep.Criteria, runs[1].rep.Criteria
	for _, r := range runs[1:] {
		for i, c := range r.rep.Criteria {
			ref, refName := byEmb[i], "embedded"
			if c.Signal == signal.DeadlineMissPct {
				ref, refName = byScrape[i], "scrape"
			}
			if !c.Value.OK || !ref.Value.OK {
				t.Errorf("%s: %s: no data (%s ok=%v, %s ok=%v)", r.name, c.Name, refName, ref.Value.OK, r.name, c.Value.OK)
				continue
			}
			t.Logf("%s: %s = %.3f, %s %.3f", r.name, c.Name, c.Value.V, refName, ref.Value.V)
			if d := math.Abs(c.Value.V - ref.Value.V); d > ratioTolerance {
				t.Errorf("%s: %s = %.3f, %s %.3f: differ by %.3f > %.1f", r.name, c.Name, c.Value.V, refName, ref.Value.V, d, ratioTolerance)
			}
		}
	}
}
