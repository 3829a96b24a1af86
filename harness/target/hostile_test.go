package target

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/signal"
)

// servePage serves body as the bot's /metrics page.
func servePage(t testing.TB, body string) string {
	t.Helper()
	return newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) })
}

// Issue 17, item 1: NaN and +Inf are valid Prometheus text. Before: the
// sample held NaN and the soak's JSON encoder failed on it ("json:
// unsupported value: NaN"), ending the soak. After: the sample records them,
// survives the samples.jsonl round trip and names the series.
func TestScrapeRecordsNaNAndInf(t *testing.T) {
	t.Parallel()
	body := strings.Replace(page, "mm_tick_deadline_misses_total 12", "mm_tick_deadline_misses_total NaN", 1)
	body = strings.Replace(body, "mm_tick_duration_seconds_sum 4.2", "mm_tick_duration_seconds_sum +Inf", 1)
	body = strings.Replace(body, "process_resident_memory_bytes 5.24288e+07", "process_resident_memory_bytes -Inf", 1)
	s := sampleOne(t, newScrape(t, ScrapeOptions{URL: servePage(t, body)}))
	if !s.Up || !math.IsNaN(s.DeadlineMisses) || !math.IsInf(s.Stages[TickTotal].Sum, 1) || !math.IsInf(s.ResidentBytes, -1) {
		t.Fatalf("got up %v misses %v sum %v resident %v (fault %q), want up with NaN, +Inf, -Inf recorded",
			s.Up, s.DeadlineMisses, s.Stages[TickTotal].Sum, s.ResidentBytes, s.Fault)
	}
	faults := strings.Join(s.SeriesFaults, "\n")
	for _, want := range []string{"mm_tick_deadline_misses_total: value is NaN", "mm_tick_duration_seconds: _sum is +Inf", "process_resident_memory_bytes: value is -Inf"} {
		if !strings.Contains(faults, want) {
			t.Errorf("series faults %q: want %q", faults, want)
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("marshal a sample with NaN: %v", err)
	}
	var back signal.Sample
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	if !math.IsNaN(back.DeadlineMisses) || !math.IsInf(back.Stages[TickTotal].Sum, 1) || !math.IsInf(back.ResidentBytes, -1) || back.Ticks != 1000 {
		t.Fatalf("round trip: got %+v, want NaN, +Inf, -Inf and 1000 ticks back", back)
	}
}

// Issue 17, item 2. Before: an 8 MB label value was copied whole into the
// fault (a 20 s soak wrote 159 MB). After: every fault is at most
// MaxFaultBytes plus the stated length.
func TestScrapeFaultTextIsBounded(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", 2<<20)
	for name, body := range map[string]string{
		"unterminated label": "mm_ticks_total{a=\"" + huge + "\n",
		"bad value":          "mm_ticks_total " + huge + "\n",
		"bad metric name":    huge + "{ 1\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := sampleOne(t, newScrape(t, ScrapeOptions{URL: servePage(t, body)}))
			if s.Up || len(s.Fault) > MaxFaultBytes+100 || !strings.HasPrefix(s.Fault, FaultGarbage) {
				t.Fatalf("got up %v, fault of %d bytes, want a garbage fault of at most %d bytes", s.Up, len(s.Fault), MaxFaultBytes+100)
			}
			if !strings.Contains(s.Fault, "bytes, cut to") {
				t.Errorf("fault %q: want the cut length stated", s.Fault)
			}
		})
	}
	if got := BoundText("short"); got != "short" {
		t.Errorf("BoundText(short) = %q, want it unchanged", got)
	}
	long := strings.Repeat("é", 400) // 800 bytes, 2-byte runes
	got := BoundText(long)
	if !strings.HasSuffix(got, "(800 bytes, cut to 300)") || !strings.HasPrefix(got, strings.Repeat("é", 150)+"...") {
		t.Errorf("BoundText(800 bytes) = %q, want 150 runes and the length", got)
	}
	var sf seriesFaults
	for i := range 40 {
		sf.add("fault %d %s", i, huge)
	}
	if r := sf.result(); len(r) != MaxSeriesFaults+1 || !strings.Contains(r[MaxSeriesFaults], "24 more") {
		t.Errorf("series faults: got %d entries, want %d and a count of the rest", len(r), MaxSeriesFaults+1)
	}
}

// Must decide: malformed histograms. Before: accepted, a percentile was
// reported. After: the histogram is rejected as a fault of that series (no
// percentile from it), the rest of the page is used.
func TestScrapeRejectsMalformedHistograms(t *testing.T) {
	t.Parallel()
	good := `mm_stage_duration_seconds_bucket{stage="quote",le="0.001"} 800
mm_stage_duration_seconds_bucket{stage="quote",le="0.01"} 1000
mm_stage_duration_seconds_bucket{stage="quote",le="+Inf"} 1000
mm_stage_duration_seconds_sum{stage="quote"} 0.9
mm_stage_duration_seconds_count{stage="quote"} 1000
`
	for _, tc := range []struct{ name, old, new, want string }{
		{"non-monotonic", `le="0.01"} 1000`, `le="0.01"} 700`, "buckets must be cumulative"},
		{"no +Inf", `mm_stage_duration_seconds_bucket{stage="quote",le="+Inf"} 1000` + "\n", "", `no le="+Inf" bucket`},
		{"count below buckets", `_count{stage="quote"} 1000`, `_count{stage="quote"} 10`, "want the count 10"},
		{"NaN bucket", `le="0.001"} 800`, `le="0.001"} NaN`, "has count NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := strings.Replace(page, good, strings.Replace(good, tc.old, tc.new, 1), 1)
			if body == page {
				t.Fatal("test page unchanged")
			}
			s := sampleOne(t, newScrape(t, ScrapeOptions{URL: servePage(t, body)}))
			if !s.Up {
				t.Fatalf("got down (%q), want the page read and only the series rejected", s.Fault)
			}
			if _, ok := s.Stages["quote"]; ok {
				t.Errorf("stage quote kept: got %+v, want the malformed histogram dropped", s.Stages["quote"])
			}
			if _, ok := s.Stages[TickTotal]; !ok {
				t.Error("the well-formed tick histogram was dropped too")
			}
			if f := strings.Join(s.SeriesFaults, "\n"); !strings.Contains(f, `mm_stage_duration_seconds{stage="quote"}: malformed histogram`) || !strings.Contains(f, tc.want) {
				t.Errorf("series faults %q: want the quote histogram named with %q", f, tc.want)
			}
		})
	}
	s := sampleOne(t, newScrape(t, ScrapeOptions{URL: servePage(t, page)}))
	if len(s.SeriesFaults) != 0 || len(s.Stages) != 2 {
		t.Errorf("well-formed page: got series faults %q and %d stages, want none and 2", s.SeriesFaults, len(s.Stages))
	}
}

// Must decide: duplicate series. Before: summed silently (2000 ticks from a
// page saying 1000 twice). After: the first kept, the duplicate reported.
func TestScrapeReportsDuplicateSeries(t *testing.T) {
	t.Parallel()
	body := page + "mm_ticks_total 1000\nmm_fill_volume_total{liquidity=\"taker\"} 0.5\n"
	s := sampleOne(t, newScrape(t, ScrapeOptions{URL: servePage(t, body)}))
	if !s.Up || s.Ticks != 1000 || s.TakerVolume != 0.5 {
		t.Fatalf("got up %v ticks %v taker %v, want 1000 and 0.5 (first kept, not summed)", s.Up, s.Ticks, s.TakerVolume)
	}
	f := strings.Join(s.SeriesFaults, "\n")
	for _, want := range []string{"mm_ticks_total: duplicate series (2 times)", `mm_fill_volume_total{liquidity="taker"}: duplicate series (2 times)`} {
		if !strings.Contains(f, want) {
			t.Errorf("series faults %q: want %q", f, want)
		}
	}
}

// Must decide: a redirect to another host. Before: followed, the sample
// naming the original instance. After: refused as a fault; a redirect on
// the same host:port is still followed.
func TestScrapeRefusesCrossHostRedirect(t *testing.T) {
	t.Parallel()
	other := servePage(t, page)
	away := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other, http.StatusFound) })
	s := sampleOne(t, newScrape(t, ScrapeOptions{URL: away}))
	if s.Up || !strings.HasPrefix(s.Fault, FaultRedirect) || !strings.Contains(s.Fault, "another host") {
		t.Fatalf("cross-host: got up %v fault %q, want a %q fault", s.Up, s.Fault, FaultRedirect)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/metrics", http.StatusMovedPermanently)
			return
		}
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	if s := sampleOne(t, newScrape(t, ScrapeOptions{URL: srv.URL + "/old"})); !s.Up {
		t.Fatalf("same host: got fault %q, want the redirect followed", s.Fault)
	}
}

// Must decide: a page of a million series parsed for ~8 s, past the scrape
// timeout, holding up the soak loop. After: a page longer than MaxLines is
// an oversized fault without being parsed.
func TestScrapeCapsLinesParsed(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(page)
	for i := range 2000 {
		fmt.Fprintf(&b, "junk_series{i=\"%d\"} 1\n", i)
	}
	s := sampleOne(t, newScrape(t, ScrapeOptions{URL: servePage(t, b.String()), MaxLines: 1000}))
	if s.Up || !strings.HasPrefix(s.Fault, FaultOversized) || !strings.Contains(s.Fault, "cap 1000") {
		t.Fatalf("got up %v fault %q, want an oversized fault naming the line cap", s.Up, s.Fault)
	}
	if s := sampleOne(t, newScrape(t, ScrapeOptions{URL: servePage(t, b.String())})); !s.Up {
		t.Fatalf("default cap %d: got fault %q, want a 2k-line page read", DefaultMaxLines, s.Fault)
	}
}

// Issue 17, item 3. Before: a Prometheus answer was read whole (1.5 GB took
// target-check to 5.8 GB). After: capped like a scrape page (16 MiB by
// default), a fault naming the cap.
func TestPrometheusCapsAnswers(t *testing.T) {
	t.Parallel()
	body := []byte(`{"status":"success","data":{"resultType":"vector","result":[]},"pad":"` + strings.Repeat("x", DefaultMaxBodyBytes+1024) + `"}`)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if chunked {
					w.(http.Flusher).Flush()
				} else {
					w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				}
				_, _ = w.Write(body)
			}))
			t.Cleanup(srv.Close)
			// A generous timeout: 16 MiB through the race detector on a loaded
			// machine is slow, and the cap, not the clock, must end the read.
			got := sampleFleet(t, newProm(t, PrometheusOptions{URL: srv.URL, Timeout: 2 * time.Minute}))
			if len(got) != 1 || got[0].Up || !strings.Contains(got[0].Fault, FaultOversized) || !strings.Contains(got[0].Fault, fmt.Sprint(DefaultMaxBodyBytes)) {
				t.Fatalf("got %+v, want one down sample with an %q fault naming the cap", got, FaultOversized)
			}
		})
	}
	small := newProm(t, PrometheusOptions{URL: "http://127.0.0.1:1", MaxBodyBytes: 10})
	if small.opts.MaxBodyBytes != 10 {
		t.Errorf("MaxBodyBytes: got %d, want 10", small.opts.MaxBodyBytes)
	}
}

// Item 1 through a Prometheus server: NaN answers are recorded, not a crash.
func TestPrometheusRecordsNaN(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		q := r.Form.Get("query")
		v := "1"
		switch {
		case strings.HasPrefix(q, "mm_tick_deadline_misses_total"):
			v = "NaN"
		case strings.HasPrefix(q, "mm_ticks_total"):
			v = "100"
		case strings.Contains(q, "_bucket") || strings.Contains(q, "_count") || strings.Contains(q, "_sum"):
			_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
			return
		}
		_, _ = fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"bot:1"},"value":[1,%q]}]}}`, v)
	}))
	t.Cleanup(srv.Close)
	ss, err := newProm(t, PrometheusOptions{URL: srv.URL}).Sample(context.Background())
	if err != nil || len(ss) != 1 {
		t.Fatalf("got %v, %v; want one sample", ss, err)
	}
	s := ss[0]
	if !s.Up || !math.IsNaN(s.DeadlineMisses) || !strings.Contains(strings.Join(s.SeriesFaults, "\n"), "value is NaN") {
		t.Fatalf("got up %v misses %v faults %q (fault %q), want NaN recorded and named", s.Up, s.DeadlineMisses, s.SeriesFaults, s.Fault)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Fatalf("marshal: %v", err)
	}
}

// Issue 17, item 2: a huge label value on a series the signals read (a
// flag or stage name becomes a key of every sample) is a series fault, not
// 8 MB copied into each sample.
func TestScrapeIgnoresSeriesWithHugeLabels(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("f", 1<<20)
	body := page + "mm_feature_flag_enabled{flag=\"" + huge + "\"} 1\n"
	s := sampleOne(t, newScrape(t, ScrapeOptions{URL: servePage(t, body)}))
	b, _ := json.Marshal(s)
	if !s.Up || len(b) > 8<<10 {
		t.Fatalf("got up %v, a sample of %d bytes; want up and small", s.Up, len(b))
	}
	if f := strings.Join(s.SeriesFaults, "\n"); !strings.Contains(f, "label flag has a value of 1048576 bytes") {
		t.Errorf("series faults %q: want the long label named with its length", f)
	}
	if len(s.Flags) != 2 {
		t.Errorf("flags: got %d, want the 2 well-formed ones", len(s.Flags))
	}
}
