package config_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
)

// TestFixturesSeedState: the base alone is the seed's pre-fix state; the soak
// overrides fix the three blocking items and report themselves as the source.
func TestFixturesSeedState(t *testing.T) {
	t.Parallel()
	base, over := fixture(t, "config.yaml"), fixture(t, "config.soak_overrides.yaml")

	pre := mustLoad(t, base).Config
	if pre.Pipeline.Enabled || pre.MDCache.Enabled || pre.TakerCap.MaxTakerSharePct != 10 {
		t.Errorf("base: pipeline=%v md_cache=%v taker_cap=%v, want false false 10 (the seed's pre-fix state)",
			pre.Pipeline.Enabled, pre.MDCache.Enabled, pre.TakerCap.MaxTakerSharePct)
	}
	l := mustLoad(t, base, over)
	c := l.Config
	if !c.Pipeline.Enabled || !c.MDCache.Enabled || c.TakerCap.MaxTakerSharePct > 9 {
		t.Errorf("base+overrides: pipeline=%v md_cache=%v taker_cap=%v, want true true <=9",
			c.Pipeline.Enabled, c.MDCache.Enabled, c.TakerCap.MaxTakerSharePct)
	}
	if c.MDCache.TTL > c.Tick.Interval {
		t.Errorf("md_cache.ttl %s > tick.interval %s, want a cache no older than one tick", c.MDCache.TTL, c.Tick.Interval)
	}
	for key, file := range map[string]string{
		"pipeline.enabled":              over,
		"md_cache.enabled":              over,
		"taker_cap.max_taker_share_pct": over,
		"md_cache.ttl":                  base,
		"md_cache.capacity":             base,
		"symbols":                       base,
	} {
		src, ok := l.Source(key)
		if !ok || src.File != file || src.Line <= 0 {
			t.Errorf("Source(%q) = %v, %v; want a line of %s", key, src, ok, file)
		}
	}
	if got, want := l.Layers, []string{base, over}; !slices.Equal(got, want) {
		t.Errorf("Layers = %v, want %v", got, want)
	}
}

// TestFixtureCoversEveryKey: the base fixture sets every key the struct has.
func TestFixtureCoversEveryKey(t *testing.T) {
	t.Parallel()
	l := mustLoad(t, fixture(t, "config.yaml"))
	for _, key := range config.KnownKeys() {
		if _, ok := l.Source(key); !ok {
			t.Errorf("fixtures/config.yaml does not set %s", key)
		}
	}
	if got := len(l.Leaves()); got != len(config.KnownKeys()) {
		t.Errorf("len(Leaves()) = %d, want %d (one per known key)", got, len(config.KnownKeys()))
	}
}

func TestProvenanceLines(t *testing.T) {
	t.Parallel()
	over := writeFile(t, "over.yaml", "# line 1\n\nmd_cache:\n  # comment\n  capacity: 128\ncircuit_breakers:\n  venue_md: {cooldown: 9s}\n")
	l := mustLoad(t, fixture(t, "config.yaml"), over)
	for key, want := range map[string]config.Source{
		"md_cache.capacity":                  {File: over, Line: 5},
		"circuit_breakers.venue_md.cooldown": {File: over, Line: 7},
		"md_cache.ttl":                       {File: fixture(t, "config.yaml"), Line: 23},
		"tick.interval":                      {File: fixture(t, "config.yaml"), Line: 15},
	} {
		if got, ok := l.Source(key); !ok || got != want {
			t.Errorf("Source(%q) = %v, %v; want %v", key, got, ok, want)
		}
	}
	if src, ok := l.Source("md_cache"); ok {
		t.Errorf("Source(md_cache) = %v, true; want false (a section is not a leaf)", src)
	}
	if src, ok := l.Source("no.such.key"); ok {
		t.Errorf("Source(no.such.key) = %v, true; want false", src)
	}
	if got, want := (config.Source{File: "config.yaml", Line: 4}).String(), "config.yaml:4"; got != want {
		t.Errorf("Source.String() = %q, want %q", got, want)
	}
	if got := (config.Source{}).String(); got != "unset" {
		t.Errorf("zero Source.String() = %q, want unset", got)
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		layers []string // override bodies, applied in order on the base fixture
		check  func(t *testing.T, l *config.Loaded)
	}{
		{"scalar replaces", []string{"tick:\n  interval: 50ms\n"}, func(t *testing.T, l *config.Loaded) {
			if got := l.Config.Tick.Interval; got != 50*time.Millisecond {
				t.Errorf("tick.interval = %s, want 50ms", got)
			}
			if got := l.Config.Tick.Deadline; got != 150*time.Millisecond {
				t.Errorf("tick.deadline = %s, want the base's 150ms (sibling kept)", got)
			}
		}},
		{"list replaces, not appends", []string{"symbols: [ETHUSDT, SOLUSDT]\n"}, func(t *testing.T, l *config.Loaded) {
			if got := l.Config.Symbols; !slices.Equal(got, []string{"ETHUSDT", "SOLUSDT"}) {
				t.Errorf("symbols = %v, want [ETHUSDT SOLUSDT]", got)
			}
		}},
		{"nested maps merge", []string{"circuit_breakers:\n  venue_md:\n    cooldown: 9s\n"}, func(t *testing.T, l *config.Loaded) {
			md := l.Config.CircuitBreakers["venue_md"]
			if md.Cooldown != 9*time.Second || md.FailureThreshold != 5 || !md.Critical {
				t.Errorf("venue_md = %+v, want cooldown 9s from the override and threshold 5, critical from the base", md)
			}
			if oe := l.Config.CircuitBreakers["order_entry"]; oe.FailureThreshold != 3 {
				t.Errorf("order_entry = %+v, want the base's untouched", oe)
			}
		}},
		{"empty section changes nothing", []string{"md_cache:\n"}, func(t *testing.T, l *config.Loaded) {
			if c := l.Config.MDCache; c.Enabled || c.Capacity != 64 || c.TTL != 100*time.Millisecond {
				t.Errorf("md_cache = %+v, want the base's", c)
			}
		}},
		{"flow style override", []string{"md_cache: {enabled: true}\n"}, func(t *testing.T, l *config.Loaded) {
			if c := l.Config.MDCache; !c.Enabled || c.Capacity != 64 {
				t.Errorf("md_cache = %+v, want enabled with the base's capacity", c)
			}
		}},
		{"last layer wins", []string{"taker_cap: {max_taker_share_pct: 8}\n", "taker_cap: {max_taker_share_pct: 7.5}\n"}, func(t *testing.T, l *config.Loaded) {
			if got := l.Config.TakerCap.MaxTakerSharePct; got != 7.5 {
				t.Errorf("max_taker_share_pct = %v, want 7.5 from the last layer", got)
			}
			if src, _ := l.Source("taker_cap.max_taker_share_pct"); src.File != l.Layers[2] {
				t.Errorf("source = %v, want the last layer %s", src, l.Layers[2])
			}
		}},
		{"override may switch a flag off", []string{"queue_aware:\n  enabled: false\n"}, func(t *testing.T, l *config.Loaded) {
			if l.Config.QueueAware.Enabled || l.Config.QueueAware.MaxQueueAheadLots != 50 {
				t.Errorf("queue_aware = %+v, want disabled with the base's parameters", l.Config.QueueAware)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			paths := []string{fixture(t, "config.yaml")}
			for _, body := range tc.layers {
				paths = append(paths, writeFile(t, "override.yaml", body))
			}
			tc.check(t, mustLoad(t, paths...))
		})
	}
}

// TestAllProblemsInOneError: problems in two layers come back together,
// ordered by layer then line.
func TestAllProblemsInOneError(t *testing.T) {
	t.Parallel()
	a := writeFile(t, "a.yaml", "pipeline:\n  enabeld: true\nmd_cache:\n  capacity: -1\n")
	b := writeFile(t, "b.yaml", "taker_cap:\n  max_taker_share_pct: 101\ntick:\n  interval: fast\n")
	err := loadErr(t, fixture(t, "config.yaml"), a, b)
	want := []string{
		a + ":2: pipeline.enabeld: unknown key; did you mean pipeline.enabled?",
		a + ":4: md_cache.capacity: got -1, want > 0",
		b + ":2: taker_cap.max_taker_share_pct: got 101, want a percent in 0..100",
		b + ":4: tick.interval: want a duration such as 100ms or 2s, got a string \"fast\" (units: ns, us, ms, s, m, h)",
	}
	var got []string
	for _, p := range err.Problems {
		got = append(got, p.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(err.Error(), "load config: 4 problems:\n") {
		t.Errorf("Error() = %q, want a header then one problem per line", err.Error())
	}
}

// TestMissingKeys: a base that leaves out required keys names each of them
// against the base file.
func TestMissingKeys(t *testing.T) {
	t.Parallel()
	base := writeFile(t, "base.yaml", "symbols: [BTCUSDT]\n")
	err := loadErr(t, base)
	var keys []string
	for _, p := range err.Problems {
		if p.File != base || p.Line != 0 || !strings.Contains(p.Msg, "not set") {
			t.Errorf("problem %q, want %s: <key>: not set ...", p, base)
		}
		keys = append(keys, p.Key)
	}
	for _, want := range []string{"tick.interval", "md_cache.ttl", "taker_cap.max_taker_share_pct", "circuit_breakers.venue_md", "circuit_breakers.order_entry", "quoting.fair_value", "output.log_dir"} {
		if !slices.Contains(keys, want) {
			t.Errorf("no problem for missing %s; got keys %v", want, keys)
		}
	}
}

// TestValidationBounds: values on the edge of each range load.
func TestValidationBounds(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"taker_cap: {max_taker_share_pct: 0}",
		"taker_cap: {max_taker_share_pct: 100}",
		"queue_aware: {max_queue_ahead_lots: 0, requote_threshold_bps: 0}",
		"adaptive_spread: {min_spread_bps: 25, max_spread_bps: 25}",
		"quoting: {fair_value: mid, order_size: 0.05, inventory_skew_bps: 0, target_inventory: -0.2}",
		"venue: {recording: \"\", seed: -1}",
		"tick: {interval: 1ns, deadline: 1h}",
	} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			mustLoad(t, fixture(t, "config.yaml"), writeFile(t, "edge.yaml", body+"\n"))
		})
	}
}

// TestValidationRejects: values just outside each range are refused.
func TestValidationRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ body, key, phrase string }{
		{"taker_cap: {max_taker_share_pct: 100.01}", "taker_cap.max_taker_share_pct", "want a percent in 0..100"},
		{"taker_cap: {window: -1s}", "taker_cap.window", "want a duration > 0"},
		{"md_cache: {capacity: 0}", "md_cache.capacity", "want > 0"},
		{"adaptive_spread: {vol_multiplier: 0}", "adaptive_spread.vol_multiplier", "want > 0"},
		{"adaptive_spread: {vol_half_life: 0s}", "adaptive_spread.vol_half_life", "want a duration > 0"},
		{"adaptive_spread: {vol_horizon: 0s}", "adaptive_spread.vol_horizon", "want a duration > 0"},
		{"adaptive_spread: {vol_horizon: -1s}", "adaptive_spread.vol_horizon", "want a duration > 0"},
		{"quoting: {base_spread_bps: -2}", "quoting.base_spread_bps", "want > 0"},
		{"quoting: {order_size: 0.06}", "quoting.order_size", "want <= risk.max_order_size 0.05"},
		{"quoting: {inventory_skew_bps: -0.1}", "quoting.inventory_skew_bps", "want >= 0"},
		{"quoting: {fair_value: Mid}", "quoting.fair_value", "want one of mid, microprice"},
		{"risk: {max_inventory: 0}", "risk.max_inventory", "want > 0"},
		{"circuit_breakers: {venue_md: {cooldown: 0s}}", "circuit_breakers.venue_md.cooldown", "want a duration > 0"},
		{"venue: {name: \" \"}", "venue.name", "is empty"},
		{"output: {log_dir: \"\"}", "output.log_dir", "is empty"},
		{"symbols: [BTCUSDT, BTCUSDT]", "symbols", "listed twice"},
		{"venue: {seed: 99999999999999999999}", "venue.seed", "out of range"},
		{"pipeline: {enabled: yes}", "pipeline.enabled", "want true or false"},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			t.Parallel()
			over := writeFile(t, "over.yaml", tc.body+"\n")
			checkOneProblem(t, loadErr(t, fixture(t, "config.yaml"), over), over, 1, tc.key, tc.phrase)
		})
	}
}

func TestParseLayers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"":                            nil,
		"a.yaml":                      {"a.yaml"},
		"a.yaml,b.yaml":               {"a.yaml", "b.yaml"},
		" a.yaml , ,b.yaml,":          {"a.yaml", "b.yaml"},
		"fixtures/config.yaml,x.yaml": {"fixtures/config.yaml", "x.yaml"},
	} {
		if got := config.ParseLayers(in); !slices.Equal(got, want) {
			t.Errorf("ParseLayers(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKnownKeys(t *testing.T) {
	t.Parallel()
	keys := config.KnownKeys()
	if !slices.IsSorted(keys) {
		t.Errorf("KnownKeys() not sorted: %v", keys)
	}
	for _, want := range []string{"pipeline.enabled", "md_cache.ttl", "taker_cap.max_taker_share_pct", "circuit_breakers.venue_md.critical", "circuit_breakers.order_entry.cooldown", "venue.api_key", "output.log_dir", "symbols"} {
		if !slices.Contains(keys, want) {
			t.Errorf("KnownKeys() lacks %s", want)
		}
	}
}

func TestResolvePath(t *testing.T) {
	t.Parallel()
	l := mustLoad(t, fixture(t, "config.yaml"))
	if got, want := l.ResolvePath("venue.recording"), fixture(t, "marketdata/btcusdt-5m.manifest.json"); got != want {
		t.Errorf("ResolvePath(venue.recording) = %q, want %q", got, want)
	}
	if got, want := l.ResolvePath("venue.latency_profile"), fixture(t, "latency/default.yaml"); got != want {
		t.Errorf("ResolvePath(venue.latency_profile) = %q, want %q", got, want)
	}
	empty := mustLoad(t, fixture(t, "config.yaml"), writeFile(t, "o.yaml", "venue: {recording: \"\"}\n"))
	if got := empty.ResolvePath("venue.recording"); got != "" {
		t.Errorf("ResolvePath of an empty recording = %q, want \"\"", got)
	}
}

// TestFixturePathsExist: the files the base fixture names are there.
func TestFixturePathsExist(t *testing.T) {
	t.Parallel()
	l := mustLoad(t, fixture(t, "config.yaml"))
	for _, key := range []string{"venue.latency_profile", "venue.recording"} {
		path := l.ResolvePath(key)
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s = %s: %v", key, path, err)
		}
	}
}

func TestEmptyPath(t *testing.T) {
	t.Parallel()
	err := loadErr(t, fixture(t, "config.yaml"), "")
	checkOneProblem(t, err, "(empty path)", 0, "", "stray comma")
}
