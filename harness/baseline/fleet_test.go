package baseline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
)

func fleetResult(dir, instance string, checks ...Check) ShadowResult {
	return ShadowResult{
		Instance: instance,
		Run:      &Run{Baseline: &Baseline{Instance: instance, Ticks: 100, TickTotal: StageStats{Count: 100, P95Ms: 37.5, BucketError: &BucketError{P95: QuantileBucket{LoMs: 25, HiMs: 50, MaxErrorMs: 12.5}}}}},
		Paths:    Paths{Visualization: filepath.Join(dir, InstancesDir, safeName(instance), VisualizationFile)},
		Checks:   checks,
	}
}

func item(sev result.Severity, st result.Status) checklist.Item {
	return checklist.Item{Severity: sev, Status: st}
}

// TestWriteFleet: the fleet passes when every bot passes every blocking
// check; one blocking failure fails the bot and the fleet, a warning does not.
func TestWriteFleet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ok := fleetResult(dir, "a:1", Check{Name: "hit_ratio", Item: item(result.Blocking, result.StatusPass)}, Check{Name: "regression", Item: item(result.Warning, result.StatusWarn)})
	bad := fleetResult(dir, "b:2", Check{Name: "hit_ratio", Item: item(result.Blocking, result.StatusFail)}, Check{Name: "fetch_md_p95", Item: item(result.Blocking, result.StatusPass)})
	for _, tc := range []struct {
		results []ShadowResult
		want    []string
	}{
		{[]ShadowResult{ok}, []string{"overall: **✅ PASS** (1 of 1 bots", "| a:1 | ✅ PASS | 100 | 37.5ms (bucket 25.0ms..50.0ms, error <= 12.5ms) |", "(a_1/visualization.md)"}},
		{[]ShadowResult{ok, bad}, []string{"overall: **❌ FAIL** (1 of 2 bots", "| b:2 | ❌ FAIL: hit_ratio |"}},
		{nil, []string{"overall: **❌ FAIL** (0 of 0 bots"}},
	} {
		path, err := WriteFleet(dir, "prometheus x", tc.results)
		if err != nil {
			t.Fatal(err)
		}
		md, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(md), w) {
				t.Errorf("no %q in\n%s", w, md)
			}
		}
	}
}
