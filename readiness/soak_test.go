//go:build soak

package readiness

import (
	"os"
	"testing"

	"github.com/presoak/presoak/harness/soakrun"
	"github.com/presoak/presoak/internal/runctx"
)

// TestSoak is the soak under stop criteria (make soak DURATION=72h): the
// harness's target (TARGET, fixtures/presoak.yaml: the embedded engine by
// default, or a running bot through scrape or prometheus) on the real clock
// for DURATION (default 72h), sampled and judged every evaluation_interval
// by CRITERIA (unset: the bot profile's criteria:, else fixtures/criteria.yaml), a progress line every
// minute, artifacts in artifacts/soak/ (samples.jsonl, soak_report.json,
// soak_report.md). It stops at once when a stop criterion fires, writes the
// incident bundle (artifacts/soak/incident-<time>/; ON_STOP=rollback also
// applies and verifies the rollback) and fails naming the criterion. One
// subtest per criterion (the JUnit testcases). The embedded engine's quotes
// and fills go to a calibration dataset (artifacts/edge/datasets/soak-*).
// RESUME=1 continues an interrupted soak from its samples.jsonl;
// FAULTS=plan.yaml injects a fault plan into the embedded engine. CONFIG
// empty with a running bot reads no config files. SIGINT, SIGTERM or an
// approaching -timeout end it early: the report is written, marked
// interrupted, and the samples are kept. The wiring is harness/soakrun.
func TestSoak(t *testing.T) {
	s, err := soakrun.Prepare(soakrun.Spec{Lookup: os.LookupEnv, Out: os.Stdout})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	deadline, ok := t.Deadline()
	ctx, stop := runctx.New(deadline, ok, soakrun.StopMargin)
	defer stop()
	out, err := s.Run(ctx)
	for _, e := range out.Errors {
		t.Error(e)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range out.Attrs {
		t.Attr(kv[0], kv[1])
	}
	for _, c := range out.Report.Criteria {
		t.Run(c.Name, func(t *testing.T) {
			j := soakrun.Judge(out.Report, c)
			for _, kv := range j.Attrs {
				t.Attr(kv[0], kv[1])
			}
			if j.Warning != "" {
				t.Logf("warning: %s", j.Warning)
			}
			switch {
			case j.Error != "":
				t.Error(j.Error)
			case j.Skip != "":
				t.Skip(j.Skip)
			}
		})
	}
	if out.Failure != "" {
		t.Error(out.Failure)
	}
}
