package readiness

import (
	"os"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// TestConfigAndFlags is the Config & Flags area: the bot's config (CONFIG
// layers, plus the applied rollback layer) loads and validates, and the
// seed's blocking flags are set. With TARGET=scrape or prometheus the flags
// are read off the running bot too: with CONFIG empty they are evaluated from
// its mm_feature_flag_enabled; with CONFIG given the bot must agree with it.
// With PROFILE naming a bot profile that declares config layers, the bot's
// own config is read through the profile (checklist.ProfileConfigItems).
func TestConfigAndFlags(t *testing.T) {
	checklist.Group(t, checklist.AreaConfigFlags)
	env, err := checklist.LoadRunEnv(os.LookupEnv)
	if err != nil {
		t.Fatalf("config & flags: %v", err)
	}
	if p := env.BotProfile(); p != nil {
		// a bot that is not ours: its config read through its profile
		t.Attr(report.AttrConfigLayers, env.LayersAttr())
		if h, err := checklist.ProfileConfigHash(p); err == nil { // else config_loads fails with the reason
			t.Attr(report.AttrConfigHash, h)
		}
		cfg, err := checklist.ProfileConfig(p)
		for _, n := range checklist.ProfileConfigItems(p, cfg, err) {
			t.Run(n.Name, func(t *testing.T) { checklist.Record(t, n.Item) })
		}
		if checklist.Running(env.Kind) {
			t.Run(checklist.ItemProfileSignals, func(t *testing.T) {
				checklist.Record(t, checklist.ProfileSignals(t.Context(), env.Harness))
			})
		}
		return
	}
	t.Attr(report.AttrConfigLayers, env.LayersAttr())
	if env.Loaded != nil {
		t.Attr(report.AttrConfigHash, env.Loaded.Hash())
	}
	bot := checklist.ReadBot(t.Context(), env)
	for _, n := range checklist.ConfigAndFlagsItems(env, bot) {
		t.Run(n.Name, func(t *testing.T) {
			checklist.Record(t, n.Item)
		})
	}
}
