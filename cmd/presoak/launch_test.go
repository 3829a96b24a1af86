package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/launch"
	sig "github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
)

func TestLaunchStepsFollowTheSeedsChecklist(t *testing.T) {
	var names []string
	for _, s := range launchSteps(launchOptions{root: t.TempDir(), shadowDuration: "1m", make: "make"}, nil) {
		names = append(names, s.Name)
	}
	want := []string{"pre-flight: prepare-soak", "pre-flight: snapshot hash", "pre-flight: readiness", "pre-flight: shadow baseline (1m)",
		"monitoring up", "alerting loaded", "soak started", "metrics collection verified"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("steps\n got %q\nwant %q", names, want)
	}
}

func TestLaunchSubEnvDropsTheOuterMakeFlags(t *testing.T) {
	t.Setenv("MAKEFLAGS", " -- DURATION=72h")
	t.Setenv("MAKELEVEL", "1")
	t.Setenv("CONFIG", "a.yaml")
	env := strings.Join(launchSubEnv(), "\n")
	if strings.Contains(env, "MAKEFLAGS=") || strings.Contains(env, "MAKELEVEL=") || !strings.Contains(env, "CONFIG=a.yaml") {
		t.Errorf("sub-environment keeps the outer make's flags or drops CONFIG:\n%s", env)
	}
}

// TestSoakSampling: the launch learns that its soak is sampling from the
// soak's samples file, never from its log lines: a log that says
// everything proves nothing; samples older than the launch's start (an
// earlier soak's) prove nothing; a sample taken since does.
func TestSoakSampling(t *testing.T) {
	dir := t.TempDir()
	started := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	if _, ok, err := soakSampling(dir, started); ok || err != nil {
		t.Fatalf("no samples file: got %v, %v, want not sampling, no error", ok, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "launch-soak.log"), []byte("soak: DURATION=2m0s\nsoak 0s/2m0s ticks 0 | nothing pending\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := soakSampling(dir, started); ok {
		t.Fatal("a log with progress lines and no samples: got sampling, want not")
	}
	write := func(samples ...sig.Sample) {
		t.Helper()
		var b strings.Builder
		for _, s := range samples {
			line, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(line)
			b.WriteByte('\n')
		}
		if err := os.WriteFile(filepath.Join(dir, soak.SamplesFile), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(sig.Sample{At: started.Add(-time.Hour), Instance: "embedded", Up: true, Ticks: 36000})
	if _, ok, _ := soakSampling(dir, started); ok {
		t.Fatal("only an earlier soak's samples: got sampling, want not")
	}
	write(sig.Sample{At: started.Add(-time.Hour), Instance: "embedded", Up: true, Ticks: 36000},
		sig.Sample{At: started.Add(2 * time.Second), Instance: "embedded", Up: true, Ticks: 20})
	line, ok, err := soakSampling(dir, started)
	if !ok || err != nil || !strings.Contains(line, "1 sample(s) since") || !strings.Contains(line, "embedded (up), 20 ticks") {
		t.Fatalf("a sample since the start: got %q, %v, %v, want sampling with its evidence", line, ok, err)
	}
	if err := os.WriteFile(filepath.Join(dir, soak.SamplesFile), []byte("{\"at\": 12}\n{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := soakSampling(dir, started); err == nil || !strings.Contains(err.Error(), soak.SamplesFile) {
		t.Fatalf("a corrupt samples file: got %v, want an error naming it", err)
	}
}

// TestSoakVerdict: the launch reads the soak's verdict from its report.
func TestSoakVerdict(t *testing.T) {
	dir := t.TempDir()
	if got := soakVerdict(dir); !strings.HasPrefix(got, "no soak report (") {
		t.Errorf("no report: got %q, want it said", got)
	}
	rep := `{"version":1,"verdict":"stopped","reason":"stopped by deadline_miss_stop"}`
	if err := os.WriteFile(filepath.Join(dir, soak.ReportJSONFile), []byte(rep), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := soakVerdict(dir), "verdict stopped — stopped by deadline_miss_stop"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// The pinned Prometheus has no web UI assets: the record names the API URLs
// presoak monitor prints, never the /alerts page it does not serve.
func TestLaunchRecordsThePrometheusAPIURLs(t *testing.T) {
	var l launch.Launch
	recordStackURLs(&l, "http://127.0.0.1:9090", "http://127.0.0.1:9100/metrics")
	want := map[string]string{
		"prometheus":        "http://127.0.0.1:9090",
		"prometheus alerts": "http://127.0.0.1:9090/api/v1/alerts",
		"prometheus rules":  "http://127.0.0.1:9090/api/v1/rules",
		"bot metrics":       "http://127.0.0.1:9100/metrics",
	}
	for k, v := range want {
		if got := l.Record.URLs[k]; got != v {
			t.Errorf("URL %q = %q, want %q", k, got, v)
		}
	}
	for k, v := range l.Record.URLs {
		if strings.HasSuffix(v, "/alerts") && !strings.Contains(v, "/api/v1/") {
			t.Errorf("URL %q = %q: the pinned Prometheus serves no /alerts page", k, v)
		}
	}
}
