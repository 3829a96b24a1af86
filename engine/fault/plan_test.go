package fault

import (
	"github.com/presoak/presoak/internal/modroot"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestFixturesLoad(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join(moduleRoot(t), "fixtures/faults/*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fault fixtures: %v", err)
	}
	for _, path := range paths {
		p, err := Load(path)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if len(p.Faults) == 0 {
			t.Errorf("%s: no faults", path)
		}
	}
	all, err := Load(filepath.Join(moduleRoot(t), "fixtures/faults/all.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[Kind]bool{}
	for _, f := range all.Faults {
		seen[f.Kind] = true
	}
	for _, k := range Kinds() {
		if !seen[k] {
			t.Errorf("fixtures/faults/all.yaml lacks kind %s", k)
		}
	}
}

func TestLoadRejectsBadPlans(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"unknown kind":       "faults: [{kind: meteor, start: 1m, duration: 1m}]",
		"zero duration":      "faults: [{kind: feed_stall, start: 1m, duration: 0s}]",
		"negative start":     "faults: [{kind: feed_stall, start: -1m, duration: 1m}]",
		"fraction above one": "faults: [{kind: venue_error_burst, start: 1m, duration: 1m, magnitude: 2}]",
		"spike below one":    "faults: [{kind: venue_latency_spike, start: 1m, duration: 1m, magnitude: 0.5}]",
		"unknown field":      "faults: [{kind: feed_stall, start: 1m, duration: 1m, size: 3}]",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "plan.yaml")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(path); err == nil || !strings.HasPrefix(err.Error(), "load fault plan") {
				t.Fatalf("got %v, want a load fault plan error", err)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	p := &Plan{Faults: []Fault{{Kind: FeedStall}, {Kind: VenueErrorBurst, Duration: time.Second, Magnitude: 3}}}
	err := p.Validate()
	if err == nil || !strings.Contains(err.Error(), "faults[0]") || !strings.Contains(err.Error(), "faults[1]") {
		t.Fatalf("got %v, want problems for faults[0] and faults[1]", err)
	}
}

func TestScheduleActivatesWindows(t *testing.T) {
	t.Parallel()
	sec := int64(time.Second)
	p := &Plan{Faults: []Fault{
		{Kind: VenueLatencySpike, Start: 10 * time.Second, Duration: 5 * time.Second, Magnitude: 3},
		{Kind: VenueLatencySpike, Start: 12 * time.Second, Duration: 10 * time.Second, Magnitude: 7},
		{Kind: VenueOutage, Start: 70 * time.Hour, Duration: time.Minute},
	}}
	s := NewSchedule(p, 1000*sec)
	check := func(at int64, k Kind, wantOn bool, wantMag float64) {
		t.Helper()
		s.Update(1000*sec + at)
		m, on := s.Active(k)
		if on != wantOn || m != wantMag {
			t.Errorf("at %ds %s: got (%v, %v), want (%v, %v)", at/sec, k, m, on, wantMag, wantOn)
		}
	}
	check(0, VenueLatencySpike, false, 0)
	check(10*sec, VenueLatencySpike, true, 3)
	check(13*sec, VenueLatencySpike, true, 7)
	check(16*sec, VenueLatencySpike, true, 7)
	check(22*sec, VenueLatencySpike, false, 0)
	check(70*3600*sec+sec, VenueOutage, true, 1)
	check(71*3600*sec, VenueOutage, false, 0)
	if e, tot := s.Elapsed(VenueOutage, 1000*sec+70*3600*sec+30*sec); e != 30*sec || tot != int64(time.Minute) {
		t.Errorf("Elapsed = %d/%d, want 30s of 1m", e, tot)
	}
}

func TestKindNamesRoundTrip(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds() {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
}
