package target

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func newProm(t testing.TB, opts PrometheusOptions) *Prometheus {
	t.Helper()
	p, err := NewPrometheus(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func sampleFleet(t testing.TB, p *Prometheus) []signalSampleView {
	t.Helper()
	ss, err := p.Sample(context.Background())
	if err != nil {
		t.Fatalf("sample: %v", err)
	}
	out := make([]signalSampleView, len(ss))
	for i, s := range ss {
		out[i] = signalSampleView{Instance: s.Instance, Up: s.Up, Fault: s.Fault, Ticks: s.Ticks, Stages: len(s.Stages), Flags: len(s.Flags)}
	}
	return out
}

type signalSampleView struct {
	Instance      string
	Up            bool
	Fault         string
	Ticks         float64
	Stages, Flags int
}

// recordedValue is the first series' value of a recorded answer.
func recordedValue(t testing.TB, r apiResponse) float64 {
	t.Helper()
	var s struct {
		Value []any `json:"value"`
	}
	if len(r.Data.Result) == 0 {
		t.Fatal("recorded answer is empty")
	}
	if err := json.Unmarshal(r.Data.Result[0], &s); err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseFloat(s.Value[1].(string), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPrometheusReplaysRecordedBot(t *testing.T) {
	t.Parallel()
	rec := recorded(t)
	srv := replayServer(t, fleet(t, rec, 1))
	p := newProm(t, PrometheusOptions{URL: srv.URL, Selector: `{job="mm"}`})
	ss, err := p.Sample(context.Background())
	if err != nil || len(ss) != 1 {
		t.Fatalf("got %d samples, %v; want 1", len(ss), err)
	}
	s := ss[0]
	if !s.Up || s.Instance != instanceName(0) {
		t.Fatalf("got %+v, want up %s", s, instanceName(0))
	}
	if want := recordedValue(t, rec["mm_ticks_total"]); s.Ticks != want {
		t.Errorf("ticks: got %g, want %g", s.Ticks, want)
	}
	if want := recordedValue(t, rec["mm_tick_duration_seconds_count"]); s.Stages[TickTotal].Count != want {
		t.Errorf("tick histogram count: got %g, want %g", s.Stages[TickTotal].Count, want)
	}
	if len(s.Stages) != 7 || len(s.Flags) == 0 {
		t.Errorf("got %d stage histograms and %d flags, want 7 and some", len(s.Stages), len(s.Flags))
	}
	for name, h := range s.Stages {
		if len(h.UpperBounds) == 0 || len(h.Counts) != len(h.UpperBounds) || h.Counts[len(h.Counts)-1] > h.Count {
			t.Errorf("stage %s: inconsistent histogram %+v", name, h)
		}
		for i := 1; i < len(h.UpperBounds); i++ {
			if h.UpperBounds[i] <= h.UpperBounds[i-1] || h.Counts[i] < h.Counts[i-1] {
				t.Fatalf("stage %s: buckets not cumulative in ascending order: %v %v", name, h.UpperBounds, h.Counts)
			}
		}
	}
}

func TestPrometheusFleetOneSamplePerInstance(t *testing.T) {
	t.Parallel()
	srv := replayServer(t, fleet(t, recorded(t), 5, 3))
	got := sampleFleet(t, newProm(t, PrometheusOptions{URL: srv.URL}))
	if len(got) != 5 {
		t.Fatalf("got %d samples, want 5: %+v", len(got), got)
	}
	for i, s := range got {
		if s.Instance != instanceName(i) {
			t.Errorf("sample %d: instance %q, want %q (sorted)", i, s.Instance, instanceName(i))
		}
		if i == 3 {
			if s.Up || !strings.HasPrefix(s.Fault, FaultScrapeDown) {
				t.Errorf("instance with up 0: got %+v, want down with %q", s, FaultScrapeDown)
			}
			continue
		}
		if !s.Up || s.Ticks <= 0 || s.Stages != 7 {
			t.Errorf("instance %s: got %+v, want up with ticks and 7 histograms", s.Instance, s)
		}
	}
}

func TestPrometheusServerFaults(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()
	serve := func(h http.HandlerFunc) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	for _, tc := range []struct {
		name, url, fault string
		timeout          time.Duration
	}{
		{"refused", refused, "connection refused", 0},
		{"slow", serve(func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm() // read the body, so the server notices the client leave
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}), "timeout", 100 * time.Millisecond},
		{"5xx", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
		}), "503", 0},
		{"garbage", serve(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) }), "query up", 0},
		{"query error", serve(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"status":"error","errorType":"bad_data","error":"parse error"}`))
		}), "bad_data", 0},
		{"not a vector", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}`))
		}), "want a vector", 0},
		{"no series", serve(replayHandler(nil)), "no series match", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := sampleFleet(t, newProm(t, PrometheusOptions{URL: tc.url, Timeout: tc.timeout, Selector: `{job="mm"}`}))
			if len(got) != 1 || got[0].Up || !strings.HasPrefix(got[0].Fault, FaultPrometheus+": ") || !strings.Contains(got[0].Fault, tc.fault) {
				t.Fatalf("got %+v, want one down sample with fault %q... containing %q", got, FaultPrometheus, tc.fault)
			}
			if !strings.HasPrefix(got[0].Instance, "prometheus 127.0.0.1:") {
				t.Fatalf("no bot known yet: instance %q, want the server", got[0].Instance)
			}
		})
	}
}

func TestPrometheusDownAfterUpKeepsInstances(t *testing.T) {
	t.Parallel()
	answers := fleet(t, recorded(t), 2)
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "gone", http.StatusBadGateway)
			return
		}
		replayHandler(answers)(w, r)
	}))
	t.Cleanup(srv.Close)
	p := newProm(t, PrometheusOptions{URL: srv.URL})
	if got := sampleFleet(t, p); len(got) != 2 || !got[0].Up || !got[1].Up {
		t.Fatalf("up: got %+v", got)
	}
	down.Store(true)
	got := sampleFleet(t, p)
	if len(got) != 2 || got[0].Instance != instanceName(0) || got[1].Instance != instanceName(1) || got[0].Up || got[1].Up {
		t.Fatalf("server down: got %+v, want both known bots down", got)
	}
}

func TestPrometheusClosedAndCancelled(t *testing.T) {
	t.Parallel()
	srv := replayServer(t, fleet(t, recorded(t), 1))
	p := newProm(t, PrometheusOptions{URL: srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Sample(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: got %v", err)
	}
	_ = p.Close()
	if _, err := p.Sample(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed: got %v", err)
	}
}

func TestPrometheusQueriesUseSelector(t *testing.T) {
	t.Parallel()
	p := newProm(t, PrometheusOptions{URL: "http://127.0.0.1:9090", Selector: `{job="mm", env!="dev"}`})
	qs := p.Queries()
	// one query per distinct selector of the profile (histograms: bucket,
	// count, sum), each with the target's matchers added: 17 for the
	// engine's named signals, 7 for the desk signals (tick_slots shares
	// the ticks selector).
	if len(qs) != 24 || qs[0] != `up{job="mm", env!="dev"}` || qs[1] != `mm_ticks_total{job="mm", env!="dev"}` {
		t.Fatalf("queries: %q", qs)
	}
	if !slices.Contains(qs, `mm_md_cache_requests_total{result="hit", job="mm", env!="dev"}`) {
		t.Errorf("queries: got %q, want the cache_hits signal's selector with the target's matchers", qs)
	}
}

func TestValidateSelector(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sel string
		ok  bool
	}{
		{"", true},
		{`{job="mm"}`, true},
		{`{job="mm",instance=~"bot-.*", env != "dev", x!~"a\"b"}`, true},
		{`{}`, true},
		{`job="mm"`, false},
		{`{job=mm}`, false},
		{`{job="mm"`, false},
		{`{9job="mm"}`, false},
		{`{job="mm" env="x"}`, false},
		{`{job}`, false},
		{`{job="mm}`, false},
	} {
		err := ValidateSelector(tc.sel)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateSelector(%q): got %v, want ok=%v", tc.sel, err, tc.ok)
		}
	}
	if p, err := NewPrometheus(PrometheusOptions{URL: "http://127.0.0.1:9090", Selector: `job="mm"`}); err != nil || p.Queries()[0] != `up{job="mm"}` {
		t.Errorf("selector without braces: got %v", err)
	}
	if _, err := NewPrometheus(PrometheusOptions{URL: "http://127.0.0.1:9090", Selector: "job=mm"}); err == nil {
		t.Error("bad selector: NewPrometheus got nil error")
	}
	if _, err := NewPrometheus(PrometheusOptions{URL: "127.0.0.1:9090"}); err == nil {
		t.Error("url without scheme: NewPrometheus got nil error")
	}
}

func TestPrometheusFaultHidesPassword(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://presoak:hunter2@" + ln.Addr().String()
	ln.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) }))
	t.Cleanup(bad.Close)
	for _, u := range []string{refused, strings.Replace(bad.URL, "http://", "http://presoak:hunter2@", 1)} {
		got := sampleFleet(t, newProm(t, PrometheusOptions{URL: u}))
		if len(got) != 1 || got[0].Up || strings.Contains(got[0].Fault+got[0].Instance, "hunter2") {
			t.Fatalf("got %+v, want one down sample without the password", got)
		}
	}
}
