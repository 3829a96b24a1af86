package checklist

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/checklist/result"
)

// view is a ConfigView over cfg whose every key was set at fixtures/config.yaml:<n>.
func view(cfg config.Config) ConfigView {
	lines := map[string]int{"pipeline.enabled": 19, "md_cache.enabled": 22, "taker_cap.max_taker_share_pct": 27}
	return ConfigView{Config: &cfg, Override: DefaultOverride, Source: func(key string) string {
		if n, ok := lines[key]; ok {
			return config.Source{File: "fixtures/config.yaml", Line: n}.String()
		}
		return ""
	}}
}

func check(t *testing.T, name string) func(ConfigView) Item {
	t.Helper()
	for _, c := range ConfigChecks {
		if c.Name == name {
			return c.Check
		}
	}
	t.Fatalf("no config check %q", name)
	return nil
}

func TestConfigChecks(t *testing.T) {
	seed := config.Config{}
	seed.TakerCap.MaxTakerSharePct = 10
	fixed := config.Config{}
	fixed.Pipeline.Enabled, fixed.MDCache.Enabled, fixed.AdaptiveSpread.Enabled, fixed.QueueAware.Enabled = true, true, true, true
	fixed.TakerCap.MaxTakerSharePct = 9
	cases := []struct {
		check  string
		cfg    config.Config
		status result.Status
		msg    string
	}{
		{"pipeline_enabled", seed, result.StatusFail,
			"pipeline.enabled = false (fixtures/config.yaml:19), want true: set it to true in an override (e.g. fixtures/config.soak_overrides.yaml)"},
		{"pipeline_enabled", fixed, result.StatusPass, "pipeline.enabled = true (fixtures/config.yaml:19)"},
		{"md_cache_enabled", seed, result.StatusFail,
			"md_cache.enabled = false (fixtures/config.yaml:22), want true: set it to true in an override (e.g. fixtures/config.soak_overrides.yaml)"},
		{"md_cache_enabled", fixed, result.StatusPass, "md_cache.enabled = true (fixtures/config.yaml:22)"},
		{"taker_cap_max_taker_share_pct", seed, result.StatusFail,
			"taker_cap.max_taker_share_pct = 10 (fixtures/config.yaml:27), want <= 9: lower it to 9 or less in an override (e.g. fixtures/config.soak_overrides.yaml)"},
		{"taker_cap_max_taker_share_pct", fixed, result.StatusPass, "taker_cap.max_taker_share_pct = 9 (fixtures/config.yaml:27), want <= 9"},
		{"adaptive_spread_enabled", seed, result.StatusWarn,
			"adaptive_spread.enabled = false (not set in any layer: default), want true: set it to true in an override (e.g. fixtures/config.soak_overrides.yaml)"},
		{"adaptive_spread_enabled", fixed, result.StatusPass, "adaptive_spread.enabled = true (not set in any layer: default)"},
		{"queue_aware_enabled", seed, result.StatusWarn,
			"queue_aware.enabled = false (not set in any layer: default), want true: set it to true in an override (e.g. fixtures/config.soak_overrides.yaml)"},
		{"queue_aware_enabled", fixed, result.StatusPass, "queue_aware.enabled = true (not set in any layer: default)"},
	}
	for _, c := range cases {
		t.Run(c.check+"_"+string(c.status), func(t *testing.T) {
			it := check(t, c.check)(view(c.cfg))
			if it.Status != c.status || it.Message != c.msg {
				t.Errorf("got %s %q\nwant %s %q", it.Status, it.Message, c.status, c.msg)
			}
			if it.Area != AreaConfigFlags || it.Severity != severityOf(t, c.check) {
				t.Errorf("area = %q", it.Area)
			}
			if c.status == result.StatusFail && (it.Got == "" || it.Want == "" || it.Source == "" || it.Fix == "") {
				t.Errorf("failure without got/want/source/fix: %+v", it)
			}
		})
	}
}

func severityOf(t *testing.T, name string) result.Severity {
	t.Helper()
	for _, c := range ConfigChecks {
		if c.Name == name {
			return c.Severity
		}
	}
	t.Fatalf("no config check %q", name)
	return ""
}

func TestTakerCapBoundary(t *testing.T) {
	for _, c := range []struct {
		pct  float64
		pass bool
	}{{0, true}, {8.99, true}, {9, true}, {9.0001, false}, {100, false}} {
		cfg := config.Config{}
		cfg.TakerCap.MaxTakerSharePct = c.pct
		if got := TakerCap(view(cfg)).Status == result.StatusPass; got != c.pass {
			t.Errorf("max_taker_share_pct %v: pass = %v, want %v", c.pct, got, c.pass)
		}
	}
}

func TestConfigLoads(t *testing.T) {
	l := Layers{Root: "/m", Paths: []string{"/m/fixtures/config.yaml", "/m/over.yaml"}}
	if it := ConfigLoads(l, nil); it.Status != result.StatusPass || it.Source != "fixtures/config.yaml, over.yaml" {
		t.Errorf("ConfigLoads(nil) = %+v", it)
	}
	err := &config.Error{Problems: []config.Problem{
		{File: "/m/fixtures/config.yaml", Line: 4, Key: "pipeline.enabeld", Msg: `unknown key (did you mean "enabled"?)`},
		{File: "/m/over.yaml", Line: 2, Key: "taker_cap.max_taker_share_pct", Msg: "150 is out of range 0..100"},
	}}
	it := ConfigLoads(l, err)
	if it.Status != result.StatusFail || it.Severity != result.Blocking {
		t.Fatalf("ConfigLoads(err) = %+v, want a blocking failure", it)
	}
	for _, want := range []string{
		`fixtures/config.yaml:4: pipeline.enabeld: unknown key (did you mean "enabled"?)`,
		"over.yaml:2: taker_cap.max_taker_share_pct: 150 is out of range 0..100",
	} {
		if !strings.Contains(it.Message, want) || !strings.Contains(it.Got, want) {
			t.Errorf("message/got lack %q:\n%s\n%s", want, it.Message, it.Got)
		}
	}
	if strings.Contains(it.Message, "/m/") || it.Source != "fixtures/config.yaml:4" {
		t.Errorf("paths not relative to the root: source %q, message %q", it.Source, it.Message)
	}
	other := ConfigLoads(l, errors.New("open /m/x.yaml: boom"))
	if other.Status != result.StatusFail || strings.Contains(other.Message, "/m/") {
		t.Errorf("ConfigLoads(plain error) = %+v", other)
	}
}

// The real loader on the real fixtures: base only fails the three blocking
// items with provenance in the base; the overrides fix them with provenance
// in the override.
func TestConfigChecksOnFixtures(t *testing.T) {
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		list   string
		failed []string
	}{
		{"fixtures/config.yaml", []string{"pipeline_enabled", "md_cache_enabled", "taker_cap_max_taker_share_pct"}},
		{DefaultConfig, nil},
	} {
		l := ConfigLayers(c.list, root)
		loaded, err := config.Load(l.Paths...)
		if err != nil {
			t.Fatalf("load %s: %v", c.list, err)
		}
		v := ViewOf(loaded, l)
		var failed []string
		for _, ch := range ConfigChecks {
			it := ch.Check(v)
			if it.Status == result.StatusFail {
				failed = append(failed, ch.Name)
				if !strings.HasPrefix(it.Source, "fixtures/config.yaml:") {
					t.Errorf("%s: source = %q, want the base file and line", ch.Name, it.Source)
				}
			}
		}
		if strings.Join(failed, ",") != strings.Join(c.failed, ",") {
			t.Errorf("CONFIG=%s: failed %v, want %v", c.list, failed, c.failed)
		}
	}
}

func TestLoadEnvReportsLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("pipeline:\n  enabeld: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env, err := LoadEnv(bad)
	if err != nil {
		t.Fatal(err)
	}
	if env.LoadErr == nil || env.Loaded != nil {
		t.Fatalf("LoadEnv(bad) = %+v, want a load error", env)
	}
	if _, ok := env.View(); ok {
		t.Error("View() ok for a config that did not load")
	}
	if it := ConfigLoads(env.Layers, env.LoadErr); it.Status != result.StatusFail || !strings.Contains(it.Message, "pipeline.enabeld") {
		t.Errorf("ConfigLoads = %+v, want a failure naming the key", it)
	}
}
