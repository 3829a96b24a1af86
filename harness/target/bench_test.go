package target

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
)

// bigPage is a /metrics page of about n series: the reference bot's page
// plus per-symbol latency histograms and counters, the shape of a busy bot.
func bigPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString(page)
	bounds := []string{"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "+Inf"}
	series := strings.Count(page, "\n") - strings.Count(page, "\n#")
	b.WriteString("# HELP mm_order_latency_seconds Order round trip by symbol and venue.\n# TYPE mm_order_latency_seconds histogram\n")
	for i := 0; series+len(bounds)+2 <= n*8/10; i++ {
		lbl := fmt.Sprintf(`symbol="SYM%04d",venue="v%d"`, i, i%7)
		for j, le := range bounds {
			fmt.Fprintf(&b, "mm_order_latency_seconds_bucket{%s,le=%q} %d\n", lbl, le, 1000*(j+1))
		}
		fmt.Fprintf(&b, "mm_order_latency_seconds_sum{%s} 12.5\nmm_order_latency_seconds_count{%s} 14000\n", lbl, lbl)
		series += len(bounds) + 2
	}
	b.WriteString("# HELP mm_orders_by_symbol_total Orders by symbol and action.\n# TYPE mm_orders_by_symbol_total counter\n")
	for i := 0; series < n; i++ {
		fmt.Fprintf(&b, "mm_orders_by_symbol_total{symbol=\"SYM%04d\",action=\"a%d\"} %d\n", i/4, i%4, 100000+i)
		series++
	}
	return b.Bytes()
}

func countSeries(p []byte) int {
	n := 0
	for _, l := range bytes.Split(p, []byte("\n")) {
		if len(l) > 0 && l[0] != '#' {
			n++
		}
	}
	return n
}

// BenchmarkParse10k is expfmt's parse of a 10,000-series page alone: the
// floor the scrape target's own work is compared with.
func BenchmarkParse10k(b *testing.B) {
	p := bigPage(10000)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	for b.Loop() {
		if _, err := parser.TextToMetricFamilies(bytes.NewReader(p)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseDerive10k is the same parse plus Derive: the derivation's
// share is the difference with BenchmarkParse10k.
func BenchmarkParseDerive10k(b *testing.B) {
	p := bigPage(10000)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	prof := profile.Default()
	for b.Loop() {
		fams, err := parser.TextToMetricFamilies(bytes.NewReader(p))
		if err != nil {
			b.Fatal(err)
		}
		var s signal.Sample
		if _, err := DeriveProfile(fams, prof, &s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDerive10k is Derive alone on the parsed 10,000-series page: the
// derivation's own cost, free of the parse's run-to-run noise.
func BenchmarkDerive10k(b *testing.B) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(bigPage(10000)))
	if err != nil {
		b.Fatal(err)
	}
	prof := profile.Default()
	b.ReportAllocs()
	for b.Loop() {
		var s signal.Sample
		if _, err := DeriveProfile(fams, prof, &s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScrape10k is the whole scrape target on loopback: HTTP fetch,
// parse and derive, one signal.Sample per op.
func BenchmarkScrape10k(b *testing.B) {
	p := bigPage(10000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(p) }))
	defer srv.Close()
	sc, err := NewScrape(ScrapeOptions{URL: srv.URL + "/metrics"})
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		ss, err := sc.Sample(ctx)
		if err != nil || !ss[0].Up {
			b.Fatalf("%v %+v", err, ss)
		}
	}
}

// BenchmarkPrometheusFleet100 is one Sample of a 100-bot fleet through the
// prometheus target against recorded API answers (15 queries, replayed on
// loopback): it must take well under the 15 s evaluation interval.
func BenchmarkPrometheusFleet100(b *testing.B) {
	srv := replayServer(b, fleet(b, recorded(b), 100))
	p, err := NewPrometheus(PrometheusOptions{URL: srv.URL, Selector: `{job="mm"}`})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		ss, err := p.Sample(ctx)
		if err != nil || len(ss) != 100 || !ss[99].Up {
			b.Fatalf("%v: %d samples", err, len(ss))
		}
	}
}

func TestBigPageHas10kSeries(t *testing.T) {
	t.Parallel()
	if n := countSeries(bigPage(10000)); n < 9990 || n > 10010 {
		t.Fatalf("got %d series, want 10,000", n)
	}
}

// TestScrapeHeapFlat scrapes a 3,000-series page 30 times and checks the
// live heap after the 30th is no bigger than after the 10th (plus 2 MiB of
// slack for runtime noise): nothing the target keeps grows with scrapes.
// (Not parallel: it reads the process's heap.)
func TestScrapeHeapFlat(t *testing.T) {
	p := bigPage(3000)
	url := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(p) })
	sc := newScrape(t, ScrapeOptions{URL: url})
	live := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var at10 uint64
	for i := 1; i <= 30; i++ {
		if s := sampleOne(t, sc); !s.Up {
			t.Fatalf("scrape %d: %s", i, s.Fault)
		}
		if i == 10 {
			at10 = live()
		}
	}
	at30 := live()
	t.Logf("live heap after 10 scrapes %d KiB, after 30 %d KiB", at10>>10, at30>>10)
	if at30 > at10+2<<20 {
		t.Fatalf("live heap grew from %d KiB to %d KiB between scrape 10 and 30", at10>>10, at30>>10)
	}
}
