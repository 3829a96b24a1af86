package criteria

import (
	"errors"
	"github.com/presoak/presoak/internal/modroot"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/signal"
	"time"
)

// moduleRoot finds the directory holding go.mod, for fixture paths.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestLoadFixtures(t *testing.T) {
	t.Parallel()
	// criteria.yaml adds two memory stops (a steep leak, a ceiling) and the
	// desk criteria (4 stops, 3 warnings, on profile-declared signals); both
	// have scrape_failure_stop.
	desk := map[string]int{"criteria.yaml": 3}
	for name, wantStops := range map[string]int{"criteria.yaml": 14, "criteria.short.yaml": 8} {
		spec, err := Load(filepath.Join(moduleRoot(t), "fixtures", name))
		must(t, err, name)
		var stops, warns int
		for _, c := range spec.Criteria {
			if c.Severity == Stop {
				stops++
			} else {
				warns++
			}
		}
		equal(t, stops, wantStops, "%s: the seed's 6 stop conditions, target_down, scrape_failure_stop (and the memory stops)", name)
		equal(t, warns, 4+desk[name], "%s: the seed's 4 warning conditions (and the desk's)", name)
	}
}

func TestLoadFixtureThresholdsAreTheSeeds(t *testing.T) {
	t.Parallel()
	spec, err := Load(filepath.Join(moduleRoot(t), "fixtures", "criteria.yaml"))
	must(t, err)
	want := map[string]struct {
		op        Op
		threshold float64
		forDur    time.Duration
	}{
		"deadline_miss_stop":    {Greater, 5, 10 * time.Minute},
		"md_cache_hit_stop":     {Less, 50, 30 * time.Minute},
		"taker_share_stop":      {Greater, 15, time.Hour},
		"memory_growth_stop":    {Greater, 100, 30 * time.Minute},
		"critical_breaker_stop": {Greater, 0, 5 * time.Minute},
		"error_rate_stop":       {Greater, 1, 10 * time.Minute},
		"deadline_miss_warn":    {Greater, 2, 30 * time.Minute},
		"md_cache_hit_warn":     {Less, 60, time.Hour},
		"taker_share_warn":      {Greater, 10, 2 * time.Hour},
		"p95_regression_warn":   {Greater, 10, time.Hour},
	}
	for name, w := range want {
		c, ok := spec.ByName(name)
		equal(t, ok, true, name)
		equal(t, c.Op, w.op, name)
		equal(t, c.Threshold, w.threshold, name)
		held := c.For
		if c.Signal == signal.CriticalBreakersOpen {
			held = c.Window // how long a breaker was open is its window (for: 0)
		}
		equal(t, held, w.forDur, name)
	}
}

const validHead = "version: 1\nevaluation_interval: 15s\ncriteria:\n"

const validCrit = `  - name: deadline_miss_stop
    signal: deadline_miss_pct
    op: ">"
    threshold: 5
    window: 1m
    for: 10m
    severity: stop
    description: d
    action: a
`

func TestParseRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown signal", validHead + strings.Replace(validCrit, "deadline_miss_pct", "deadline_mis_pct", 1),
			[]string{"criterion deadline_miss_stop", "signal", `unknown signal "deadline_mis_pct"`}},
		{"bad op", validHead + strings.Replace(validCrit, `">"`, `"=>"`, 1),
			[]string{"criterion deadline_miss_stop", "op", `"=>"`}},
		{"negative for", validHead + strings.Replace(validCrit, "for: 10m", "for: -1m", 1),
			[]string{"criterion deadline_miss_stop", "for: got -1m0s, want >= 0"}},
		{"negative window", validHead + strings.Replace(validCrit, "window: 1m", "window: -1m", 1),
			[]string{"window: got -1m0s"}},
		{"for shorter than interval", validHead + strings.Replace(validCrit, "for: 10m", "for: 5s", 1),
			[]string{"for: 5s is shorter than evaluation_interval 15s"}},
		{"window shorter than interval", validHead + strings.Replace(validCrit, "window: 1m", "window: 10s", 1),
			[]string{"window: 10s is shorter than evaluation_interval"}},
		{"windowed signal without window", validHead + strings.Replace(validCrit, "    window: 1m\n", "", 1),
			[]string{"window: deadline_miss_pct is computed over a window"}},
		{"duplicate", validHead + validCrit + validCrit,
			[]string{"criteria.yaml:13: criterion deadline_miss_stop: name: duplicate: also criteria[0]"}},
		{"bad severity", validHead + strings.Replace(validCrit, "severity: stop", "severity: page", 1),
			[]string{`severity: got "page", want stop or warn`}},
		{"percent out of range", validHead + strings.Replace(validCrit, "threshold: 5", "threshold: 500", 1),
			[]string{"threshold: 500 is outside deadline_miss_pct's range [0, 100]"}},
		{"missing action and description", validHead + strings.Replace(strings.Replace(validCrit, "    description: d\n", "", 1), "    action: a\n", "", 1),
			[]string{"description: missing", "action: missing"}},
		{"bad name", validHead + strings.Replace(validCrit, "deadline_miss_stop", "Deadline Miss", 1),
			[]string{`name: "Deadline Miss" is not`}},
		{"missing name", validHead + strings.Replace(validCrit, "name: deadline_miss_stop", "name: \"\"", 1),
			[]string{"criterion criteria[0]: name: missing"}},
		{"bad version and interval", "version: 2\nevaluation_interval: 0s\ncriteria:\n" + validCrit,
			[]string{"version: got 2, want 1", "evaluation_interval: got 0s, want > 0"}},
		{"no criteria", "version: 1\nevaluation_interval: 15s\n", []string{"no criteria"}},
		{"unknown key", validHead + strings.Replace(validCrit, "threshold: 5", "treshold: 5", 1), []string{"field treshold not found"}},
		{"empty", "", []string{"is empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("criteria.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatal("got nil error")
			}
			for _, w := range tc.want {
				contains(t, err.Error(), w)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	t.Parallel()
	bad := strings.NewReplacer(`">"`, `"!"`, "for: 10m", "for: -1s", "severity: stop", "severity: x").Replace(validCrit)
	_, err := Parse("criteria.yaml", []byte(validHead+bad))
	var ve *ValidationError
	equal(t, errors.As(err, &ve), true, err)
	equal(t, len(ve.Problems), 3, ve)
	for _, p := range ve.Problems {
		equal(t, p.Line, 4)
		equal(t, p.Criterion, "deadline_miss_stop")
	}
}

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	spec, err := Parse("criteria.yaml", []byte(validHead+validCrit))
	must(t, err)
	equal(t, spec.EvaluationInterval, 15*time.Second)
	equal(t, spec.MaxWindow(), time.Minute)
	c := spec.Criteria[0]
	equal(t, c.For, 10*time.Minute)
	equal(t, c.Holds(5.01), true)
	equal(t, c.Holds(5), false)
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	equal(t, errors.Is(err, os.ErrNotExist), true, err)
	contains(t, err.Error(), "load criteria")
}
