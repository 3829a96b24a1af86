// Package teamcheck is an example team's own pre-soak checks: each returns
// a checklist.Item (area, severity, status, value, want, source, fix,
// message), so the team's tests in readiness/ record them with
// checklist.Record and they land in presoak's JUnit and Markdown reports
// next to presoak's own items.
package teamcheck

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// AreaVenue is the team's own area; the report lists it after presoak's.
const AreaVenue = "Venue"

// The variables the checks read (set in CI from the team's secrets store).
const (
	EnvKillSwitchURL = "KILL_SWITCH_URL"       // the bot's kill switch health endpoint
	EnvKeyCreated    = "VENUE_API_KEY_CREATED" // the venue API key's creation date, YYYY-MM-DD
)

// MaxKeyAge is the oldest a venue API key may be (the venue's rotation policy).
const MaxKeyAge = 90 * 24 * time.Hour

// KillSwitch is the item "the kill switch endpoint answers": a GET of url
// answers 200 within the timeout. No URL, a refused connection, a timeout
// or any other status fails; it never passes without an answer.
func KillSwitch(ctx context.Context, client *http.Client, url string) checklist.Item {
	it := checklist.Item{
		Area: AreaVenue, Severity: report.Blocking,
		Want: "HTTP 200", Source: "GET " + url + " (" + EnvKillSwitchURL + ")",
		Fix: "start the kill switch service, or set " + EnvKillSwitchURL + " to its health endpoint",
	}
	if strings.TrimSpace(url) == "" {
		return checklist.NotEvaluated(AreaVenue, report.Blocking, "kill switch endpoint",
			EnvKillSwitchURL+" is not set", "set "+EnvKillSwitchURL+" to the kill switch's health endpoint")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err == nil {
		var resp *http.Response
		if resp, err = client.Do(req); err == nil {
			resp.Body.Close()
			it.Got = resp.Status
			if resp.StatusCode == http.StatusOK {
				it.Status, it.Fix = report.StatusPass, ""
				it.Message = fmt.Sprintf("kill switch %s answered %s", url, resp.Status)
				return it
			}
		}
	}
	if err != nil {
		it.Got = "no answer: " + err.Error()
	}
	it.Status = report.StatusFail
	it.Message = fmt.Sprintf("kill switch %s: got %s, want %s: %s", url, it.Got, it.Want, it.Fix)
	return it
}

// KeyAge is the item "the venue API key is not older than 90 days": created
// is the key's creation date (YYYY-MM-DD). A missing or malformed date, or
// one in the future, fails.
func KeyAge(created string, now time.Time) checklist.Item {
	it := checklist.Item{
		Area: AreaVenue, Severity: report.Blocking,
		Want:   fmt.Sprintf("<= %d days old", int(MaxKeyAge.Hours()/24)),
		Source: EnvKeyCreated,
		Fix:    "rotate the venue API key and set " + EnvKeyCreated + " to the new key's date",
	}
	if strings.TrimSpace(created) == "" {
		return checklist.NotEvaluated(AreaVenue, report.Blocking, "venue API key age",
			EnvKeyCreated+" is not set", "set "+EnvKeyCreated+" to the key's creation date (YYYY-MM-DD)")
	}
	day, err := time.Parse(time.DateOnly, strings.TrimSpace(created))
	switch {
	case err != nil:
		it.Got = fmt.Sprintf("%q is not a date (YYYY-MM-DD)", created)
	case day.After(now):
		it.Got = fmt.Sprintf("created %s, in the future", created)
	default:
		days := int(now.Sub(day).Hours() / 24) // whole days
		it.Got = fmt.Sprintf("%d days old (created %s)", days, created)
		if days <= int(MaxKeyAge.Hours()/24) {
			it.Status, it.Fix = report.StatusPass, ""
			it.Message = "venue API key " + it.Got
			return it
		}
	}
	it.Status = report.StatusFail
	it.Message = fmt.Sprintf("venue API key: got %s, want %s: %s", it.Got, it.Want, it.Fix)
	return it
}
