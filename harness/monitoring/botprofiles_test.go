package monitoring_test

import (
	"path/filepath"
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
