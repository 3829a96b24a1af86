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

// jobInstanceProfile selects its bot by job and instance in the signals'
// own selectors (no SELECTOR): the labels the rules group by (job,
// instance). The rule tests' series must carry them, or no alert fires.
const jobInstanceProfile = `version: 1
bot: hb
signals:
  ticks:           {expr: 'sum(hb_ticks_total{job="hb", instance="a:1"})', kind: counter}
  deadline_misses: {expr: 'hb_overruns_total{job="hb", instance="a:1"}', kind: counter}
  tick_errors:     {expr: 'hb_errors_total{job="hb"}', kind: counter}
  cache_hits:      {expr: 'hb_cache_total{result="hit", instance=~"a:.*"}', kind: counter}
  cache_misses:    {expr: 'hb_cache_total{result="miss"}', kind: counter}
  maker_volume:    {expr: 'hb_volume_total{liquidity="maker", job="hb", instance="a:1"}', kind: counter}
  taker_volume:    {expr: 'hb_volume_total{liquidity="taker", job="hb", instance="a:1"}', kind: counter}
  resident_memory: {expr: 'hb_rss_bytes{job="hb", instance="a:1"}', kind: gauge, unit: bytes}
  breakers_open:   {expr: 'hb_halted{job="hb", instance="a:1"}', kind: gauge}
  tick_latency:    {expr: 'hb_tick_seconds{job="hb", instance="a:1"}', kind: histogram}
  stage_latency:   {expr: 'sum by (stage) (hb_stage_seconds{job="hb", instance="a:1"})', kind: histogram}
  md_age:          {expr: 'max(hb_md_age_seconds{job="hb", instance="a:1"})', kind: gauge, unit: seconds}
  ticks_run:       {expr: 'hb_ticks_run_total{job="hb", instance="a:1"}', kind: counter}
  tick_slots:      {expr: 'hb_ticks_total{job="hb", instance="a:1"}', kind: counter}
`

// TestRuleTestsCarryJobAndInstanceMatchers: a profile whose selectors name
// job and instance gets rule tests whose series carry those labels, and
// alerts expected with them; every alert fires in promtool at the
// evaluation presoak's evaluator fires its criterion.
func TestRuleTestsCarryJobAndInstanceMatchers(t *testing.T) {
	p := needPromtool(t)
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "p.yaml"), []byte(jobInstanceProfile))
	vars := map[string]string{
		"CRITERIA": filepath.Join(moduleRoot(t), monitoring.DefaultCriteria),
		"BUDGETS":  filepath.Join(moduleRoot(t), monitoring.DefaultBudgets),
		"PROFILE":  "p.yaml",
		"BASELINE": "none.json",
	}
	in, err := monitoring.EnvFrom(root, func(k string) string { return vars[k] }).Load()
	if err != nil {
		t.Fatal(err)
	}
	rt, err := monitoring.NewRuleTests(in.Spec, in.Options)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range rt.Scenarios {
		if sc.Criterion.Signal == "target_down" || sc.Criterion.Signal == "scrape_failure_pct" {
			continue // up only: no signal of the profile
		}
		job, inst := "hb", "a:1"
		if strings.HasPrefix(sc.Criterion.Name, "md_cache_hit") {
			// cache_hits' instance=~"a:.*" alone: its literal prefix, the job untouched
			job, inst = "presoak-rule-test", "a:"
		}
		if got := sc.ExpectedLabels(); got["job"] != job || got["instance"] != inst {
			t.Errorf("%s: expected alert labels job=%q instance=%q, want %q and %q", sc.Criterion.Name, got["job"], got["instance"], job, inst)
		}
		for _, s := range sc.Series {
			if s.Metric == monitoring.BaselineRecord {
				continue
			}
			if s.Labels["job"] != job || s.Labels["instance"] != inst {
				t.Errorf("%s: series %s, want job=%q instance=%q on every series", sc.Criterion.Name, s.Selector(), job, inst)
			}
		}
	}
	a, err := monitoring.Render(in)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := p.ProveRules(ctx(t), a.Rules, in.Spec, in.Options); err != nil {
		t.Errorf("alerts do not fire: %v\n%s", err, out)
	}
}

// TestRuleTestsRefuseSignalsOfTwoBots: two signals a criterion joins that
// select different instances can never be joined by the rules (sum by
// (job, instance)): an error naming both, not a rule test that cannot fire.
func TestRuleTestsRefuseSignalsOfTwoBots(t *testing.T) {
	root := t.TempDir()
	prof := strings.Replace(jobInstanceProfile, `hb_overruns_total{job="hb", instance="a:1"}`, `hb_overruns_total{job="hb", instance="b:2"}`, 1)
	writeFile(t, filepath.Join(root, "p.yaml"), []byte(prof))
	vars := map[string]string{
		"CRITERIA": filepath.Join(moduleRoot(t), monitoring.DefaultCriteria),
		"BUDGETS":  filepath.Join(moduleRoot(t), monitoring.DefaultBudgets),
		"PROFILE":  "p.yaml",
		"BASELINE": "none.json",
	}
	in, err := monitoring.EnvFrom(root, func(k string) string { return vars[k] }).Load()
	if err != nil {
		t.Fatal(err)
	}
	_, err = monitoring.NewRuleTests(in.Spec, in.Options)
	for _, want := range []string{"deadline_miss_stop", `ticks instance="a:1"`, `deadline_misses instance="b:2"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error naming %s", err, want)
		}
	}
}
