package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const checkPage = `# TYPE mm_ticks_total counter
mm_ticks_total 100
# TYPE mm_md_cache_requests_total counter
mm_md_cache_requests_total{result="hit"} 75
mm_md_cache_requests_total{result="miss"} 25
# TYPE mm_feature_flag_enabled gauge
mm_feature_flag_enabled{flag="pipeline.enabled"} 1
# TYPE mm_tick_duration_seconds histogram
mm_tick_duration_seconds_bucket{le="0.001"} 50
mm_tick_duration_seconds_bucket{le="0.01"} 100
mm_tick_duration_seconds_bucket{le="+Inf"} 100
mm_tick_duration_seconds_sum 0.3
mm_tick_duration_seconds_count 100
`

func TestScrapeCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(checkPage)) }))
	defer srv.Close()
	var out, errOut bytes.Buffer
	if rc := runTargetCheck([]string{"-every", "10ms"}, srv.URL+"/metrics", &out, &errOut); rc != 0 {
		t.Fatalf("rc %d, want 0; stderr: %s", rc, errOut.String())
	}
	for _, want := range []string{"up", "md cache hits 75.00%", "tick_total  p50 1ms (bucket 0µs..1ms", "pipeline.enabled=true", "1 instance(s), 0 down"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", 503) }))
	defer down.Close()
	out.Reset()
	if rc := runTargetCheck([]string{"-every", "10ms"}, down.URL+"/metrics", &out, &errOut); rc != 1 {
		t.Fatalf("down bot: rc %d, want 1:\n%s", rc, out.String())
	}
	if !strings.Contains(out.String(), "DOWN  http status 503") {
		t.Errorf("down bot: output lacks the fault:\n%s", out.String())
	}
}

func TestTargetCheckConfigErrors(t *testing.T) {
	t.Setenv("TARGET", "embedded")
	var out, errOut bytes.Buffer
	if rc := runTargetCheck(nil, "", &out, &errOut); rc != 2 || !strings.Contains(errOut.String(), "nothing to read") {
		t.Fatalf("embedded: rc %d, stderr %q; want 2", rc, errOut.String())
	}
	t.Setenv("TARGET", "prometheus")
	t.Setenv("PROMETHEUS_URL", "")
	t.Setenv("HARNESS", "harness/target/testdata/harness/custom_names.yaml")
	errOut.Reset()
	if rc := runTargetCheck(nil, "", &out, &errOut); rc != 2 || !strings.Contains(errOut.String(), "target.prometheus.url: missing") {
		t.Fatalf("no prometheus url: rc %d, stderr %q; want 2 naming the key", rc, errOut.String())
	}
}
