package config_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/presoak/presoak/engine/config"
)

// oneFile is the effective config of the fixtures' base + overrides written
// as a single file in another style: flow mappings, other key order, other
// number spellings, comments, and target_inventory left out (its zero value).
const oneFile = `# all in one file
venue: {name: sim, seed: 42, recording: marketdata/btcusdt-5m.manifest.json,
  latency_profile: latency/default.yaml,
  api_secret: "${PRESOAK_VENUE_API_SECRET}", api_key: "${PRESOAK_VENUE_API_KEY}"}
output: {log_dir: artifacts/logs, artifacts_dir: artifacts}
circuit_breakers:
  order_entry: {critical: true, cooldown: 5000ms, failure_threshold: 3}
  venue_md: {critical: true, cooldown: 2s, failure_threshold: 5}
risk: {max_order_size: 5e-2, max_inventory: 0.50}
quoting: {inventory_skew_bps: 1.5, order_size: 0.010, base_spread_bps: 6.0, fair_value: microprice}
queue_aware: {requote_threshold_bps: 0.5, max_queue_ahead_lots: 50, enabled: true}
adaptive_spread: {vol_horizon: 1000ms, vol_multiplier: 1.5, vol_half_life: 30s, max_spread_bps: 25, min_spread_bps: 2, enabled: true}
taker_cap: {window: 300s, max_taker_share_pct: 9.0}
md_cache: {capacity: 64, ttl: 0.1s, enabled: true}
pipeline: {enabled: true}
tick: {deadline: 150ms, interval: 100ms}
symbols:
  - BTCUSDT
`

func TestHash(t *testing.T) {
	t.Parallel()
	layered := mustLoad(t, fixture(t, "config.yaml"), fixture(t, "config.soak_overrides.yaml"))
	h := layered.Hash()
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) {
		t.Fatalf("Hash() = %q, want 64 hex digits", h)
	}
	if again := mustLoad(t, fixture(t, "config.yaml"), fixture(t, "config.soak_overrides.yaml")).Hash(); again != h {
		t.Errorf("Hash() changed between two loads: %s then %s", h, again)
	}
	if single := mustLoad(t, writeFile(t, "one.yaml", oneFile)).Hash(); single != h {
		t.Errorf("one-file hash %s != layered hash %s: the hash must not depend on layers or formatting", single, h)
	}
	otherSecrets := config.Options{LookupEnv: func(name string) (string, bool) { return "another-" + name, true }}
	l, err := otherSecrets.Load(fixture(t, "config.yaml"), fixture(t, "config.soak_overrides.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Hash() != h {
		t.Errorf("hash changed with the secrets' values: %s != %s", l.Hash(), h)
	}
	if base := mustLoad(t, fixture(t, "config.yaml")).Hash(); base == h {
		t.Errorf("base-only hash equals the overridden one: %s", h)
	}
	for _, change := range []string{"md_cache: {capacity: 65}", "symbols: [BTCUSDT, ETHUSDT]", "venue: {recording: \"\"}", "circuit_breakers: {order_entry: {critical: false}}"} {
		over := writeFile(t, "change.yaml", change+"\n")
		if got := mustLoad(t, fixture(t, "config.yaml"), fixture(t, "config.soak_overrides.yaml"), over).Hash(); got == h {
			t.Errorf("hash unchanged after %q", change)
		}
	}
}

func TestLeavesSorted(t *testing.T) {
	t.Parallel()
	leaves := mustLoad(t, fixture(t, "config.yaml")).Leaves()
	for i := 1; i < len(leaves); i++ {
		if leaves[i-1].Key >= leaves[i].Key {
			t.Errorf("Leaves() out of order at %s, %s", leaves[i-1].Key, leaves[i].Key)
		}
	}
	lf, ok := mustLoad(t, fixture(t, "config.yaml")).Lookup("taker_cap.max_taker_share_pct")
	if !ok || lf.Value != 10.0 || !strings.HasSuffix(lf.String(), "config.yaml:27)") {
		t.Errorf("Lookup(taker_cap.max_taker_share_pct) = %v, %v; want 10 from config.yaml:27", lf, ok)
	}
}
