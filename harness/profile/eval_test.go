package profile

import (
	"errors"
	"math"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func parsePage(t testing.TB, page string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

func mustSignal(t testing.TB, expr, kind, unit string) *Signal {
	t.Helper()
	s := &Signal{Name: "s"}
	if err := s.compile(expr, kind, unit); err != nil {
		t.Fatal(err)
	}
	return s
}

// A page with two symbols: BTCUSDT fast (all <= 40 ms), ETHUSDT slow
// (all in (0.1, 0.2] s), in milliseconds and in seconds.
const twoSymbols = `# TYPE lat_seconds histogram
lat_seconds_bucket{symbol="BTCUSDT",le="0.05"} 100
lat_seconds_bucket{symbol="BTCUSDT",le="0.1"} 100
lat_seconds_bucket{symbol="BTCUSDT",le="0.2"} 100
lat_seconds_bucket{symbol="BTCUSDT",le="+Inf"} 100
lat_seconds_sum{symbol="BTCUSDT"} 4
lat_seconds_count{symbol="BTCUSDT"} 100
lat_seconds_bucket{symbol="ETHUSDT",le="0.05"} 0
lat_seconds_bucket{symbol="ETHUSDT",le="0.1"} 0
lat_seconds_bucket{symbol="ETHUSDT",le="0.2"} 100
lat_seconds_bucket{symbol="ETHUSDT",le="+Inf"} 100
lat_seconds_sum{symbol="ETHUSDT"} 16
lat_seconds_count{symbol="ETHUSDT"} 100
# TYPE lat_ms histogram
lat_ms_bucket{symbol="BTCUSDT",le="50"} 100
lat_ms_bucket{symbol="BTCUSDT",le="1000"} 100
lat_ms_bucket{symbol="BTCUSDT",le="+Inf"} 100
lat_ms_sum{symbol="BTCUSDT"} 4000
lat_ms_count{symbol="BTCUSDT"} 100
`

func TestEvalHistogramEverySeries(t *testing.T) {
	fams := parsePage(t, twoSymbols)
	r, err := mustSignal(t, "lat_seconds", KindHistogram, UnitSeconds).Eval(fams)
	if err != nil {
		t.Fatal(err)
	}
	g := r.Total()
	if g.Series != 2 || g.Hist.Count != 200 {
		t.Fatalf("got %d series, count %g; want 2 series, 200 observations", g.Series, g.Hist.Count)
	}
	if q, _ := g.Hist.Quantile(0.95); q < 0.15 {
		t.Errorf("p95 over both symbols: got %.3fs, want the slow symbol's (> 0.15s)", q)
	}
	if g.Slowest != `{symbol="ETHUSDT"}` {
		t.Errorf("slowest: got %q, want {symbol=\"ETHUSDT\"}", g.Slowest)
	}
	// One symbol selected: only its series.
	r, err = mustSignal(t, `lat_seconds{symbol="BTCUSDT"}`, KindHistogram, UnitSeconds).Eval(fams)
	if err != nil || r.Total().Series != 1 || r.Total().Slowest != "" {
		t.Errorf("one symbol: got %+v, %v", r.Total(), err)
	}
}

func TestEvalMilliseconds(t *testing.T) {
	fams := parsePage(t, twoSymbols)
	r, err := mustSignal(t, "lat_ms", KindHistogram, UnitMilliseconds).Eval(fams)
	if err != nil {
		t.Fatal(err)
	}
	h := r.Total().Hist
	if h.UpperBounds[0] != 0.05 || math.Abs(h.Sum-4) > 1e-9 || len(r.Warnings) != 0 {
		t.Errorf("ms histogram in seconds: got bounds %v sum %g warnings %v, want 0.05.. sum 4", h.UpperBounds, h.Sum, r.Warnings)
	}
	r, err = mustSignal(t, "lat_ms", KindHistogram, UnitSeconds).Eval(fams)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "buckets end at 1000") {
		t.Errorf("a seconds histogram ending at 1000: got warnings %v, want one naming the bound", r.Warnings)
	}
}

func TestEvalCountersAndGauges(t *testing.T) {
	fams := parsePage(t, `# TYPE hits_total counter
hits_total{symbol="A"} 90
hits_total{symbol="B"} 10
# TYPE misses_total counter
misses_total{symbol="A"} 5
# TYPE kill_switch gauge
kill_switch 1
# TYPE flag gauge
flag{name="x"} 1
flag{name="y"} 0
`)
	check := func(expr, kind string, want float64, wantNonzero int) {
		t.Helper()
		r, err := mustSignal(t, expr, kind, "").Eval(fams)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if g := r.Total(); g.Value != want || g.Nonzero != wantNonzero {
			t.Errorf("%s: got %g (%d nonzero), want %g (%d)", expr, g.Value, g.Nonzero, want, wantNonzero)
		}
	}
	check("hits_total", KindCounter, 100, 2)
	check("max(hits_total)", KindCounter, 90, 2)
	check("count(hits_total)", KindCounter, 2, 2)
	check("misses_total", KindCounter, 5, 1)
	check("kill_switch", KindGauge, 1, 1)
	r, err := mustSignal(t, "max by (name) (flag)", KindGauge, "").Eval(fams)
	if err != nil || len(r.Groups) != 2 || r.Groups[0].Key != "x" || r.Groups[0].Value != 1 || r.Groups[1].Value != 0 {
		t.Errorf("flags by name: got %+v, %v", r.Groups, err)
	}
}

func TestEvalNoMatchIsAnErrorNamingTheClosest(t *testing.T) {
	fams := parsePage(t, "# TYPE hb_ticks_total counter\nhb_ticks_total 5\n# TYPE hb_orders_total counter\nhb_orders_total 1\n")
	_, err := mustSignal(t, "mm_ticks_total", KindCounter, "").Eval(fams)
	if !errors.Is(err, ErrNoMatch) || !strings.Contains(err.Error(), "mm_ticks_total") || !strings.Contains(err.Error(), "closest metrics the bot exports: hb_ticks_total, hb_orders_total") {
		t.Errorf("got %v, want ErrNoMatch naming mm_ticks_total and hb_ticks_total first", err)
	}
	_, err = mustSignal(t, `hb_ticks_total{bot="x"}`, KindCounter, "").Eval(fams)
	if !errors.Is(err, ErrNoMatch) || !strings.Contains(err.Error(), `none with bot="x"`) {
		t.Errorf("got %v, want ErrNoMatch naming the matcher", err)
	}
	_, err = mustSignal(t, `hb_ticks_total`, KindHistogram, UnitSeconds).Eval(fams)
	if err == nil || !strings.Contains(err.Error(), "want a histogram") {
		t.Errorf("got %v, want a type error", err)
	}
}
