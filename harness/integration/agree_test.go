package integration

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"
)

func sampleAll(t testing.TB, tg target.Target) []signal.Sample {
	t.Helper()
	ss, err := tg.Sample(context.Background())
	if err != nil {
		t.Fatalf("sample: %v", err)
	}
	return ss
}

func newScrape(t testing.TB, addr string) *target.Scrape {
	t.Helper()
	s, err := target.NewScrape(target.ScrapeOptions{URL: "http://" + addr + "/metrics"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newProm(t testing.TB, promURL string) *target.Prometheus {
	t.Helper()
	p, err := target.NewPrometheus(target.PrometheusOptions{URL: promURL, Selector: `{job="mm"}`})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// counters lists a sample's cumulative values by name.
func counters(s signal.Sample) map[string]float64 {
	m := map[string]float64{
		"ticks": s.Ticks, "deadline_misses": s.DeadlineMisses, "tick_errors": s.TickErrors,
		"cache_hits": s.CacheHits, "cache_misses": s.CacheMisses,
		"maker_volume": s.MakerVolume, "taker_volume": s.TakerVolume,
	}
	for st, h := range s.Stages {
		m[st+"_count"] = h.Count
		for i, ub := range h.UpperBounds {
			m[fmt.Sprintf("%s_le_%g", st, ub)] = h.Counts[i]
		}
	}
	return m
}

// TestScrapeAndPrometheusAgree reads the reference bot through both targets.
// Prometheus's value of a counter comes from its own scrape, some time
// within its 1 s interval before the query; so it must lie between a direct
// scrape taken before that Prometheus scrape and one taken after the query:
// S1 <= P <= S2, exactly, for every counter and histogram bucket. The
// derived ratios may then differ by at most the share of the work done
// between S1 and S2: 100 * (S2-S1)/S1 of their denominator, in points —
// that is the stated tolerance, derived rather than guessed.
func TestScrapeAndPrometheusAgree(t *testing.T) {
	t.Parallel()
	bot := startMMBot(t)
	promURL, _ := startPrometheus(t, bot.addr)
	waitScraped(t, promURL, 1, 3, 30*time.Second)
	sc, pr := newScrape(t, bot.addr), newProm(t, promURL)

	s1 := sampleAll(t, sc)[0]
	time.Sleep(1500 * time.Millisecond) // Prometheus scrapes at least once after s1
	ps := sampleAll(t, pr)
	s2 := sampleAll(t, sc)[0]
	if len(ps) != 1 || !ps[0].Up || !s1.Up || !s2.Up {
		t.Fatalf("want one up sample from each: prometheus %+v, scrape %v %v", ps, s1.Fault, s2.Fault)
	}
	p := ps[0]
	if p.Instance != bot.addr || s1.Instance != bot.addr {
		t.Fatalf("instances: prometheus %q, scrape %q, want %q", p.Instance, s1.Instance, bot.addr)
	}
	c1, cp, c2 := counters(s1), counters(p), counters(s2)
	if len(cp) != len(c1) || len(c1) < 20 {
		t.Fatalf("prometheus has %d values, scrape %d: %v", len(cp), len(c1), cp)
	}
	for k, v := range cp {
		if v < c1[k] || v > c2[k] {
			t.Errorf("%s: prometheus %g not within the scrapes before and after [%g, %g]", k, v, c1[k], c2[k])
		}
	}
	if len(p.Flags) == 0 || fmt.Sprint(p.Flags) != fmt.Sprint(s1.Flags) {
		t.Errorf("flags: prometheus %v, scrape %v", p.Flags, s1.Flags)
	}
	if p.CriticalBreakersOpen != s1.CriticalBreakersOpen {
		t.Errorf("critical breakers open: prometheus %d, scrape %d", p.CriticalBreakersOpen, s1.CriticalBreakersOpen)
	}
	for _, r := range []struct {
		name     string
		num, den func(signal.Sample) float64
	}{
		{"deadline_miss_pct", func(s signal.Sample) float64 { return s.DeadlineMisses }, func(s signal.Sample) float64 { return s.Ticks }},
		{"md_cache_hit_pct", func(s signal.Sample) float64 { return s.CacheHits }, func(s signal.Sample) float64 { return s.CacheHits + s.CacheMisses }},
		{"error_pct", func(s signal.Sample) float64 { return s.TickErrors }, func(s signal.Sample) float64 { return s.Ticks }},
	} {
		if r.den(s1) <= 0 {
			t.Errorf("%s: no %s denominator in the first scrape", r.name, r.name)
			continue
		}
		a, b := 100*r.num(s1)/r.den(s1), 100*r.num(p)/r.den(p)
		tol := 100 * (r.den(s2) - r.den(s1)) / r.den(s1)
		t.Logf("%s over the bot's life: scrape %.3f, prometheus %.3f, tolerance %.3f points", r.name, a, b, tol)
		if math.Abs(a-b) > tol+1e-9 {
			t.Errorf("%s: scrape %.3f, prometheus %.3f differ by more than %.3f points", r.name, a, b, tol)
		}
	}
	if os.Getenv("PRESOAK_RECORD") != "" {
		record(t, promURL, pr)
	}
}

// record saves the real server's answers to the prometheus target's queries
// as the replay fixtures of harness/target (PRESOAK_RECORD=1).
func record(t *testing.T, promURL string, pr *target.Prometheus) {
	dir := filepath.Join(moduleRoot(t), "readiness", "target", "testdata", "prometheus")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	at := fmt.Sprintf("%.3f", float64(time.Now().UnixMilli())/1000)
	for _, q := range pr.Queries() {
		body := getBody(t, promURL+"/api/v1/query?query="+url.QueryEscape(q)+"&time="+at)
		name := q[:strings.IndexByte(q, '{')]
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("recorded %d responses in %s", len(pr.Queries()), dir)
}
