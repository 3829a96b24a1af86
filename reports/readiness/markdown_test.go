package readiness

import (
	"bytes"
	"flag"
	"github.com/presoak/presoak/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The streams in testdata/ are recorded from real runs:
//
//	base_only.json           CONFIG=fixtures/config.yaml go test -json -count=1 -run '^(TestConfigAndFlags|TestLogs|TestBaseline|TestMDCache|TestMonitoring)$' ./readiness/
//	ready_with_warning.json  the same with CONFIG=fixtures/config.yaml,fixtures/config.soak_overrides.yaml,reports/readiness/testdata/queue_aware_off.yaml
//	interrupted.json         gotestsum --jsonfile of a package whose slow subtest got SIGINT
//	build_failed.json        go test -json ./... on a module with a package that does not compile
func TestWriteMarkdownGolden(t *testing.T) {
	now := time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC)
	cases := []struct {
		name   string
		stream string
		opts   Options
	}{
		{"base_only", "base_only.json", Options{}},
		{"ready_with_warning", "ready_with_warning.json", Options{}},
		{"interrupted", "interrupted.json", Options{Interrupted: true}},
		{"build_failed", "build_failed.json", Options{}},
		{"runner_missing", "", Options{RunError: "cannot start go tool gotestsum: exec: \"go\": executable file not found in $PATH"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
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
			opts.Now, opts.Version = now, "presoak test"
			opts.Command = "go tool gotestsum -- -count=1 ./readiness/..."
			var got bytes.Buffer
			if err := WriteMarkdown(&got, run, opts); err != nil {
				t.Fatalf("WriteMarkdown: %v", err)
			}
			if err := golden.Check(filepath.Join("testdata", c.name+".md"), got.Bytes(), *update); err != nil {
				t.Error(err)
			}
		})
	}
}

// The report states what the Done-when needs: the three config items with
// got, want, where and fix; the verdict with the count; the formula.
func TestBaseOnlyReportNamesTheThreeConfigItems(t *testing.T) {
	stream, err := os.ReadFile("testdata/base_only.json")
	if err != nil {
		t.Fatal(err)
	}
	run, err := Parse(bytes.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, run, Options{}); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"**Verdict: ❌ ACTION REQUIRED** — 3 blocking items failed",
		"### ❌ Config & Flags — pipeline_enabled",
		"### ❌ Config & Flags — md_cache_enabled",
		"### ❌ Config & Flags — taker_cap_max_taker_share_pct",
		"- **Where:** fixtures/config.yaml:19",
		"- **Fix:** set it to true in an override (e.g. fixtures/config.soak_overrides.yaml)",
		"- **Got:** 10",
		"- **Want:** <= 9",
		"Readiness = passed blocking items ÷ evaluated blocking items × 100",
		"| Config hash | `",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(out, "### ❌"); n != 3 {
		t.Errorf("report lists %d failed items, want 3", n)
	}
}
