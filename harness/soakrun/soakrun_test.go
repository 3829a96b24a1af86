package soakrun

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/modroot"
)

func TestCheckTarget(t *testing.T) {
	t.Parallel()
	every := func(d time.Duration) *criteria.Spec { return &criteria.Spec{EvaluationInterval: d} }
	h := func(k target.Kind) *target.Harness {
		d := target.DefaultHarness()
		d.Kind, d.File = k, "fixtures/presoak.yaml"
		return &d
	}
	for _, tc := range []struct {
		name   string
		h      *target.Harness
		spec   *criteria.Spec
		faults string
		want   string // "" passes
	}{
		{"embedded with faults", h(target.KindEmbedded), every(time.Second), "f.yaml", ""},
		{"scrape without faults", h(target.KindScrape), every(time.Second), "", ""},
		{"scrape with faults", h(target.KindScrape), every(time.Second), "f.yaml", "applies to the embedded target only"},
		{"prometheus with faults", h(target.KindPrometheus), every(15 * time.Second), "f.yaml", "applies to the embedded target only"},
		{"prometheus at its interval", h(target.KindPrometheus), every(15 * time.Second), "", ""},
		{"prometheus slower than its interval", h(target.KindPrometheus), every(time.Minute), "", ""},
		{"prometheus faster than its interval", h(target.KindPrometheus), every(time.Second), "", "set evaluation_interval: 15s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTarget(tc.h, tc.spec, tc.faults, "criteria.yaml")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"": 72 * time.Hour, "90s": 90 * time.Second} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q): got %v, %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0s", "-1h", "soon"} {
		if _, err := ParseDuration(in); err == nil || !strings.Contains(err.Error(), "want a positive Go duration") {
			t.Errorf("ParseDuration(%q): got %v, want an error", in, err)
		}
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	stopCrit := soak.CriterionReport{Name: "deadline", Signal: "deadline_miss_pct", Severity: criteria.Stop, Evaluated: 10}
	warnCrit := soak.CriterionReport{Name: "memory", Signal: "rss_slope", Severity: criteria.Warn}
	rep := &soak.Report{Stop: &soak.Firing{Criterion: "deadline"}}
	if j := Judge(rep, stopCrit); !strings.Contains(j.Error, "stop condition fired") {
		t.Errorf("the criterion that stopped the soak: got error %q, want it failed", j.Error)
	}
	if j := Judge(&soak.Report{}, stopCrit); j.Error != "" || j.Skip != "" {
		t.Errorf("an evaluated stop criterion that never fired: got %+v, want a pass", j)
	}
	unevaluated := stopCrit
	unevaluated.Evaluated = 0
	if j := Judge(&soak.Report{}, unevaluated); !strings.Contains(j.Error, "not evaluated") {
		t.Errorf("a stop criterion with no data: got error %q, want it failed (no data is never a pass)", j.Error)
	}
	if j := Judge(&soak.Report{}, warnCrit); j.Error != "" || !strings.Contains(j.Skip, "not evaluated") {
		t.Errorf("a warning criterion with no data: got %+v, want it skipped", j)
	}
	if j := Judge(&soak.Report{}, warnCrit); j.Attrs[1] != [2]string{"severity", "warning"} {
		t.Errorf("severity attribute: got %v, want warning", j.Attrs[1])
	}
}

// TestSoakOnTheEmbeddedEngine runs the soak as make soak does, for 3 s on
// the embedded engine, artifacts in a temporary directory: the report and
// the samples are written, every criterion is judged, the calibration
// dataset is made, and the verdict of so short a soak is not a pass.
func TestSoakOnTheEmbeddedEngine(t *testing.T) {
	for _, k := range []string{"TARGET", "HARNESS", "SCRAPE_URL", "PROMETHEUS_URL", "SELECTOR"} {
		t.Setenv(k, "")
	}
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	// The short criteria evaluate every second: with the default ones (every
	// 15s) a 3s soak never reaches its second evaluation.
	env := map[string]string{"DURATION": "3s", "CRITERIA": "fixtures/criteria.short.yaml"}
	var out bytes.Buffer
	s, err := Prepare(Spec{
		Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Out:    &out, Root: root, Dir: filepath.Join(tmp, "soak"), DatasetsRoot: tmp, ProgressEvery: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	o, err := s.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", out.String())
	if len(o.Errors) > 0 {
		t.Fatalf("errors around the run: %v\n%s", o.Errors, out.String())
	}
	for _, f := range []string{soak.SamplesFile, soak.ReportJSONFile, soak.ReportMDFile} {
		if _, err := os.Stat(filepath.Join(tmp, "soak", f)); err != nil {
			t.Errorf("artifact %s: %v", f, err)
		}
	}
	if len(o.Report.Criteria) == 0 {
		t.Fatal("no criterion in the report")
	}
	// The soak really ran: the engine ticked and was sampled for the duration.
	if r := o.Report; r.Samples < 2 || r.Ticks <= 0 || r.Elapsed < 2*time.Second {
		t.Errorf("soak ran %s with %d samples and %g ticks, want about 3s, >= 2 samples, ticks > 0", r.Elapsed, r.Samples, r.Ticks)
	}
	if ds, _ := filepath.Glob(filepath.Join(tmp, "artifacts", "edge", "datasets", "soak-*")); len(ds) != 1 {
		t.Errorf("calibration datasets: got %v, want one soak-* under the datasets root", ds)
	}
	if o.Report.Verdict == soak.Pass && o.Failure != "" || o.Report.Verdict != soak.Pass && o.Failure == "" {
		t.Errorf("verdict %s with failure %q: a failure exactly when the verdict is not a pass", o.Report.Verdict, o.Failure)
	}
	if got := o.Attrs[1]; got != [2]string{"verdict", string(o.Report.Verdict)} {
		t.Errorf("verdict attribute: got %v", got)
	}
}

// TestPrepareRefusesBadInput: a bad DURATION or a fault plan for a running
// bot is refused before anything starts.
func TestPrepareRefusesBadInput(t *testing.T) {
	for _, k := range []string{"TARGET", "HARNESS", "SCRAPE_URL", "PROMETHEUS_URL", "SELECTOR"} {
		t.Setenv(k, "")
	}
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"duration": {map[string]string{"DURATION": "forever"}, `DURATION "forever"`},
		"criteria": {map[string]string{"DURATION": "1s", "CRITERIA": "no-such.yaml"}, "no-such.yaml"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Prepare(Spec{Lookup: func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }, Root: root, Dir: t.TempDir(), DatasetsRoot: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error naming %s", err, tc.want)
			}
		})
	}
}
