package checklist

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"
)

// newBot serves testdata/page as a bot's /metrics on 127.0.0.1 until the test ends.
func newBot(t *testing.T, page string) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", page))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fixtureRoot is a module root of its own holding copies of the real harness
// file and config fixtures, so that nothing in the user's workspace (an
// applied rollback layer) changes what a test sees.
func fixtureRoot(t *testing.T) string {
	t.Helper()
	mod, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "fixtures"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{target.HarnessFile, "fixtures/config.yaml", "fixtures/config.soak_overrides.yaml"} {
		data, err := os.ReadFile(filepath.Join(mod, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// runEnv is the Env a checklist run sees with vars as its environment, under
// a fixtureRoot.
func runEnv(t *testing.T, vars map[string]string) Env {
	t.Helper()
	return LoadRunEnvAt(fixtureRoot(t), func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
}

// items runs the Config & Flags logic against vars' target: name -> item.
func items(t *testing.T, vars map[string]string) (map[string]Item, []string) {
	t.Helper()
	env := runEnv(t, vars)
	got := map[string]Item{}
	var names []string
	for _, n := range ConfigAndFlagsItems(env, ReadBot(t.Context(), env)) {
		got[n.Name] = n.Item
		names = append(names, n.Name)
	}
	return got, names
}

func scrapeVars(url, config string) map[string]string {
	return map[string]string{"TARGET": "scrape", "SCRAPE_URL": url + "/metrics", "CONFIG": config}
}

func host(srv *httptest.Server) string { return strings.TrimPrefix(srv.URL, "http://") }

func TestBotFlagsOnPass(t *testing.T) {
	t.Parallel()
	srv := newBot(t, "bot_flags_on.prom")
	got, names := items(t, scrapeVars(srv.URL, ""))
	if want := "config_loads,pipeline_enabled,md_cache_enabled,taker_cap_max_taker_share_pct,adaptive_spread_enabled,queue_aware_enabled"; strings.Join(names, ",") != want {
		t.Errorf("items %v, want %s (no running_bot_matches_config without a config)", names, want)
	}
	for _, name := range []string{"pipeline_enabled", "md_cache_enabled", "adaptive_spread_enabled", "queue_aware_enabled"} {
		it := got[name]
		key := strings.TrimSuffix(name, "_enabled") + ".enabled"
		wantSrc := `mm_feature_flag_enabled{flag="` + key + `"} @ ` + host(srv)
		if it.Status != result.StatusPass || it.Source != wantSrc || it.Got != "1 (true)" {
			t.Errorf("%s = %s got %q source %q, want pass from %s", name, it.Status, it.Got, it.Source, wantSrc)
		}
	}
	// No config files: what only the files say cannot be evaluated, and fails.
	for name, wantFix := range map[string]string{
		"taker_cap_max_taker_share_pct": "set CONFIG to the bot's config layers to check taker_cap.max_taker_share_pct",
		"config_loads":                  "set CONFIG to the bot's config layers to check that they load and validate",
	} {
		it := got[name]
		if it.Status != result.StatusFail || it.Severity != result.Blocking || it.Fix != wantFix ||
			it.Source != SourceNoConfig || !strings.Contains(it.Got, "not evaluated: no config files given (CONFIG is empty)") {
			t.Errorf("%s = %+v, want a blocking not-evaluated failure with fix %q", name, it, wantFix)
		}
	}
}

func TestBotFlagsOffFail(t *testing.T) {
	t.Parallel()
	srv := newBot(t, "bot_flags_off.prom")
	got, _ := items(t, scrapeVars(srv.URL, ""))
	it := got["pipeline_enabled"]
	src := `mm_feature_flag_enabled{flag="pipeline.enabled"} @ ` + host(srv)
	if it.Status != result.StatusFail || it.Severity != result.Blocking || it.Source != src || it.Got != "0 (false) @ "+host(srv) {
		t.Errorf("pipeline_enabled = %+v, want a blocking failure from %s", it, src)
	}
	if !strings.HasPrefix(it.Message, `mm_feature_flag_enabled{flag="pipeline.enabled"} = 0 (false) @ `+host(srv)+", want 1 (true) on every instance: set pipeline.enabled: true") {
		t.Errorf("message = %q", it.Message)
	}
	// A warning-severity flag stays a warning (Record turns its failure into "warn").
	if w := got["queue_aware_enabled"]; w.Severity != result.Warning || w.Status != result.StatusFail {
		t.Errorf("queue_aware_enabled = %+v, want a warning-severity problem", w)
	}
}

func TestBotDownFails(t *testing.T) {
	t.Parallel()
	srv := newBot(t, "bot_flags_on.prom")
	url := srv.URL
	srv.Close() // nothing listens there now
	got, _ := items(t, scrapeVars(url, ""))
	it := got["pipeline_enabled"]
	if it.Status != result.StatusFail || !strings.Contains(it.Got, "not evaluated: "+host(srv)+" down (") ||
		!strings.Contains(it.Message, "is down: ") || it.Fix != fixBotDown {
		t.Errorf("pipeline_enabled with the bot down = %+v, want a failure with the fault", it)
	}
	// With a config too: the comparison is not made, and fails.
	got, _ = items(t, scrapeVars(url, DefaultConfig))
	if m := got[ItemBotMatchesConfig]; m.Status != result.StatusFail || !strings.Contains(m.Got, host(srv)+" is down: ") {
		t.Errorf("%s with the bot down = %+v", ItemBotMatchesConfig, m)
	}
}

func TestBotGarbageFails(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("this is not { a metrics page\n"))
	}))
	t.Cleanup(srv.Close)
	got, _ := items(t, scrapeVars(srv.URL, ""))
	if it := got["md_cache_enabled"]; it.Status != result.StatusFail || !strings.Contains(it.Got, "down (") {
		t.Errorf("md_cache_enabled on a garbage page = %+v, want a failure with the fault", it)
	}
}

func TestBotDisagreesWithConfig(t *testing.T) {
	t.Parallel()
	srv := newBot(t, "bot_flags_on.prom")
	// The base config has pipeline and md_cache off; the bot runs with them on.
	got, names := items(t, scrapeVars(srv.URL, "fixtures/config.yaml"))
	if names[len(names)-1] != ItemBotMatchesConfig {
		t.Fatalf("items %v, want %s last", names, ItemBotMatchesConfig)
	}
	m := got[ItemBotMatchesConfig]
	p := got["pipeline_enabled"] // the file items are still the files': source file:line
	if !strings.HasPrefix(p.Source, "fixtures/config.yaml:") || p.Status != result.StatusFail {
		t.Errorf("pipeline_enabled = %+v, want the base file's false", p)
	}
	want := "pipeline.enabled: config false (" + p.Source + `), bot true (mm_feature_flag_enabled{flag="pipeline.enabled"} @ ` + host(srv) + ")"
	if m.Status != result.StatusFail || m.Severity != result.Blocking || !strings.Contains(m.Message, want) ||
		!strings.Contains(m.Fix, "restart the bot on CONFIG's layers") {
		t.Errorf("%s = %+v\nwant a blocking failure naming %q", ItemBotMatchesConfig, m, want)
	}

	// The soak overrides turn every flag on: the bot agrees.
	got, _ = items(t, scrapeVars(srv.URL, DefaultConfig))
	if m := got[ItemBotMatchesConfig]; m.Status != result.StatusPass || m.Got != "4 flag values agree on 1 instance" {
		t.Errorf("%s = %+v, want a pass", ItemBotMatchesConfig, m)
	}
	if p := got["pipeline_enabled"]; p.Status != result.StatusPass || !strings.HasPrefix(p.Source, "fixtures/config.soak_overrides.yaml:") {
		t.Errorf("pipeline_enabled = %+v", p)
	}
}

func TestEmbeddedTargetReadsNoBot(t *testing.T) {
	t.Parallel()
	// CONFIG empty with the embedded target keeps the default layers: there is
	// no running bot to read flags from.
	env := runEnv(t, map[string]string{"TARGET": "embedded", "CONFIG": ""})
	if env.NoConfig || env.LoadErr != nil || len(env.Layers.Paths) != 2 {
		t.Fatalf("env = %+v, want the default layers loaded", env)
	}
	if b := ReadBot(t.Context(), env); b != nil {
		t.Errorf("ReadBot(embedded) = %+v, want nil", b)
	}
}

func TestBadHarnessFailsFlagItems(t *testing.T) {
	t.Parallel()
	got, _ := items(t, map[string]string{"TARGET": "scrape", "SCRAPE_URL": "not a url", "CONFIG": ""})
	it := got["pipeline_enabled"]
	if it.Status != result.StatusFail || !strings.Contains(it.Got, "not evaluated: read bot: load harness: ") {
		t.Errorf("pipeline_enabled with a bad SCRAPE_URL = %+v, want the harness error", it)
	}
	got, _ = items(t, map[string]string{"TARGET": "bogus", "CONFIG": DefaultConfig})
	if m := got[ItemBotMatchesConfig]; m.Status != result.StatusFail || !strings.Contains(m.Got, "load harness") {
		t.Errorf("%s with TARGET=bogus = %+v, want the harness error", ItemBotMatchesConfig, m)
	}
}

// fleet is a target answering with fixed samples, one per bot.
type fleet []signal.Sample

func (f fleet) Sample(context.Context) ([]signal.Sample, error) { return f, nil }
func (f fleet) Close() error                                    { return nil }

func on(flags ...string) map[string]bool {
	m := map[string]bool{}
	for _, f := range flags {
		m[f] = true
	}
	return m
}

// A fleet fails an item when any instance fails it, naming that instance.
func TestBotFlagFleet(t *testing.T) {
	t.Parallel()
	all := on("pipeline.enabled", "md_cache.enabled", "adaptive_spread.enabled", "queue_aware.enabled")
	f := fleet{
		{Instance: "10.0.0.2:9100", Up: true, Flags: map[string]bool{"pipeline.enabled": false, "md_cache.enabled": true}},
		{Instance: "10.0.0.1:9100", Up: true, Flags: all},
		{Instance: "10.0.0.3:9100", Fault: "prometheus: query failed"},
	}
	b := ReadBotFrom(t.Context(), f, "prometheus http://127.0.0.1:9090", "mm_feature_flag_enabled")
	it := BotFlag(b, "pipeline.enabled", result.Blocking)
	if it.Status != result.StatusFail || it.Source != `mm_feature_flag_enabled{flag="pipeline.enabled"} @ 10.0.0.2:9100, 10.0.0.3:9100` {
		t.Errorf("pipeline.enabled on the fleet = %+v", it)
	}
	for _, w := range []string{"0 (false) @ 10.0.0.2:9100", "not evaluated: 10.0.0.3:9100 down (prometheus: query failed)", "1 (true) @ 10.0.0.1:9100"} {
		if !strings.Contains(it.Got, w) {
			t.Errorf("got %q lacks %q", it.Got, w)
		}
	}
	if it := BotFlag(b, "adaptive_spread.enabled", result.Warning); !strings.Contains(it.Got, "not exported @ 10.0.0.2:9100") {
		t.Errorf("adaptive_spread.enabled not exported: %+v", it)
	}
	ok := ReadBotFrom(t.Context(), fleet{{Instance: "b:1", Up: true, Flags: all}, {Instance: "a:1", Up: true, Flags: all}}, "p", "mm_feature_flag_enabled")
	if it := BotFlag(ok, "md_cache.enabled", result.Blocking); it.Status != result.StatusPass ||
		it.Got != "1 (true) on 2 instances" || it.Source != `mm_feature_flag_enabled{flag="md_cache.enabled"} @ a:1, b:1` {
		t.Errorf("md_cache.enabled on a healthy fleet = %+v", it)
	}
	if empty := ReadBotFrom(t.Context(), fleet{}, "p", "m"); BotFlag(empty, "pipeline.enabled", result.Blocking).Status != result.StatusFail {
		t.Error("a target with no bot passed: no samples must fail")
	}
}

var _ target.Target = fleet(nil)

// TestBotNamesTheProfilesFlagMetric: the flag items name the feature-flag
// metric of the harness's profile (here the old metric_names: mapping
// folded into it), not the reference engine's.
func TestBotNamesTheProfilesFlagMetric(t *testing.T) {
	t.Parallel()
	srv := newBot(t, "bot_flags_on.prom")
	url := srv.URL
	srv.Close() // the bot is down: the metric is named all the same
	f := filepath.Join(t.TempDir(), "h.yaml")
	if err := os.WriteFile(f, []byte("version: 1\ntarget:\n  kind: scrape\n  scrape:\n    url: "+url+"/metrics\nmetric_names:\n  feature_flag: acme_flag_on\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := target.LoadHarness(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := ReadBot(t.Context(), Env{Kind: target.KindScrape, Harness: h})
	if got, want := b.Selector("pipeline.enabled"), `acme_flag_on{flag="pipeline.enabled"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestBotNamesTheProfilesFlagLabel: a profile whose flags are grouped by
// another label (by (switch)) has its flag items name that label:
// acme_switch_on{switch="pipeline.enabled"}, not {flag=...}.
func TestBotNamesTheProfilesFlagLabel(t *testing.T) {
	t.Parallel()
	srv := newBot(t, "bot_flags_on.prom")
	url := srv.URL
	srv.Close() // the bot is down: the selector is named all the same
	f := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(f, []byte("version: 1\ntarget:\n  kind: scrape\n  scrape:\n    url: "+url+"/metrics\nsignals:\n  ticks: {expr: 'acme_ticks_total', kind: counter}\n  feature_flags: {expr: 'max by (switch) (acme_switch_on)', kind: gauge}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := target.LoadProfileHarness(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := ReadBot(t.Context(), Env{Kind: target.KindScrape, Harness: h})
	if got, want := b.Selector("pipeline.enabled"), `acme_switch_on{switch="pipeline.enabled"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
