package target

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/profile"
)

func TestLoadHarnessEnvProfile(t *testing.T) {
	dir := t.TempDir()
	pf := filepath.Join(dir, "bot.yaml")
	if err := os.WriteFile(pf, []byte(`version: 1
target:
  kind: scrape
  scrape: {url: "http://127.0.0.1:9300/metrics", interval: 2s, timeout: 1s}
signals:
  ticks: {expr: 'hb_ticks_total{bot="a"}', kind: counter}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{EnvProfile: pf}
	h, err := LoadHarnessEnv(dir, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if h.Kind != KindScrape || h.Scrape.URL != "http://127.0.0.1:9300/metrics" || h.Scrape.Interval.String() != "2s" {
		t.Errorf("harness from profile: got %s %s %v", h.Kind, h.Scrape.URL, h.Scrape.Interval)
	}
	if s := h.Profile.Signal("ticks"); s.Metric != "hb_ticks_total" || s.Matchers[0].Value != "a" {
		t.Errorf("signals: got ticks %s", s.Expr)
	}
	if h.Sources["target.kind"] != "bot.yaml:3" {
		t.Errorf("sources: got %q, want bot.yaml:3", h.Sources["target.kind"])
	}
	// env overrides still apply; a bad timing names the profile's line
	env[EnvTarget] = "prometheus"
	if _, err := LoadHarnessEnv(dir, func(k string) string { return env[k] }); !errors.Is(err, ErrHarness) || !strings.Contains(err.Error(), "target.prometheus.url") {
		t.Errorf("prometheus without url: got %v", err)
	}
	// a broken profile is a profile error naming file:line:key
	if err := os.WriteFile(pf, []byte("version: 9\nsignals:\n  ticks: {expr: t, kind: counter}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadHarnessEnv(dir, func(k string) string { return env[k] }); !errors.Is(err, profile.ErrProfile) || !strings.Contains(err.Error(), "bot.yaml:1: version") {
		t.Errorf("bad version: got %v", err)
	}
}

func TestLegacyHarnessFoldsIntoProfile(t *testing.T) {
	h, err := LoadHarness(filepath.Join("..", "..", HarnessFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	if h.Profile == nil || h.Profile.Signal("cache_hits").Selector("", nil) != `mm_md_cache_requests_total{result="hit"}` {
		t.Fatalf("legacy harness: profile %v", h.Profile)
	}
}

// TestProfileWithItsOwnConfigIsNeverEmbedded: a profile that names its
// bot's config files but leaves target.kind unset (or TARGET=embedded)
// would run presoak's reference engine: a verdict about the wrong bot. It is
// a harness error naming target.kind; scrape (or TARGET=scrape) loads.
func TestProfileWithItsOwnConfigIsNeverEmbedded(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bot.yml"), []byte("enabled: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(dir, "bot.yaml")
	if err := os.WriteFile(pf, []byte(`version: 1
config:
  layers: [bot.yml]
signals:
  ticks: {expr: 'hb_ticks_total', kind: counter}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string // "" loads
	}{
		{map[string]string{EnvProfile: pf}, "bot.yaml (not set): target.kind: embedded runs presoak's reference engine"},
		{map[string]string{EnvProfile: pf, EnvTarget: "embedded"}, "target.kind: embedded runs presoak's reference engine"},
		{map[string]string{EnvProfile: pf, EnvTarget: "scrape", EnvScrapeURL: "http://127.0.0.1:9300/metrics"}, ""},
	} {
		_, err := LoadHarnessEnv(dir, func(k string) string { return tc.env[k] })
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v, want it to load", tc.env, err)
		case tc.want != "" && (!errors.Is(err, ErrHarness) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: got %v, want a harness error containing %q", tc.env, err, tc.want)
		}
	}
}
