package main

import (
	"bytes"
	"context"
	"github.com/presoak/presoak/internal/modroot"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/presoak/presoak/engine"
)

func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func fixtureConfig(t testing.TB) string {
	root := moduleRoot(t)
	return filepath.Join(root, "fixtures/config.yaml") + "," + filepath.Join(root, "fixtures/config.soak_overrides.yaml")
}

func TestServesEveryDesignMetric(t *testing.T) {
	t.Parallel()
	b, err := start(options{addr: "127.0.0.1:0", config: fixtureConfig(t),
		faults: filepath.Join(moduleRoot(t), "fixtures/faults/all.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var serveErr error
	wg.Go(func() { serveErr = b.serve(ctx, 100*time.Millisecond, io.Discard) })
	defer func() {
		cancel()
		wg.Wait()
		if serveErr != nil {
			t.Errorf("serve: %v", serveErr)
		}
	}()
	// Scrape until the first tick shows (a few hundred ms; bounded).
	var mfs map[string]*dto.MetricFamily
	for deadline := time.Now().Add(10 * time.Second); ; {
		mfs = scrape(t, "http://"+b.Addr()+"/metrics")
		if mf := mfs[engine.MetricTicks]; mf != nil && mf.GetMetric()[0].GetCounter().GetValue() >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still 0 after 10s", engine.MetricTicks)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, name := range []string{
		engine.MetricTickDuration, engine.MetricStageDuration, engine.MetricTicks, engine.MetricDeadlineMisses,
		engine.MetricCacheRequests, engine.MetricFillVolume, engine.MetricBreakerOpen, engine.MetricTickErrors,
		engine.MetricResidentMemory, engine.MetricFeatureFlag,
		// the desk signals
		engine.MetricInventory, engine.MetricInventoryLimit, engine.MetricOrderRejects, engine.MetricMDAge,
		engine.MetricTicksRun, engine.MetricQuoteSides, engine.MetricTwoSidedTicks, engine.MetricPnL,
		engine.MetricInventoryUse, engine.MetricPnLDrawdown,
	} {
		if mfs[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// scrape GETs url and parses the Prometheus text page.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return mfs
}

func TestLoopbackOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr   string
		remote bool
		ok     bool
	}{
		{"127.0.0.1:9100", false, true},
		{"[::1]:9100", false, true},
		{"localhost:9100", false, true},
		{"0.0.0.0:9100", false, false},
		{":9100", false, false},
		{"192.0.2.1:9100", false, false},
		{"0.0.0.0:9100", true, true},
		{"no-port", false, false},
	}
	for _, tt := range tests {
		err := checkLoopback(tt.addr, tt.remote)
		if (err == nil) != tt.ok {
			t.Errorf("checkLoopback(%q, %v) = %v, want ok %v", tt.addr, tt.remote, err, tt.ok)
		}
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	for _, args := range [][]string{
		{"-addr", "0.0.0.0:9100"},
		{"-config", filepath.Join(t.TempDir(), "missing.yaml"), "-addr", "127.0.0.1:0"},
		{"-config", fixtureConfig(t), "-addr", "127.0.0.1:0", "-faults", filepath.Join(t.TempDir(), "none.yaml")},
		{"stray"},
	} {
		err := run(context.Background(), args, &out)
		if err == nil {
			t.Errorf("run %q succeeded, want an error", args)
		}
	}
	if strings.Contains(out.String(), "serving") {
		t.Errorf("a failed start said it was serving: %s", out.String())
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, []string{"-addr", "127.0.0.1:0", "-config", fixtureConfig(t), "-progress", "100ms"}, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(out.String(), "serving metrics at http://127.0.0.1:") || !strings.Contains(out.String(), "stopped after") {
		t.Errorf("output %q, want the serving and stopped lines", out.String())
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	s := engine.Stats{Ticks: 200, DeadlineMisses: 2, TickErrors: 1, CacheHits: 3, CacheMisses: 1,
		MakerVolume: 9, TakerVolume: 1, CriticalBreakersOpen: 1, ResidentBytes: 64e6}
	got := progressLine(s)
	want := "mmbot: 200 ticks, deadline misses 1.00%, errors 0.50%, cache hits 75.0%, taker share 10.0%, critical breakers open 1, resident 64.0 MB"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := progressLine(engine.Stats{}); !strings.Contains(got, "0 ticks, deadline misses 0.00%") {
		t.Fatalf("empty stats: %q", got)
	}
}
