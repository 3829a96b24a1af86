// Package readiness is the team's own checklist items, next to presoak's:
// `go tool presoak readiness` runs github.com/presoak/presoak/readiness/...
// and this module's ./readiness/... together, into one JUnit and one
// Markdown report.
package readiness

import (
	"net/http"
	"os"
	"testing"
	"time"

	"example.com/mm-team/teamcheck"
	"github.com/presoak/presoak/harness/checklist"
)

// TestVenue is the team's Venue area: one top-level test per area
// (checklist.Group), one subtest per item (checklist.Record), as presoak's
// own items are written.
func TestVenue(t *testing.T) {
	checklist.Group(t, teamcheck.AreaVenue)
	t.Run("kill_switch_answers", func(t *testing.T) {
		client := &http.Client{Timeout: 5 * time.Second}
		checklist.Record(t, teamcheck.KillSwitch(t.Context(), client, os.Getenv(teamcheck.EnvKillSwitchURL)))
	})
	t.Run("venue_api_key_age", func(t *testing.T) {
		checklist.Record(t, teamcheck.KeyAge(os.Getenv(teamcheck.EnvKeyCreated), time.Now()))
	})
}
