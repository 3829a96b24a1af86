package soakrun

import (
	"testing"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/soak"
	report "github.com/presoak/presoak/reports/readiness"
)

// A soak criterion's testcase speaks the readiness vocabulary: area,
// severity, value, want, source and fix first, in that order (the JUnit adds
// status from the outcome), so soak.junit.xml reads like readiness.junit.xml.
func TestJudgeSpeaksTheItemVocabulary(t *testing.T) {
	c := soak.CriterionReport{Name: "deadline", Signal: "deadline_miss_pct", Severity: criteria.Stop, Evaluated: 3, Action: "roll back pipeline"}
	j := Judge(&soak.Report{}, c)
	var want []string
	for _, k := range report.Vocabulary {
		if k != report.AttrStatus {
			want = append(want, k)
		}
	}
	if len(j.Attrs) < len(want) {
		t.Fatalf("attrs = %v, want at least %v", j.Attrs, want)
	}
	for i, k := range want {
		if j.Attrs[i][0] != k || j.Attrs[i][1] == "" {
			t.Errorf("attr %d = %v, want %s (non-empty)", i, j.Attrs[i], k)
		}
	}
}
