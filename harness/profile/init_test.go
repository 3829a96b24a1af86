package profile

import (
	"bytes"
	"strings"
	"testing"
)

func TestInitGuessesAndTODOs(t *testing.T) {
	fams := parsePage(t, `# TYPE acme_loops_total counter
acme_loops_total 10
# TYPE acme_book_cache_hit_total counter
acme_book_cache_hit_total 9
# TYPE acme_book_cache_miss_total counter
acme_book_cache_miss_total 1
# TYPE acme_loop_latency_ms histogram
acme_loop_latency_ms_bucket{le="10"} 1
acme_loop_latency_ms_bucket{le="+Inf"} 1
acme_loop_latency_ms_sum 5
acme_loop_latency_ms_count 1
# TYPE acme_inventory gauge
acme_inventory 3
`)
	cfg, err := ParseLayer("bot.yaml", []byte("risk:\n  max_taker_pct: 8\nbook:\n  cache_enabled: true\n  cache_ttl: 100ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	st := Init(fams, InitOptions{Bot: "acme", ScrapeURL: "http://127.0.0.1:9/metrics", Layers: []string{"bot.yaml"}, Configs: []Layer{cfg}})
	text := string(st.Text)
	for _, want := range []string{
		"ticks: {expr: 'acme_loops_total', kind: counter}",
		"cache_hits: {expr: 'acme_book_cache_hit_total', kind: counter}",
		"cache_misses: {expr: 'acme_book_cache_miss_total', kind: counter}",
		"tick_latency: {expr: 'acme_loop_latency_ms', kind: histogram, unit: milliseconds}",
		"# TODO breakers_open: gauge; candidates: acme_inventory",
		"taker_cap_pct: {path: 'risk.max_taker_pct', require: '<= 9'}",
		"md_cache_ttl: {path: 'book.cache_ttl', require: '<= 100ms'}",
		"# TODO pipeline_enabled:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("starter lacks %q:\n%s", want, text)
		}
	}
	p, err := Parse("starter.yaml", "", st.Text)
	if err != nil {
		t.Fatalf("the starter does not validate: %v\n%s", err, text)
	}
	var out bytes.Buffer
	if bad := WriteCheck(&out, p.Check(fams)); bad != 0 {
		t.Errorf("check of the starter on its own page: %d failed\n%s", bad, out.String())
	}
	if !strings.Contains(out.String(), "p95 9.5ms") {
		t.Errorf("check output lacks the ms histogram in seconds:\n%s", out.String())
	}
}

func TestCheckNamesWhatFails(t *testing.T) {
	fams := parsePage(t, "# TYPE hb_ticks_total counter\nhb_ticks_total 5\n")
	p := Default()
	var out bytes.Buffer
	bad := WriteCheck(&out, p.Check(fams))
	if bad != len(p.Signals) {
		t.Errorf("reference profile on a foreign page: %d failed, want all %d", bad, len(p.Signals))
	}
	if !strings.Contains(out.String(), "FAIL ticks") || !strings.Contains(out.String(), "closest metrics the bot exports: hb_ticks_total") {
		t.Errorf("output:\n%s", out.String())
	}
}

// TestInitGuessesAFractionTakerCap: a taker cap stored as 0.05 is written
// with scale: fraction, so a cap raised to 0.12 (12 %) fails "<= 9";
// without it, 0.12 <= 9 passed: a silent pass in the starter. A cap stored
// as 8 (percent) gets no scale.
func TestInitGuessesAFractionTakerCap(t *testing.T) {
	fams := parsePage(t, "# TYPE acme_loops_total counter\nacme_loops_total 10\n")
	for _, tc := range []struct {
		stored    string
		wantScale bool
	}{{"0.05", true}, {"8", false}} {
		cfg, err := ParseLayer("bot.yaml", []byte("risk:\n  max_taker_share: "+tc.stored+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		st := Init(fams, InitOptions{Bot: "acme", Layers: []string{"bot.yaml"}, Configs: []Layer{cfg}})
		if got := strings.Contains(string(st.Text), "scale: fraction}"); got != tc.wantScale {
			t.Fatalf("stored %s: scale: fraction written = %v, want %v\n%s", tc.stored, got, tc.wantScale, st.Text)
		}
		if !tc.wantScale {
			continue
		}
		p, err := Parse("starter.yaml", "", st.Text)
		if err != nil {
			t.Fatalf("the starter does not validate: %v\n%s", err, st.Text)
		}
		raised, err := ParseLayer("bot.yaml", []byte("risk:\n  max_taker_share: 0.12\n"))
		if err != nil {
			t.Fatal(err)
		}
		if r := p.Config.Items[ItemTakerCapPct].Check(&BotConfig{Layers: []Layer{raised}}); r.Pass {
			t.Errorf("the starter passes a 12 %% taker cap stored as 0.12: %+v", r)
		}
	}
}
