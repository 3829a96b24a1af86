package teamcheck

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	report "github.com/presoak/presoak/reports/readiness"
)

func TestKillSwitch(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer up.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "breaker open", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	client := &http.Client{Timeout: 5 * time.Second}
	for _, c := range []struct {
		name, url string
		want      report.Status
		got       string
	}{
		{"answers 200", up.URL, report.StatusPass, "200 OK"},
		{"answers 503", down.URL, report.StatusFail, "503 Service Unavailable"},
		{"refused", closed.URL, report.StatusFail, "no answer: "},
		{"not set", "", report.StatusFail, "not evaluated: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			it := KillSwitch(t.Context(), client, c.url)
			if it.Status != c.want || !strings.HasPrefix(it.Got, c.got) {
				t.Errorf("got %s %q, want %s %q...", it.Status, it.Got, c.want, c.got)
			}
			if it.Area != AreaVenue || it.Severity != report.Blocking {
				t.Errorf("got area %q severity %q, want %q blocking", it.Area, it.Severity, AreaVenue)
			}
			if c.want == report.StatusFail && it.Fix == "" {
				t.Error("a failed item without a fix")
			}
		})
	}
}

func TestKeyAge(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		created string
		want    report.Status
		got     string
	}{
		{"2026-11-01", report.StatusPass, "36 days old"},
		{"2026-09-08", report.StatusPass, "90 days old"},
		{"2026-09-07", report.StatusFail, "91 days old"},
		{"2027-01-01", report.StatusFail, "created 2027-01-01, in the future"},
		{"01/11/2026", report.StatusFail, `"01/11/2026" is not a date`},
		{"", report.StatusFail, "not evaluated: "},
	} {
		it := KeyAge(c.created, now)
		if it.Status != c.want || !strings.HasPrefix(it.Got, c.got) {
			t.Errorf("KeyAge(%q): got %s %q, want %s %q...", c.created, it.Status, it.Got, c.want, c.got)
		}
	}
}
