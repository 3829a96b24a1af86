package baseline

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/target"
)

// TestChecklistThroughScrape runs the real Baseline and MD-Cache areas
// (go test ./readiness/, a subprocess) with TARGET=scrape CONFIG= against
// the reference engine's /metrics served in-process, READINESS_SAMPLE=2s:
// the items are the bot's (metric @ instance sources, bucket errors), and
// the TTL, which only the config files say, fails as not evaluated.
func TestChecklistThroughScrape(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in a subprocess")
	}
	t.Parallel()
	f := newFixture(t, defaultLayers)
	reg := prometheus.NewRegistry()
	plumbingBot(t, f, reg)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	inst := strings.TrimPrefix(srv.URL, "http://")

	goBin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "test", "-count=1", "-v", "-run", "^(TestBaseline|TestMDCache)$", "./readiness/")
	cmd.Dir = f.layers.Root
	cmd.Env = append(os.Environ(),
		checklist.EnvConfig+"=", target.EnvTarget+"=scrape", target.EnvScrapeURL+"="+srv.URL+"/metrics",
		target.EnvHarness+"="+fastHarness(t, f.layers.Root), EnvReadinessSample+"=2s", "BUDGETS=")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("go test ./readiness/: %v\n%s", ctx.Err(), out)
	}
	if err == nil {
		t.Errorf("the checklist passed with CONFIG empty; md_cache_ttl cannot be evaluated without the config files")
	}
	s := string(out)
	for _, want := range []string{
		"--- PASS: TestBaseline/fetch_md_p95",
		"--- PASS: TestBaseline/tick_total_p95",
		"--- PASS: TestBaseline/hit_ratio",
		"--- PASS: TestMDCache/md_cache_enabled",
		"--- PASS: TestMDCache/hit_ratio",
		"--- FAIL: TestMDCache/md_cache_ttl",
		`source mm_stage_duration_seconds{stage="fetch_md"} @ ` + inst,
		"source mm_md_cache_requests_total @ " + inst,
		"bucket_error bucket ",
		"sample 2s every 500ms (READINESS_SAMPLE)",
		"set CONFIG to the bot's config layers",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
