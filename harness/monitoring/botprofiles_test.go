package monitoring_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/monitoring"
)

// TestRuleTestsFireForBotProfiles is the monitoring of the example bots'
// profiles (fixtures/bots): the rule tests' input series carry the labels
// the profile's selectors match (bbgo's strategy="xmaker", hummingbot's
// trade_type="taker"), so that every alert fires in promtool at the
// evaluation presoak's evaluator fires its criterion.
func TestRuleTestsFireForBotProfiles(t *testing.T) {
	p := needPromtool(t)
	root := moduleRoot(t)
	for _, bot := range []string{"bbgo", "hummingbot"} {
		t.Run(bot, func(t *testing.T) {
			vars := map[string]string{
				"PROFILE":  filepath.Join("fixtures", "bots", bot, "profile.yaml"),
				"BASELINE": "none.json", // no frozen baseline: the scenario assumes one
				"SELECTOR": `{job="` + bot + `", env=~"soak|paper"}`,
			}
			in, err := monitoring.EnvFrom(root, func(k string) string { return vars[k] }).Load()
			if err != nil {
				t.Fatal(err)
			}
			a, err := monitoring.Render(in)
			if err != nil {
				t.Fatal(err)
			}
			if out, err := p.ProveRules(ctx(t), a.Rules, in.Spec, in.Options); err != nil {
				t.Errorf("the %s profile's alerts do not fire with presoak: %v\n%s", bot, err, out)
			}
		})
	}
}

// matcherProfile selects with every kind of matcher: regex alternatives, a
// regex prefix, not-equal and not-regex.
const matcherProfile = `version: 1
bot: matchers
signals:
  ticks:           {expr: 'sum(mx_ticks_total{pair=~"BTC-USDT|ETH-USDT"})', kind: counter}
  deadline_misses: {expr: 'mx_overruns_total{pair=~"BTC-.*"}', kind: counter}
  tick_errors:     {expr: 'mx_errors_total{env!="test", strategy=~".+"}', kind: counter}
  cache_hits:      {expr: 'mx_cache_total{result="hit", shard!~"b.*"}', kind: counter}
  cache_misses:    {expr: 'mx_cache_total{result="miss", shard!~"b.*"}', kind: counter}
  maker_volume:    {expr: 'mx_volume_total{liquidity="maker"}', kind: counter}
  taker_volume:    {expr: 'mx_volume_total{liquidity="taker"}', kind: counter}
  resident_memory: {expr: 'mx_rss_bytes{proc="bot"}', kind: gauge, unit: bytes}
  breakers_open:   {expr: 'mx_halted{critical="yes"}', kind: gauge}
  tick_latency:    {expr: 'mx_tick_ms{strategy="mx"}', kind: histogram, unit: milliseconds}
  stage_latency:   {expr: 'sum by (step) (mx_step_ms{strategy="mx"})', kind: histogram, unit: milliseconds}
`

// TestRuleTestsSatisfyEveryMatcher: regex and negative matchers get a value
// they accept, and the alerts fire; a matcher no value passes is an error
// naming the signal, never a rule test that cannot fire.
func TestRuleTestsSatisfyEveryMatcher(t *testing.T) {
	p := needPromtool(t)
	root := t.TempDir()
	load := func(t *testing.T, prof string) (monitoring.Inputs, error) {
		writeFile(t, filepath.Join(root, "p.yaml"), []byte(prof))
		vars := map[string]string{
			"CRITERIA": filepath.Join(moduleRoot(t), monitoring.DefaultCriteria),
			"BUDGETS":  filepath.Join(moduleRoot(t), monitoring.DefaultBudgets),
			"PROFILE":  "p.yaml",
		}
		return monitoring.EnvFrom(root, func(k string) string { return vars[k] }).Load()
	}
	t.Run("satisfied", func(t *testing.T) {
		in, err := load(t, matcherProfile)
		if err != nil {
			t.Fatal(err)
		}
		a, err := monitoring.Render(in)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := p.ProveRules(ctx(t), a.Rules, in.Spec, in.Options); err != nil {
			t.Errorf("alerts do not fire with presoak: %v\n%s", err, out)
		}
	})
	t.Run("unsatisfiable", func(t *testing.T) {
		in, err := load(t, strings.Replace(matcherProfile, `env!="test"`, `env!~".*"`, 1))
		if err != nil {
			t.Fatal(err)
		}
		_, err = monitoring.NewRuleTests(in.Spec, in.Options)
		if err == nil || !strings.Contains(err.Error(), "tick_errors") {
			t.Errorf("got %v, want an error naming signal tick_errors", err)
		}
	})
}
