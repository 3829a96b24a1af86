package readiness

import (
	"testing"

	"github.com/presoak/presoak/readiness/baseline"
	"github.com/presoak/presoak/readiness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// TestMDCache is the MD-Cache area: the cache is enabled in the effective
// config, its TTL is at most one tick interval (baseline.TTLRule), and the
// hit ratio measured on the baseline sample meets its budget.
func TestMDCache(t *testing.T) {
	checklist.Group(t, checklist.AreaMDCache)
	s := baselineSample(t)
	if !s.ViewOK {
		for _, name := range []string{"md_cache_enabled", "md_cache_ttl", "hit_ratio"} {
			t.Run(name, func(t *testing.T) {
				checklist.Record(t, checklist.NotEvaluated(checklist.AreaMDCache, report.Blocking,
					name, "the config did not load (see TestConfigAndFlags/config_loads)", "fix the config first"))
			})
		}
		return
	}
	checks := baseline.MDCacheChecks(s.Run, s.View)
	if s.Run == nil {
		checks = append(checks, baseline.Check{Name: "hit_ratio", Item: checklist.NotEvaluated(checklist.AreaMDCache,
			report.Blocking, "hit_ratio", s.Err.Error(), "fix what the cause names, then rerun")})
	}
	for _, c := range checks {
		t.Run(c.Name, func(t *testing.T) {
			for _, kv := range c.Attrs {
				t.Attr(kv[0], kv[1])
			}
			checklist.Record(t, c.Item)
		})
	}
}
