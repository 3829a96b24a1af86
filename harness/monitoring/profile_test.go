package monitoring_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/presoak/presoak/harness/monitoring"
)

// hbProfile is a hummingbot-style bot: other names, two counters for the
// cache, a volume gauge, a kill switch without a critical label, latencies
// in milliseconds with a "symbol" label.
const hbProfile = `version: 1
bot: hb
signals:
  ticks:           {expr: 'hb_tick_count_total', kind: counter}
  deadline_misses: {expr: 'hb_tick_overrun_total', kind: counter}
  tick_errors:     {expr: 'hb_strategy_errors_total', kind: counter}
  cache_hits:      {expr: 'hb_book_cache_hit_total', kind: counter}
  cache_misses:    {expr: 'hb_book_cache_miss_total', kind: counter}
  maker_volume:    {expr: 'hb_filled_volume{side_type="maker"}', kind: gauge}
  taker_volume:    {expr: 'hb_filled_volume{side_type="taker"}', kind: gauge}
  resident_memory: {expr: 'hb_process_rss_bytes', kind: gauge, unit: bytes}
  breakers_open:   {expr: 'hb_kill_switch_active', kind: gauge}
  tick_latency:    {expr: 'hb_tick_latency_ms', kind: histogram, unit: milliseconds}
  stage_latency:   {expr: 'sum by (phase) (hb_phase_latency_ms)', kind: histogram, unit: milliseconds}
`

// TestGenerationFromAProfile is `make monitoring PROFILE=...`: the rules
// and dashboard are written from the profile's expressions (the bot's own
// names, label matchers and units), none of the reference engine's.
func TestGenerationFromAProfile(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "hb.yaml"), []byte(hbProfile))
	vars := map[string]string{
		"CRITERIA": filepath.Join(moduleRoot(t), monitoring.DefaultCriteria),
		"BUDGETS":  filepath.Join(moduleRoot(t), monitoring.DefaultBudgets),
		"PROFILE":  "hb.yaml",
		"SELECTOR": `{job="hb"}`,
	}
	in, err := monitoring.EnvFrom(root, func(k string) string { return vars[k] }).Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := monitoring.Render(in)
	if err != nil {
		t.Fatal(err)
	}
	rules := promQL(a.Rules)
	for _, bad := range defaultNameParts {
		if strings.Contains(rules, bad) {
			t.Errorf("rules mention the reference engine's %s under the profile", bad)
		}
	}
	for _, want := range []string{
		"hb_tick_count_total{job=\"hb\"}",
		"hb_tick_latency_ms_bucket{job=\"hb\"}[30m]))) * 0.001)",
		`label_replace(`,
		"hb_book_cache_hit_total{job=\"hb\"}",
		"hb_book_cache_miss_total{job=\"hb\"}",
		"hb_kill_switch_active{job=\"hb\"}",
		"hb_filled_volume{job=\"hb\", side_type=\"taker\"}",
		"hb_tick_latency_ms_bucket",
		"profile: hb.yaml",
	} {
		if !strings.Contains(string(a.Rules), want) {
			t.Errorf("rules do not mention %s", want)
		}
	}
	// every generated expression is valid PromQL (Prometheus's parser)
	p := parser.NewParser(parser.Options{})
	for _, line := range strings.Split(string(a.Rules), "\n") {
		if e, ok := strings.CutPrefix(strings.TrimSpace(line), "expr: "); ok {
			if _, err := p.ParseExpr(e); err != nil {
				t.Errorf("generated expression does not parse: %v\n%s", err, e)
			}
		}
	}
	if strings.Contains(rules, `critical="true"`) {
		t.Error("rules still require critical=\"true\" on the kill switch")
	}
}

// TestTeamProfileVariableIsRead: a team's module names its profile with
// PRESOAK_PROFILE (`go tool presoak`); make monitoring reads it as PROFILE,
// which wins when both are set.
func TestTeamProfileVariableIsRead(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "hb.yaml"), []byte(hbProfile))
	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"PRESOAK_PROFILE": "hb.yaml"}, "hb.yaml"},
		{map[string]string{"PROFILE": "hb.yaml", "PRESOAK_PROFILE": "other.yaml"}, "hb.yaml"},
		{map[string]string{}, ""},
	} {
		if got := monitoring.EnvFrom(root, func(k string) string { return tc.vars[k] }).Profile; got != tc.want {
			t.Errorf("%v: profile %q, want %q", tc.vars, got, tc.want)
		}
	}
}
