package baseline

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/monitoring/prombin"
	"github.com/presoak/presoak/harness/target"
)

// TestShadowThroughPrometheus is make shadow TARGET=prometheus against a
// real Prometheus server (the pinned one; make deps) scraping two
// reference engines every second: one baseline per bot, each in
// artifacts/baseline/instances/<bot>/, from histogram buckets with their
// bucket error. Skipped loudly without the binary, except under CI=true.
// The bots are plumbing bots: a real-clock engine starved by a loaded
// machine runs fewer ticks than its slots (the ticks counted, not the
// tick_total observations), and this test is about the reads.
func TestShadowThroughPrometheus(t *testing.T) {
	t.Parallel()
	bin, _, err := prombin.Find("", prombin.Prometheus)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("SKIPPED, NOT TESTED: %v: shadowing through a real Prometheus server needs it", err)
	}
	f := newFixture(t, defaultLayers)
	var bots []string
	for range 2 {
		reg := prometheus.NewRegistry()
		plumbingBot(t, f, reg) // ticks as the wall clock goes, whatever the load
		srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		t.Cleanup(srv.Close)
		bots = append(bots, strings.TrimPrefix(srv.URL, "http://"))
	}
	url, promOut := startPrometheus(t, bin, bots)

	harness := filepath.Join(t.TempDir(), "presoak.yaml")
	if err := os.WriteFile(harness, []byte(fmt.Sprintf(`version: 1
target:
  kind: prometheus
  prometheus:
    url: %s
    selector: '{job="mm"}'
    interval: 1s
    timeout: 900ms
`, url)), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := target.LoadHarness(harness, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	results, err := RunShadow(t.Context(), ShadowSpec{Env: checklist.Env{Layers: f.layers, Loaded: f.loaded}, Duration: 4 * time.Second, Dir: dir, Harness: h})
	if err != nil {
		t.Fatalf("%v\nprometheus log:\n%s", err, promOut)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want one per bot (%v)", len(results), bots)
	}
	fleet, err := os.ReadFile(filepath.Join(dir, InstancesDir, FleetFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range results {
		if !strings.Contains(string(fleet), "| "+res.Instance+" | ") || !strings.Contains(string(fleet), "("+safeName(res.Instance)+"/"+VisualizationFile+")") {
			t.Errorf("FLEET.md has no row for %s:\n%s", res.Instance, fleet)
		}
	}
	if !strings.Contains(string(fleet), "of 2 bots pass every blocking check") {
		t.Errorf("FLEET.md has no overall verdict:\n%s", fleet)
	}
	for _, res := range results {
		b := res.Run.Baseline
		want := filepath.Join(dir, InstancesDir, safeName(res.Instance), StageBudgetsFile)
		if res.Paths.StageBudgets != want || !strings.Contains(strings.Join(bots, " "), res.Instance) {
			t.Errorf("instance %q: stage_budgets at %s, want %s", res.Instance, res.Paths.StageBudgets, want)
		}
		if b.Source != SourceBuckets || !strings.Contains(b.Target, "prometheus") || b.Ticks < 10 || b.TickTotal.Count < 10 || b.TickTotal.P95Ms <= 0 || b.TickTotal.BucketError == nil {
			t.Errorf("%s: source %q target %q ticks %d tick_total %+v", res.Instance, b.Source, b.Target, b.Ticks, b.TickTotal)
		}
		if b.CacheHits+b.CacheMisses == 0 {
			t.Errorf("%s: no cache requests counted", res.Instance)
		}
		if _, err := os.Stat(res.Paths.Visualization); err != nil {
			t.Error(err)
		}
	}
}

// startPrometheus runs a Prometheus server on a free loopback port scraping
// targets (host:port) every second as job "mm", config and TSDB in a temp
// dir, stopped (SIGTERM) at cleanup. It returns the server's URL once ready
// and once it has scraped every target.
func startPrometheus(t *testing.T, bin string, targets []string) (string, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: mm\n    static_configs:\n      - targets: [%q, %q]\n", targets[0], targets[1])
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	out := &syncBuffer{}
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--web.listen-address="+addr,
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--log.level=warn")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	url := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + `/api/v1/query?query=count(up{job="mm"}==1)`)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), `"2"]`) {
				return url, out
			}
		}
		select {
		case <-done:
			t.Fatalf("prometheus exited:\n%s", out.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus did not scrape both bots in 30s (%v):\n%s", err, out.String())
		}
	}
}
