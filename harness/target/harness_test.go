package target

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/profile"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestHarnessFixtureLoads(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	h, err := LoadHarnessEnv(root, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if h.Kind != KindEmbedded || h.Scrape.Interval != time.Second || h.Prometheus.Selector != `{job="mm"}` || h.Profile.Signal("ticks").Metric != "mm_ticks_total" {
		t.Fatalf("got %+v", h)
	}
	if got := h.Sources["target.prometheus.selector"]; !strings.HasPrefix(got, "presoak.yaml:") {
		t.Fatalf("source of the selector: got %q, want presoak.yaml:<line>", got)
	}
}

func TestHarnessEnvOverrides(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	h, err := LoadHarnessEnv(root, env(map[string]string{
		EnvTarget: "prometheus", EnvPrometheusURL: "http://127.0.0.1:9999", EnvSelector: `job="fleet"`, EnvScrapeURL: "http://127.0.0.1:1/metrics",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if h.Kind != KindPrometheus || h.Prometheus.URL != "http://127.0.0.1:9999" || h.Prometheus.Selector != `{job="fleet"}` || h.Scrape.URL != "http://127.0.0.1:1/metrics" {
		t.Fatalf("got %+v", h)
	}
	if h.Sources["target.kind"] != "env TARGET" || h.Interval() != 15*time.Second {
		t.Fatalf("sources %v interval %v", h.Sources, h.Interval())
	}
	_, err = LoadHarnessEnv(root, env(map[string]string{EnvTarget: "scrap"}))
	if err == nil || !strings.Contains(err.Error(), `env TARGET: target.kind: got "scrap"`) {
		t.Fatalf("bad TARGET: got %v", err)
	}
	_, err = LoadHarnessEnv(root, env(map[string]string{EnvHarness: "harness/target/testdata/harness/custom_names.yaml"}))
	if err != nil {
		t.Fatalf("HARNESS relative to the root: %v", err)
	}
}

func TestHarnessProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		env  map[string]string
		want []string
	}{
		{"unknown_key.yaml", nil, []string{"unknown_key.yaml:6: target.scrape.intervall: unknown key; known here: interval, max_body_bytes, timeout, url"}},
		{"bad_values.yaml", nil, []string{
			`bad_values.yaml:3: target.kind: got "sidecar", want embedded, scrape or prometheus`,
			`bad_values.yaml:5: target.scrape.url: got "127.0.0.1:9100/metrics"`,
			`bad_values.yaml:7: target.scrape.timeout: longer than target.scrape.interval`,
			`bad_values.yaml:8: target.scrape.max_body_bytes: got -1`,
			`bad_values.yaml:11: target.prometheus.selector: selector "{job=mm}"`,
			`bad_values.yaml:12: target.prometheus.interval: got "15", want a duration`,
			`bad_values.yaml:14: metric_names.ticks: got "mm ticks", want a metric name`,
		}},
		{"wrong_types.yaml", nil, []string{
			"wrong_types.yaml:3: target.kind: want a single value",
			`wrong_types.yaml:6: target.scrape.max_body_bytes: got "lots", want a whole number`,
			"wrong_types.yaml:7: target.prometheus: want a mapping of keys",
		}},
		{"duplicate.yaml", nil, []string{"duplicate.yaml:4: target.kind: duplicate key"}},
		{"no_version.yaml", nil, []string{"no_version.yaml: version: missing"}},
		{"broken.yaml", nil, []string{"broken.yaml: not valid YAML"}},
		{"custom_names.yaml", map[string]string{EnvScrapeURL: "ftp://x"}, []string{`env SCRAPE_URL: target.scrape.url: got "ftp://x"`}},
		{"custom_names.yaml", map[string]string{EnvTarget: "prometheus"}, []string{"target.prometheus.url: missing: set it here or in env PROMETHEUS_URL"}},
	} {
		_, err := LoadHarness(filepath.Join("testdata", "harness", tc.file), env(tc.env))
		var he *HarnessError
		if !errors.As(err, &he) || !errors.Is(err, ErrHarness) {
			t.Errorf("%s: got %v, want a *HarnessError", tc.file, err)
			continue
		}
		if len(he.Problems) != len(tc.want) {
			t.Errorf("%s: got %d problems, want %d:\n%v", tc.file, len(he.Problems), len(tc.want), err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error does not say %q:\n%v", tc.file, w, err)
			}
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: a password reached the error: %v", tc.file, err)
		}
	}
}

func TestHarnessMissingFile(t *testing.T) {
	t.Parallel()
	if _, err := LoadHarness(filepath.Join("testdata", "harness", "nope.yaml"), nil); err == nil {
		t.Fatal("missing file: got nil error")
	}
}

func TestHarnessOpensEachKind(t *testing.T) {
	t.Parallel()
	url := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(page)) })
	h, err := LoadHarness(filepath.Join("testdata", "harness", "custom_names.yaml"), env(map[string]string{EnvScrapeURL: url}))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := h.Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	if _, ok := tg.(*Scrape); !ok {
		t.Fatalf("got %T, want *Scrape", tg)
	}
	// custom_names.yaml renames ticks: the reference page lacks bot_loops_total.
	if s := sampleOne(t, tg); s.Up || !strings.HasPrefix(s.Fault, FaultNoTicks) {
		t.Fatalf("renamed ticks on the reference page: got %+v", s)
	}
	if !strings.HasPrefix(h.Describe(), "scrape http://127.0.0.1:") {
		t.Fatalf("describe: %q", h.Describe())
	}

	h.Kind = KindPrometheus
	h.Prometheus.URL = "http://127.0.0.1:9090"
	if tg, err := h.Open(nil); err != nil {
		t.Fatal(err)
	} else if _, ok := tg.(*Prometheus); !ok {
		t.Fatalf("got %T, want *Prometheus", tg)
	}
	h.Kind = KindEmbedded
	if _, err := h.Open(nil); err == nil {
		t.Fatal("embedded without a constructor: got nil error")
	}
	sim, err := h.Open(func() (Target, error) { return NewSimulated(EmbeddedOptions{Config: soakConfig(t)}) })
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if _, ok := sim.(Simulated); !ok {
		t.Fatalf("got %T, want the caller's embedded target", sim)
	}
}

func TestReadFlags(t *testing.T) {
	t.Parallel()
	url := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(page)) })
	flags, err := ReadFlags(context.Background(), newScrape(t, ScrapeOptions{URL: url, Instance: "bot"}))
	if err != nil {
		t.Fatal(err)
	}
	if !flags["bot"]["pipeline.enabled"] || flags["bot"]["md_cache.enabled"] {
		t.Fatalf("got %v", flags)
	}
	down := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", 500) })
	if _, err := ReadFlags(context.Background(), newScrape(t, ScrapeOptions{URL: down})); !errors.Is(err, ErrNoFlags) {
		t.Fatalf("down bot: got %v, want ErrNoFlags", err)
	}
	noFlags := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("mm_ticks_total 1\n")) })
	if _, err := ReadFlags(context.Background(), newScrape(t, ScrapeOptions{URL: noFlags})); !errors.Is(err, ErrNoFlags) {
		t.Fatalf("no flags: got %v, want ErrNoFlags", err)
	}
}

// TestHarnessMetricNamesFoldIntoTheProfile: the harness file's old
// metric_names: section is read once into the harness's profile (the
// reference profile with those names); without it the harness's profile is
// the reference one, expressions as written.
func TestHarnessMetricNamesFoldIntoTheProfile(t *testing.T) {
	t.Parallel()
	h, err := LoadHarness(filepath.Join("testdata", "harness", "custom_names.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Profile.Signal("ticks").Metric; got != "bot_loops_total" {
		t.Errorf("ticks: got %q, want bot_loops_total", got)
	}
	if got := h.Profile.Signal("deadline_misses").Metric; got != "mm_tick_deadline_misses_total" {
		t.Errorf("deadline_misses: got %q, want the reference's", got)
	}
	if h.Profile.Signal("md_age") != nil {
		t.Error("another bot's names kept the reference engine's desk signal md_age")
	}
	ref, err := LoadHarnessEnv(moduleRoot(t), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range profile.Default().SignalNames() {
		if got, want := ref.Profile.Signal(n).Expr, profile.Default().Signal(n).Expr; got != want {
			t.Errorf("fixtures/presoak.yaml: %s expr %q, want the reference profile's %q", n, got, want)
		}
	}
	if got := DefaultHarness().Profile.File; got != profile.ReferenceFile {
		t.Errorf("default harness profile: got %q, want the reference profile", got)
	}
	// an empty name is an error naming its line, never the default silently
	dir := t.TempDir()
	f := filepath.Join(dir, "h.yaml")
	if err := os.WriteFile(f, []byte("version: 1\nmetric_names:\n  ticks: \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadHarness(f, nil); err == nil || !strings.Contains(err.Error(), `h.yaml:3: metric_names.ticks: got "", want a metric name`) {
		t.Errorf("empty name: got %v", err)
	}
}
