package stack

import (
	"errors"
	"github.com/presoak/presoak/internal/runlock"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPrometheusConfig(t *testing.T) {
	t.Parallel()
	got, err := PrometheusConfig("mm-bot", "http://127.0.0.1:9100/metrics", "../presoak.rules.yml", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"scrape_interval: 2s", "evaluation_interval: 2s", "- ../presoak.rules.yml", "job_name: mm-bot",
		"metrics_path: /metrics", "scheme: http", "- 127.0.0.1:9100"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("config lacks %q:\n%s", want, got)
		}
	}
	for _, bad := range []struct {
		url      string
		interval time.Duration
	}{{"127.0.0.1:9100", time.Second}, {"ftp://x/metrics", time.Second}, {"http://127.0.0.1:9100/metrics", 500 * time.Millisecond}, {"http://127.0.0.1:9100/metrics", 10 * time.Second}} {
		if _, err := PrometheusConfig("mm-bot", bad.url, "r.yml", bad.interval); err == nil {
			t.Errorf("PrometheusConfig(%q, %s): no error", bad.url, bad.interval)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{"127.0.0.1:9100": true, "localhost:1": true, "[::1]:9100": true, "0.0.0.0:9100": false, "10.0.0.1:9100": false, "nonsense": false} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

func TestStateRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := ReadState(dir); !errors.Is(err, ErrNoState) {
		t.Fatalf("no state: %v, want ErrNoState", err)
	}
	want := &State{PrometheusURL: "http://127.0.0.1:1", Job: "mm-bot", Procs: []Proc{{Role: "bot", PID: 42, Match: "mmbot", Log: "x.log"}}}
	if err := WriteState(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := got.Proc("bot"); !ok || p.PID != 42 || got.PrometheusURL != want.PrometheusURL {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if err := os.WriteFile(StatePath(dir), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadState(dir); err == nil || errors.Is(err, ErrNoState) {
		t.Errorf("corrupt state: %v, want a parse error", err)
	}
}

func TestRunningChecksTheCommandLine(t *testing.T) {
	t.Parallel()
	self := os.Getpid()
	if !Running(Proc{PID: self, Match: filepath.Base(os.Args[0])}) {
		t.Error("this test process is not Running with its own name")
	}
	if Running(Proc{PID: self, Match: "prometheus-that-is-not-me"}) {
		t.Error("a pid whose command line does not match is Running")
	}
	if Running(Proc{PID: 0}) {
		t.Error("pid 0 is Running")
	}
}

func TestStopProcLeavesAForeignPidAlone(t *testing.T) {
	t.Parallel()
	start, err := runlock.StartTicks(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	line, err := StopProc(Proc{Role: "bot", PID: os.Getpid(), Match: "mmbot-not-this-process", StartTicks: start}, time.Second)
	if err != nil || !strings.Contains(line, "was not running") {
		t.Errorf("StopProc on a foreign pid: %q, %v; want it left alone", line, err)
	}
}

func TestUpRefusesWithoutRulesOrWhenRunning(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	dir := t.TempDir()
	_, err := Up(t.Context(), Options{Root: root, Dir: dir, Rules: filepath.Join(dir, "missing.yml")})
	if err == nil || !strings.Contains(err.Error(), "make monitoring") {
		t.Errorf("missing rules: %v, want an error naming make monitoring", err)
	}
	// A recorded stack whose process is alive (this test process) blocks a second one.
	if err := WriteState(dir, &State{PrometheusURL: "http://127.0.0.1:1", Procs: []Proc{{Role: "prometheus", PID: os.Getpid()}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Up(t.Context(), Options{Root: root, Dir: dir}); !errors.Is(err, ErrRunning) {
		t.Errorf("second stack: %v, want ErrRunning", err)
	}
}

func TestRuleNames(t *testing.T) {
	t.Parallel()
	a, r, err := RuleNames([]byte(ruleFile))
	if err != nil || len(a) != 1 || a[0] != "PresoakErrorRateStop" || len(r) != 1 || r[0] != "presoak:error_pct:10s" {
		t.Errorf("RuleNames = %v %v %v", a, r, err)
	}
	if _, _, err := RuleNames([]byte("groups: [")); err == nil {
		t.Error("broken YAML: no error")
	}
}
