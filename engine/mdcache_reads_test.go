package engine

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/marketdata"
)

func hitRatioPct(s Stats) float64 {
	if n := s.CacheHits + s.CacheMisses; n > 0 {
		return float64(s.CacheHits) / float64(n) * 100
	}
	return 0
}

// TestHitRatioIsVenueRoundTripsSaved: the MD-cache hit ratio
// (mm_md_cache_requests_total) is how often fetch_md is served without a
// venue round trip: hits / (hits + misses) = 1 - venue fetches / ticks,
// whatever the TTL, pipelined or not. The review measured the quote and
// risk re-reads counted as hits: 83.3 % hits with 50 % of the venue fetches
// saved at ttl = 100 ms, 66.9 % / 0.7 % at 60 ms, 66.7 % / 0 % at 1 ms, so
// that a misconfigured cache could never fall under the seed's 50 % stop.
func TestHitRatioIsVenueRoundTripsSaved(t *testing.T) {
	t.Parallel()
	for _, pipelined := range []bool{true, false} {
		for _, ttl := range []time.Duration{100 * time.Millisecond, 60 * time.Millisecond, time.Millisecond} {
			cfg := testConfig()
			cfg.Pipeline.Enabled = pipelined
			cfg.MDCache.TTL = ttl
			e := newSimEngine(t, cfg, Options{})
			e.RunFor(10 * time.Minute)
			s := e.Stats()
			saved := 100 - float64(s.VenueFetches)/float64(s.Ticks)*100
			hit := hitRatioPct(s)
			t.Logf("pipeline %v ttl %v: hit ratio %.1f%%, venue round trips saved %.1f%%", pipelined, ttl, hit, saved)
			if s.CacheHits+s.CacheMisses != s.Ticks {
				t.Errorf("pipeline %v ttl %v: %d cache requests over %d ticks, want one a tick (fetch_md)", pipelined, ttl, s.CacheHits+s.CacheMisses, s.Ticks)
			}
			if math.Abs(hit-saved) > 0.1 {
				t.Errorf("pipeline %v ttl %v: hit ratio %.1f%%, want the venue round trips saved, %.1f%%", pipelined, ttl, hit, saved)
			}
			if ttl == time.Millisecond && hit >= 50 {
				t.Errorf("pipeline %v ttl 1ms: hit ratio %.1f%%, want under the seed's 50%% stop", pipelined, hit)
			}
		}
	}
	cfg := testConfig()
	cfg.MDCache.Enabled = false
	e := newSimEngine(t, cfg, Options{})
	e.RunFor(time.Minute)
	if s := e.Stats(); s.CacheHits+s.CacheMisses != 0 || s.VenueFetches != s.Ticks {
		t.Errorf("cache off: %d hits %d misses, %d venue fetches over %d ticks; want no reads and a fetch every tick",
			s.CacheHits, s.CacheMisses, s.VenueFetches, s.Ticks)
	}
}

// TestCacheDegradationHitsEveryRead: the fault makes any read (fetch_md,
// quote, risk) miss with probability magnitude: the hit ratio falls to
// (1 - magnitude) of the healthy one.
func TestCacheDegradationHitsEveryRead(t *testing.T) {
	t.Parallel()
	healthy := 0.0
	for _, m := range []float64{0, 0.2, 0.4, 0.8} {
		var plan *fault.Plan
		if m > 0 {
			plan = &fault.Plan{Faults: []fault.Fault{{Kind: fault.CacheDegradation, Duration: time.Hour, Magnitude: m}}}
		}
		e := newSimEngine(t, testConfig(), Options{Faults: plan})
		e.RunFor(5 * time.Minute)
		r := hitRatioPct(e.Stats())
		if m == 0 {
			healthy = r
			continue
		}
		if want := (1 - m) * healthy; math.Abs(r-want) > 3 {
			t.Errorf("magnitude %.1f: hit ratio %.1f%%, want (1 - %.1f) x %.1f%% = %.1f%% (+-3)", m, r, m, healthy, want)
		}
	}
}

// TestStaleQuoteHeldBackByRiskReread: a passive quote priced on the tick's
// book that the touch re-read through the cache shows crossing is not sent
// (a stale_quote block), and never becomes a taker order.
func TestStaleQuoteHeldBackByRiskReread(t *testing.T) {
	t.Parallel()
	e := newSimEngine(t, queueConfig(), Options{Feed: newScriptFeed(100, 2, 100.2, 3)})
	priced := &marketdata.Book{Bids: []marketdata.Level{{Price: 100, Size: 2}}, Asks: []marketdata.Level{{Price: 100.2, Size: 3}}}
	fresh := &marketdata.Book{Bids: []marketdata.Level{{Price: 99.5, Size: 2}}, Asks: []marketdata.Level{{Price: 99.7, Size: 3}}}
	e.st.act[bid] = action{kind: actPlace, price: 100, size: 0.01}
	e.st.act[ask] = action{kind: actPlace, price: 100.2, size: 0.01}
	e.risk(priced, fresh)
	s := e.Stats()
	if e.st.act[bid].kind != actNone || s.StaleQuoteBlocks != 1 || s.TakerCapBlocks != 0 {
		t.Errorf("bid at 100 over a fresh ask of 99.7: action %d, stale blocks %d, taker-cap blocks %d; want it held back as stale (1, 0)",
			e.st.act[bid].kind, s.StaleQuoteBlocks, s.TakerCapBlocks)
	}
	if a := e.st.act[ask]; a.kind != actPlace || !a.postOnly {
		t.Errorf("ask at 100.2, above the fresh touch: action %d post-only %v, want placed post-only", a.kind, a.postOnly)
	}
	// The same books with no re-read (cache off: touch is the priced book).
	e.st.act[bid] = action{kind: actPlace, price: 100, size: 0.01}
	e.risk(priced, priced)
	if a := e.st.act[bid]; a.kind != actPlace || !a.postOnly {
		t.Errorf("no fresher touch: action %d post-only %v, want placed post-only", a.kind, a.postOnly)
	}
}

// loadLayers loads config layers relative to the module root.
func loadLayers(t *testing.T, layers ...string) *config.Loaded {
	t.Helper()
	root := moduleRoot(t)
	for i, l := range layers {
		layers[i] = filepath.Join(root, l)
	}
	l, err := config.Load(layers...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestDefaultConfigOnTheFixtures: on the committed recording (5 minutes)
// and on an hour of the synthetic feed, the default config layers quote
// into the market: maker fills, a taker share within the cap, and (cache
// on) the readiness hit-ratio target met; the base layer alone has no cache
// reads.
func TestDefaultConfigOnTheFixtures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		layers          []string
		cache           bool
		minHit, maxHit  float64
		minRecFills     uint64
		minSynthHrFills uint64
	}{
		{"default (base + soak overrides)", []string{"fixtures/config.yaml", "fixtures/config.soak_overrides.yaml"}, true, 70, 100, 50, 600},
		{"base only", []string{"fixtures/config.yaml"}, false, 0, 0, 50, 600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := loadLayers(t, tc.layers...)
			capPct := l.Config.TakerCap.MaxTakerSharePct
			opts, err := Setup(l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			rec := newSimEngine(t, &l.Config, opts)
			rec.RunFor(time.Hour) // the recording ends the run after 5 minutes
			syn := newSimEngine(t, &l.Config, Options{Feed: marketdata.NewSynthetic(marketdata.SyntheticOptions{Seed: l.Config.Venue.Seed})})
			syn.RunFor(time.Hour)
			for _, run := range []struct {
				name      string
				s         Stats
				minFills  uint64
				minRatio  float64
				wantTicks uint64
			}{
				{"recording", rec.Stats(), tc.minRecFills, tc.minHit, 2900},
				{"synthetic hour", syn.Stats(), tc.minSynthHrFills, tc.minHit, 35000},
			} {
				s := run.s
				where := fmt.Sprintf("%s, %s, %d ticks", tc.name, run.name, s.Ticks)
				t.Logf("%s: hit ratio %.1f%%, maker fills %d (%.3f), taker fills %d (%.3f), taker share %.2f%%, post-only rejects %d, stale-quote blocks %d",
					where, hitRatioPct(s), s.MakerFills, s.MakerVolume, s.TakerFills, s.TakerVolume, s.TakerSharePct(), s.PostOnlyRejects, s.StaleQuoteBlocks)
				if s.Ticks < run.wantTicks {
					t.Errorf("%s: want >= %d ticks", where, run.wantTicks)
				}
				if s.MakerFills < run.minFills {
					t.Errorf("%s: %d maker fills, want >= %d", where, s.MakerFills, run.minFills)
				}
				if sh := s.TakerSharePct(); sh > capPct {
					t.Errorf("%s: taker share %.2f%%, want <= the cap %v%%", where, sh, capPct)
				}
				if r := hitRatioPct(s); tc.cache && (r < tc.minHit || r > tc.maxHit) {
					t.Errorf("%s: hit ratio %.1f%%, want %v-%v%%", where, r, tc.minHit, tc.maxHit)
				}
				if !tc.cache && s.CacheHits+s.CacheMisses != 0 {
					t.Errorf("%s: %d cache reads with the cache off, want 0", where, s.CacheHits+s.CacheMisses)
				}
			}
		})
	}
}
