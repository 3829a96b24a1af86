package readiness

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/internal/golden"
)

// The job summary of each recorded stream (see TestWriteMarkdownGolden for
// where the streams come from): the verdict, and for ACTION REQUIRED each
// failed item with got, want, where and the fix.
func TestWriteStepSummaryGolden(t *testing.T) {
	cases := []struct {
		name   string
		stream string
		opts   Options
	}{
		{"base_only", "base_only.json", Options{}},
		{"ready_with_warning", "ready_with_warning.json", Options{}},
		{"build_failed", "build_failed.json", Options{}},
		{"runner_missing", "", Options{RunError: "cannot start go tool gotestsum: exec: \"go\": executable file not found in $PATH"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stream []byte
			if c.stream != "" {
				var err error
				if stream, err = os.ReadFile(filepath.Join("testdata", c.stream)); err != nil {
					t.Fatal(err)
				}
			}
			run, err := Parse(bytes.NewReader(stream))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			opts := c.opts
			opts.Version = "presoak test"
			var got bytes.Buffer
			if err := WriteStepSummary(&got, run, opts, "artifacts/reports/PRE_SOAK_REPORT.md"); err != nil {
				t.Fatalf("WriteStepSummary: %v", err)
			}
			if err := golden.Check(filepath.Join("testdata", "step_summary_"+c.name+".md"), got.Bytes(), *update); err != nil {
				t.Error(err)
			}
		})
	}
}

// The summary states the verdict the Markdown report states, and lists
// exactly the failed items: none for READY, every one for ACTION REQUIRED.
func TestWriteStepSummaryFailedItems(t *testing.T) {
	for _, c := range []struct {
		stream  string
		verdict Verdict
	}{{"base_only.json", ActionRequired}, {"ready_with_warning.json", Ready}} {
		data, err := os.ReadFile(filepath.Join("testdata", c.stream))
		if err != nil {
			t.Fatal(err)
		}
		run, err := Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteStepSummary(&b, run, Options{}, ""); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		s := Summarize(run, Options{})
		if s.Verdict != c.verdict {
			t.Fatalf("%s: verdict %s, want %s", c.stream, s.Verdict, c.verdict)
		}
		if !strings.Contains(out, "presoak readiness: "+string(c.verdict)) {
			t.Errorf("%s: summary does not state %s:\n%s", c.stream, c.verdict, out)
		}
		for _, it := range s.Failed {
			if !strings.Contains(out, "`"+it.Test+"`") {
				t.Errorf("%s: failed item %s missing from the summary", c.stream, it.Test)
			}
		}
		if rows := strings.Count(out, "\n| ") - 1; len(s.Failed) > 0 && rows != len(s.Failed) {
			t.Errorf("%s: %d table rows, want %d failed items", c.stream, rows, len(s.Failed))
		}
		if len(s.Failed) == 0 && strings.Contains(out, "| Area |") {
			t.Errorf("%s: READY summary has a failed-items table:\n%s", c.stream, out)
		}
	}
}
