package baseline

import (
	"bytes"
	"encoding/xml"
	"flag"
	"github.com/presoak/presoak/internal/golden"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func sampleView() View {
	ms := func(f float64) time.Duration { return time.Duration(f * 1e6) }
	start := time.Date(2025, 10, 11, 2, 0, 0, 0, time.UTC)
	return View{
		Title: "Shadow baseline", Clock: "simulated", LatencySource: "modeled by the engine's latency profile",
		Start: start, End: start.Add(210 * time.Second), Duration: 210 * time.Second,
		Ticks: 2099, DeadlineMissPct: 0, HitRatioPct: 76,
		DeadlineMissBudget: "rate < 2%", DeadlineMissPass: true,
		HitRatioBudget: ">= 70%", HitRatioPass: true,
		ConfigHash: "3f2a", GitCommit: "abc123", SVGName: "stage_budgets.svg",
		Stages: []Stage{
			{Name: "fetch_md", Count: 2099, P50: ms(0.05), P95: ms(33.1), P99: ms(41), Max: ms(120), P95Low: ms(31.9), P95High: ms(34.2), Budget: ms(35), Confidence: "high"},
			{Name: "quote", Count: 2099, P50: 400, P95: 400, P99: 400, Max: 400, P95Low: 400, P95High: 400, Budget: ms(1), Confidence: "high"},
			{Name: "submit", Count: 50, P50: ms(4), P95: ms(70), P99: ms(90), Max: ms(90), Budget: ms(25), Confidence: "insufficient"},
			{Name: "tick_total", Count: 2099, P50: ms(22), P95: ms(50), P99: ms(61), Max: ms(130), P95Low: ms(48), P95High: ms(52)},
		},
		Regressions: []Regression{{Stage: "fetch_md", Status: "OK", Reason: "fetch_md p95 33.1ms -> 33.0ms"}},
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	if err := golden.Check(filepath.Join("testdata", name), got, *update); err != nil {
		t.Error(err)
	}
}

func TestWriteMarkdown(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, sampleView()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "visualization.md", buf.Bytes())
	for _, want := range []string{"modeled by the engine's latency profile", "❌ OVER", "![p95 against budget per stage](stage_budgets.svg)", "31.9ms – 34.2ms"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestWriteMarkdownPartial(t *testing.T) {
	t.Parallel()
	v := sampleView()
	v.Partial, v.PartialReason = true, "interrupted (SIGINT) after 41s of 60m"
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "**PARTIAL RUN**: interrupted (SIGINT) after 41s of 60m") {
		t.Errorf("partial run not marked:\n%s", buf.String())
	}
}

func TestWriteSVG(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteSVG(&buf, sampleView()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "stage_budgets.svg", buf.Bytes())
	// well-formed XML
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	for {
		_, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("SVG is not well-formed XML: %v", err)
			}
			break
		}
	}
}

// TestBucketErrorStated: percentiles read from histograms carry their
// bucket error and source in visualization.md; exact ones add nothing.
func TestBucketErrorStated(t *testing.T) {
	v := sampleView()
	v.Source, v.Target = "histogram buckets (bucket error stated)", "127.0.0.1:9100 read through scrape"
	v.Stages[0].P50Bucket, v.Stages[0].P95Bucket, v.Stages[0].P99Bucket = "bucket 0s..1ms, error <= 0.95ms", "bucket 25ms..50ms, error <= 16.9ms", "bucket 25ms..50ms, error <= 9ms"
	var b bytes.Buffer
	if err := WriteMarkdown(&b, v); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"percentiles from: **histogram buckets (bucket error stated)**", "- bot: 127.0.0.1:9100 read through scrape", "## Bucket error",
		"| fetch_md | bucket 0s..1ms, error <= 0.95ms | bucket 25ms..50ms, error <= 16.9ms | bucket 25ms..50ms, error <= 9ms |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := WriteMarkdown(&b, sampleView()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Bucket error") {
		t.Errorf("exact percentiles with a bucket error section:\n%s", b.String())
	}
}
