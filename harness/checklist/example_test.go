package checklist_test

import (
	"fmt"

	"github.com/presoak/presoak/harness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// printer stands in for *testing.T: it prints what Record does to a test.
type printer struct{}

func (printer) Helper()                {}
func (printer) Attr(key, value string) { fmt.Printf("attr %s=%s\n", key, value) }
func (printer) Log(args ...any)        { fmt.Println(append([]any{"log"}, args...)...) }
func (printer) Error(args ...any)      { fmt.Println(append([]any{"error"}, args...)...) }

// A team's own item, in its own module's readiness/ package: the same API
// presoak's items use, so it lands in the same JUnit and Markdown report.
// In a test: checklist.Group(t, "Venue") on the area's top-level test, then
// t.Run("venue_api_key_age", func(t *testing.T) { checklist.Record(t, item) }).
func ExampleRecord() {
	item := checklist.Item{
		Area:     "Venue",
		Severity: report.Blocking,
		Status:   report.StatusFail,
		Got:      "120 days old (created 2026-08-09)",
		Want:     "<= 90 days old",
		Source:   "VENUE_API_KEY_CREATED",
		Fix:      "rotate the venue API key",
		Message:  "venue API key: got 120 days old, want <= 90 days old: rotate the venue API key",
	}
	checklist.Record(printer{}, item)
	// Output:
	// attr area=Venue
	// attr severity=blocking
	// attr status=fail
	// attr value=120 days old (created 2026-08-09)
	// attr want=<= 90 days old
	// attr source=VENUE_API_KEY_CREATED
	// attr fix=rotate the venue API key
	// error venue API key: got 120 days old, want <= 90 days old: rotate the venue API key
}
