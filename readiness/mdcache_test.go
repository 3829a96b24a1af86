package readiness

import (
	"testing"

	"github.com/presoak/presoak/harness/checklist"
)

// TestMDCache is the MD-Cache area: the cache is enabled (embedded: in the
// effective config; a running bot: its mm_feature_flag_enabled{flag=
// "md_cache.enabled"} on every instance), its TTL is at most one tick interval
// (baseline.TTLRule, from CONFIG's layers; not evaluated when CONFIG is
// empty), and the hit ratio measured on the shared sample meets its budget.
func TestMDCache(t *testing.T) {
	checklist.Group(t, checklist.AreaMDCache)
	recordChecks(t, readinessSample(t).MDCacheChecks())
}
