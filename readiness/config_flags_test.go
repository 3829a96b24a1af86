package readiness

import (
	"os"
	"strings"
	"testing"

	"github.com/presoak/presoak/readiness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// TestConfigAndFlags is the Config & Flags area: the bot's config (CONFIG
// layers) loads and validates, and the seed's blocking flags are set.
func TestConfigAndFlags(t *testing.T) {
	checklist.Group(t, checklist.AreaConfigFlags)
	env, err := checklist.LoadEnv(os.Getenv("CONFIG"))
	if err != nil {
		t.Fatalf("config & flags: %v", err)
	}
	t.Attr(report.AttrConfigLayers, strings.Join(env.Layers.Names(), ","))
	if env.Loaded != nil {
		t.Attr(report.AttrConfigHash, env.Loaded.Hash())
	}

	t.Run("config_loads", func(t *testing.T) {
		checklist.Record(t, checklist.ConfigLoads(env.Layers, env.LoadErr))
	})
	view, loaded := env.View()
	for _, c := range checklist.ConfigChecks {
		t.Run(c.Name, func(t *testing.T) {
			if !loaded {
				checklist.Record(t, checklist.NotEvaluated(checklist.AreaConfigFlags, c.Severity,
					c.Name, "the config did not load (see config_loads)", "fix the problems config_loads lists, then run again"))
				return
			}
			checklist.Record(t, c.Check(view))
		})
	}
}
