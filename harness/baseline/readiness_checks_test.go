package baseline

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"
)

// fastHarness writes fixtures/presoak.yaml with a 500ms scrape interval (a
// 450ms timeout: a loaded machine's slow read is not a bot down) to a
// temp dir and returns its path, for HARNESS.
func fastHarness(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, target.HarnessFile))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "interval: 1s", "interval: 500ms", 1)
	s = strings.Replace(s, "timeout: 900ms", "timeout: 450ms", 1)
	path := filepath.Join(t.TempDir(), "presoak.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runEnv is checklist.LoadRunEnvAt with TARGET=scrape SCRAPE_URL=url, the
// fast harness, and CONFIG as given (nil: unset).
func runEnv(t *testing.T, url string, config *string) checklist.Env {
	t.Helper()
	root := newFixture(t, defaultLayers).layers.Root
	vars := map[string]string{target.EnvTarget: "scrape", target.EnvScrapeURL: url, target.EnvHarness: fastHarness(t, root)}
	if config != nil {
		vars[checklist.EnvConfig] = *config
	}
	env := checklist.LoadRunEnvAt(root, func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if env.Harness == nil {
		t.Fatalf("harness: %v", env.HarnessErr)
	}
	return env
}

func byName(cs []Check) map[string]Check {
	m := map[string]Check{}
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}

func attr(c Check, key string) string {
	for _, kv := range c.Attrs {
		if kv[0] == key {
			return kv[1]
		}
	}
	return ""
}

var empty = ""

// TestReadinessTargetHealthy: the reference engine on the real clock behind
// an in-process /metrics page, CONFIG empty: the Baseline and MD-Cache items
// are measured off the bot, through the target, with their bucket error, and
// pass; the TTL, which only the config files say, fails as not evaluated.
func TestReadinessTargetHealthy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	reg := prometheus.NewRegistry()
	plumbingBot(t, f, reg)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	inst := strings.TrimPrefix(srv.URL, "http://")

	env := runEnv(t, srv.URL+"/metrics", &empty)
	if !env.NoConfig {
		t.Fatal("CONFIG empty with TARGET=scrape: want NoConfig")
	}
	ts := MeasureTarget(context.Background(), env, "", 3*time.Second, t.TempDir())
	if ts.Err != nil {
		t.Fatalf("sample: %v", ts.Err)
	}
	r := Readiness{Target: &ts}
	base := byName(r.BaselineChecks())
	for _, name := range append(SeedBaselineItems, "tick_total_p99", "submit_p95") {
		c, ok := base[name]
		if !ok {
			t.Errorf("Baseline has no %s", name)
			continue
		}
		it := c.Item
		if it.Status != result.StatusPass {
			t.Errorf("%s: %s: %s", name, it.Status, it.Message)
		}
		if !strings.Contains(it.Source, "@ "+inst) || !strings.Contains(it.Source, "scrape "+srv.URL) || !strings.Contains(it.Source, "mm_") {
			t.Errorf("%s: source %q, want metric @ %s (scrape ...)", name, it.Source, inst)
		}
		if attr(c, "instances") != inst {
			t.Errorf("%s: instances attr %q", name, attr(c, "instances"))
		}
	}
	for _, name := range []string{"fetch_md_p95", "tick_total_p95", "tick_total_p99"} {
		c := base[name]
		if !strings.Contains(c.Item.Message, "error <= ") && !strings.Contains(c.Item.Message, "error unbounded") {
			t.Errorf("%s states no bucket error: %s", name, c.Item.Message)
		}
		if attr(c, "bucket_error") == "" {
			t.Errorf("%s: no bucket_error attr: %v", name, c.Attrs)
		}
	}
	if s := base["fetch_md_p95"].Item.Source; !strings.HasPrefix(s, `mm_stage_duration_seconds{stage="fetch_md"} @ `) {
		t.Errorf("fetch_md_p95 source %q", s)
	}
	if ticks := base["ticks_sampled"].Item; ticks.Want != ">= 1" {
		t.Errorf("ticks_sampled want %q, want >= 1 for a running bot", ticks.Want)
	}

	md := byName(r.MDCacheChecks())
	if c := md["md_cache_enabled"].Item; c.Status != result.StatusPass || c.Area != checklist.AreaMDCache ||
		c.Source != `mm_feature_flag_enabled{flag="md_cache.enabled"} @ `+inst {
		t.Errorf("md_cache_enabled: %+v", c)
	}
	if c := md["hit_ratio"].Item; c.Status != result.StatusPass || c.Area != checklist.AreaMDCache || !strings.HasPrefix(c.Source, "mm_md_cache_requests_total @ "+inst) {
		t.Errorf("hit_ratio: %+v", c)
	}
	if c := md["md_cache_ttl"].Item; c.Status != result.StatusFail || c.Source != checklist.SourceNoConfig || !strings.Contains(c.Fix, "set CONFIG to the bot's config layers") {
		t.Errorf("md_cache_ttl without config: %+v", c)
	}
	attrs := map[string]string{}
	for _, kv := range r.BaselineAttrs() {
		attrs[kv[0]] = kv[1]
	}
	if attrs["clock"] != RealClock || !strings.Contains(attrs["latency_source"], "histograms") || !strings.Contains(attrs["sample"], "3s every 500ms") || attrs["evidence"] == "" {
		t.Errorf("attrs %v", attrs)
	}
}

// pagedBot serves testdata pages: the first page on the first read, the
// last one on every later read.
func pagedBot(t *testing.T, pages ...string) *httptest.Server {
	t.Helper()
	var bodies [][]byte
	for _, p := range pages {
		b, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	var reads atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := min(int(reads.Add(1)), len(bodies))
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(bodies[n-1])
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestReadinessTargetBadHitRatio: a bot whose page shows 40 hits in 100
// lookups fails hit_ratio in both areas, naming the instance and the
// metric, while its latencies pass.
func TestReadinessTargetBadHitRatio(t *testing.T) {
	t.Parallel()
	srv := pagedBot(t, "bad_hit_ratio_1.prom", "bad_hit_ratio_2.prom")
	inst := strings.TrimPrefix(srv.URL, "http://")
	config := defaultLayers
	ts := MeasureTarget(context.Background(), runEnv(t, srv.URL+"/metrics", &config), "", time.Second, t.TempDir())
	if ts.Err != nil {
		t.Fatal(ts.Err)
	}
	r := Readiness{Target: &ts}
	base := byName(r.BaselineChecks())
	md := byName(r.MDCacheChecks())
	for area, c := range map[string]Check{"Baseline": base["hit_ratio"], "MD-Cache": md["hit_ratio"]} {
		it := c.Item
		if it.Status != result.StatusFail || it.Got != "40.00%" || !strings.Contains(it.Message, "40.00% under budget 70%") || !strings.Contains(it.Message, inst) ||
			!strings.HasPrefix(it.Source, "mm_md_cache_requests_total @ "+inst+" (scrape "+srv.URL+"/metrics every 500ms") || it.Fix == "" {
			t.Errorf("%s hit_ratio: %+v", area, it)
		}
	}
	for _, name := range []string{"ticks_sampled", "fetch_md_p95", "tick_total_p95", "deadline_miss"} {
		if it := base[name].Item; it.Status != result.StatusPass {
			t.Errorf("%s: %s", name, it.Message)
		}
	}
	if e := attr(base["tick_total_p95"], "bucket_error"); e != "bucket 25.0ms..50.0ms, error <= 23.8ms" {
		t.Errorf("tick_total_p95 bucket error %q", e)
	}
	// CONFIG given: the TTL comes from the files, md_cache_enabled still from the bot.
	if it := md["md_cache_ttl"].Item; it.Status != result.StatusPass || !strings.Contains(it.Source, "config") {
		t.Errorf("md_cache_ttl from CONFIG: %+v", it)
	}
	if it := md["md_cache_enabled"].Item; !strings.HasPrefix(it.Source, "mm_feature_flag_enabled") {
		t.Errorf("md_cache_enabled from the bot: %+v", it)
	}
}

// TestReadinessTargetDown: a bot that is down fails every item with its
// fault: no samples is never a pass.
func TestReadinessTargetDown(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/metrics"
	srv.Close()
	ts := MeasureTarget(context.Background(), runEnv(t, url, &empty), "", 500*time.Millisecond, t.TempDir())
	if !errors.Is(ts.Err, ErrNoSamples) {
		t.Fatalf("err %v, want ErrNoSamples", ts.Err)
	}
	r := Readiness{Target: &ts}
	checks := append(r.BaselineChecks(), r.MDCacheChecks()...)
	names := byName(checks)
	for _, n := range append(SeedBaselineItems, "tick_total_p99", "md_cache_enabled", "md_cache_ttl") {
		if _, ok := names[n]; !ok {
			t.Errorf("no %s item", n)
		}
	}
	for _, c := range checks {
		it := c.Item
		if it.Status != result.StatusFail {
			t.Errorf("%s: %s with the bot down", c.Name, it.Status)
		}
		wantWarn := !strings.HasPrefix(c.Name, "md_cache_") && !slices.Contains(SeedBaselineItems, c.Name)
		if (it.Severity == result.Warning) != wantWarn {
			t.Errorf("%s: severity %s", c.Name, it.Severity)
		}
		if c.Name != "md_cache_ttl" && !strings.Contains(it.Message, "refused") {
			t.Errorf("%s does not say the fault: %s", c.Name, it.Message)
		}
	}
}

// TestReadinessFleet: one item per check for the whole fleet; it fails when
// any bot fails, naming it, and carries every bot's evidence.
func TestReadinessFleet(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	ts := TargetSample{
		Env: checklist.Env{Layers: f.layers, Loaded: f.loaded}, View: f.view, ViewOK: true, Budgets: f.set,
		Describe: "prometheus fake", Profile: profile.Default(), Length: 400 * time.Millisecond, Every: 50 * time.Millisecond,
	}
	tg := &fakeTarget{at: func(n int) []signal.Sample {
		good := fakeBot("a:1", n)
		good.CacheHits = 9 * float64(n) // 90%: passes
		good.CacheMisses = float64(n)
		bad := fakeBot("b:2", n)
		bad.CacheHits, bad.CacheMisses = 5*float64(n), 5*float64(n) // 50%: fails
		return []signal.Sample{good, bad, {At: time.Now(), Instance: "c:3", Fault: "connection refused"}}
	}}
	ts.measure(context.Background(), tg, time.Second, true, t.TempDir())
	if ts.Err != nil || len(ts.Runs) != 3 || len(ts.Artifacts) != 3 {
		t.Fatalf("err %v, %d runs, artifacts %v", ts.Err, len(ts.Runs), ts.Artifacts)
	}
	r := Readiness{Target: &ts}
	base := byName(r.BaselineChecks())
	hit := base["hit_ratio"]
	if it := hit.Item; it.Status != result.StatusFail || !strings.Contains(it.Message, "2 of 3 instances fail (b:2, c:3)") ||
		strings.Contains(it.Source, "a:1") || !strings.Contains(it.Got, "a:1: 90.00%") || !strings.Contains(it.Got, "b:2: 50.00%") || !strings.Contains(it.Fix, "start the bot") {
		t.Errorf("hit_ratio: %+v", it)
	}
	if it := base["ticks_sampled"].Item; it.Status != result.StatusFail || it.Source != "mm_ticks_total @ c:3 (prometheus fake)" {
		t.Errorf("ticks_sampled: %+v", it)
	}
	if a := attr(base["tick_total_p95"], "bucket_error"); !strings.Contains(a, "a:1: bucket 25.0ms..50.0ms") || !strings.Contains(a, "b:2: ") {
		t.Errorf("tick_total_p95 bucket_error attr %q", a)
	}
	if it := base["tick_total_p95"].Item; it.Status != result.StatusFail || !strings.Contains(it.Message, "c:3") || strings.Contains(it.Message, "a:1:") {
		t.Errorf("tick_total_p95 (c:3 has no samples): %+v", it)
	}
	// every bot passes: the item passes with every bot's evidence.
	ok := mergeInstances([]instanceChecks{
		{"a:1", []sourced{{Check{Name: "x", Item: checklist.Item{Status: result.StatusPass, Got: "1", Message: "m1"}}, "metric"}}},
		{"b:2", []sourced{{Check{Name: "x", Item: checklist.Item{Status: result.StatusPass, Got: "2", Message: "m2"}}, "metric"}}},
	}, "d")
	if it := ok[0].Item; it.Status != result.StatusPass || it.Message != "all 2 instances pass: a:1: m1; b:2: m2" || it.Source != "metric @ a:1, b:2 (d)" {
		t.Errorf("all pass: %+v", it)
	}
}

// TestLoadReadinessEmbedded: without a running bot's target the embedded
// sample is taken, unchanged, also with CONFIG set to empty (the embedded
// engine has no bot to read: the default layers); a bad READINESS_SAMPLE
// fails every running-bot item as not evaluated.
func TestLoadReadinessEmbedded(t *testing.T) {
	t.Parallel()
	root := newFixture(t, defaultLayers).layers.Root
	env := checklist.LoadRunEnvAt(root, func(k string) (string, bool) {
		if k == checklist.EnvConfig {
			return "", true
		}
		return "", false
	})
	if env.NoConfig || env.Kind != target.KindEmbedded || len(env.Layers.Paths) != 2 {
		t.Fatalf("CONFIG= embedded: NoConfig %v kind %s layers %v", env.NoConfig, env.Kind, env.Layers.Paths)
	}
	if !checklist.Running(target.KindScrape) || checklist.Running(env.Kind) {
		t.Fatal("Running")
	}

	for _, v := range []string{"x", "-1s", "0"} {
		if _, err := ReadinessSampleLength(v); !errors.Is(err, ErrBadSampleLength) {
			t.Errorf("READINESS_SAMPLE=%q: %v", v, err)
		}
	}
	if d, err := ReadinessSampleLength(""); d != DefaultReadinessSample || err != nil {
		t.Errorf("default: %v %v", d, err)
	}
	r := LoadReadiness(context.Background(), runEnv(t, "http://127.0.0.1:1/metrics", &empty), "", "soon")
	if r.Target == nil || r.Embedded != nil || !errors.Is(r.Target.Err, ErrBadSampleLength) {
		t.Fatalf("bad READINESS_SAMPLE: %+v", r)
	}
	for _, c := range append(r.BaselineChecks(), r.MDCacheChecks()...) {
		if c.Item.Status != result.StatusFail {
			t.Errorf("%s: %s with a bad READINESS_SAMPLE", c.Name, c.Item.Status)
		}
	}
}

// TestReadinessEvidenceNotWritten: evidence that cannot be written is said
// in the evidence attribute; the measured items still stand.
func TestReadinessEvidenceNotWritten(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	ts := TargetSample{
		Env: checklist.Env{Layers: f.layers, Loaded: f.loaded}, View: f.view, ViewOK: true, Budgets: f.set,
		Describe: "scrape fake", Profile: profile.Default(), Length: 200 * time.Millisecond, Every: 50 * time.Millisecond,
	}
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ts.measure(context.Background(), &fakeTarget{at: func(n int) []signal.Sample { return []signal.Sample{fakeBot("a:1", n)} }},
		time.Second, false, filepath.Join(blocker, "dir"))
	if ts.Err != nil || ts.ArtifactsErr == nil {
		t.Fatalf("err %v, artifacts err %v", ts.Err, ts.ArtifactsErr)
	}
	r := Readiness{Target: &ts}
	attrs := map[string]string{}
	for _, kv := range r.BaselineAttrs() {
		attrs[kv[0]] = kv[1]
	}
	if !strings.HasPrefix(attrs["evidence"], "not written: write readiness sample evidence") {
		t.Errorf("evidence %q", attrs["evidence"])
	}
	if it := byName(r.BaselineChecks())["hit_ratio"].Item; it.Status != result.StatusPass {
		t.Errorf("hit_ratio 70%% of a bot whose evidence was not written: %+v", it)
	}
}

// TestSourceNamesTheProfilesStageLabel: a stage budget's source names the
// stage by the label the profile groups stage_latency by ("by (phase)"),
// not the reference engine's "stage": hb_phase_latency_ms{phase="fetch_md"}.
func TestSourceNamesTheProfilesStageLabel(t *testing.T) {
	p, err := profile.Parse("hb.yaml", "", []byte(`version: 1
target: {kind: scrape, scrape: {url: "http://127.0.0.1:9/metrics"}}
signals:
  ticks: {expr: 'hb_ticks_total', kind: counter}
  stage_latency: {expr: 'sum by (phase) (hb_phase_latency_ms)', kind: histogram, unit: milliseconds}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    *profile.Profile
		want string
	}{{p, `hb_phase_latency_ms{phase="fetch_md"}`}, {profile.Default(), `mm_stage_duration_seconds{stage="fetch_md"}`}} {
		ts := &TargetSample{Profile: tc.p}
		if got := ts.metricOf("fetch_md"); got != tc.want {
			t.Errorf("metricOf(fetch_md) = %s, want %s", got, tc.want)
		}
	}
}
