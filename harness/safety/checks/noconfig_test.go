package checks

import (
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// TestWithoutConfig: with CONFIG empty every Safety item fails as not
// evaluated, says why and how to fix it, and keeps its requirement.
func TestWithoutConfig(t *testing.T) {
	t.Parallel()
	items := WithoutConfig()
	want := []string{ItemSnapshot, ItemRollbackDryRun, ItemRestoreRoundTrip}
	if len(items) != len(want) {
		t.Fatalf("got %d items, want %d", len(items), len(want))
	}
	for i, n := range items {
		it := n.Item
		if n.Name != want[i] {
			t.Errorf("item %d is %q, want %q", i, n.Name, want[i])
		}
		if it.Status != report.StatusFail || it.Severity != report.Blocking || it.Area != checklist.AreaSafety {
			t.Errorf("%s: status %s severity %s area %s, want a blocking failure in Safety", n.Name, it.Status, it.Severity, it.Area)
		}
		if it.Fix != FixNoConfig || it.Source != checklist.SourceNoConfig || !strings.Contains(it.Message, "CONFIG is empty") ||
			!strings.Contains(it.Got, "not evaluated") || it.Want == "evaluated" {
			t.Errorf("%s: %+v", n.Name, it)
		}
	}
}
