package baseline

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/presoak/presoak/internal/durfmt"
)

// chartWidth is the number of characters of a full-scale bar.
const chartWidth = 48

// WriteMarkdown renders visualization.md.
func WriteMarkdown(w io.Writer, v View) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	title := v.Title
	if title == "" {
		title = "Latency baseline"
	}
	p("# %s\n\n", title)
	if v.Partial {
		p("> **PARTIAL RUN**: %s. The figures cover only what ran.\n\n", orDefault(v.PartialReason, "the run ended early"))
	}
	p("- clock: **%s** — latencies are %s\n", v.Clock, v.LatencySource)
	if v.Source != "" {
		p("- percentiles from: **%s**\n", v.Source)
	}
	if v.Target != "" {
		p("- bot: %s\n", v.Target)
	}
	p("- run: %s → %s (%s), %d ticks\n", stamp(v.Start), stamp(v.End), v.Duration.Round(time.Second), v.Ticks)
	p("- deadline misses: %.2f%% %s\n", v.DeadlineMissPct, verdict(v.DeadlineMissBudget, v.DeadlineMissPass))
	p("- MD-cache hit ratio: %.1f%% %s\n", v.HitRatioPct, verdict(v.HitRatioBudget, v.HitRatioPass))
	p("- config hash: `%s`, git commit: `%s`\n\n", orDefault(v.ConfigHash, "unknown"), orDefault(v.GitCommit, "unknown"))

	p("## Percentiles against budgets\n\n")
	p("| stage | n | p50 | p95 | p95 95%% CI | p99 | max | p95 budget | verdict | confidence |\n")
	p("|---|---:|---:|---:|---|---:|---:|---:|---|---|\n")
	for _, s := range v.Stages {
		ci := "n/a"
		if s.P95High > 0 {
			ci = durfmt.Latency(s.P95Low) + " – " + durfmt.Latency(s.P95High)
		}
		budget, verdict := "—", "no budget"
		if s.Budget > 0 {
			budget = "< " + durfmt.Latency(s.Budget)
			verdict = "✅ PASS"
			if s.Over() {
				verdict = "❌ OVER"
			}
		}
		if s.Count == 0 {
			verdict = "❌ NO SAMPLES"
		}
		p("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			s.Name, s.Count, durfmt.Latency(s.P50), durfmt.Latency(s.P95), ci, durfmt.Latency(s.P99), durfmt.Latency(s.Max), budget, verdict, orDefault(s.Confidence, "—"))
	}
	p("\n")
	if v.SVGName != "" {
		p("![p95 against budget per stage](%s)\n\n", v.SVGName)
	}

	writeBucketErrors(bw, v.Stages)

	p("## Charts\n\n")
	p("Each stage on its own scale; `|` marks the p95 budget, `#` the percentile.\n\n```text\n")
	for _, s := range v.Stages {
		writeStageChart(bw, s)
	}
	p("```\n")

	if len(v.Regressions) > 0 {
		p("\n## Against the frozen baseline\n\n| stage | status | detail |\n|---|---|---|\n")
		for _, r := range v.Regressions {
			p("| %s | %s | %s |\n", r.Stage, r.Status, r.Reason)
		}
	}
	return bw.Flush()
}

// writeStageChart draws p50, p95 and p99 bars scaled so that the larger of
// the budget and p99 fits, with the budget marked.
func writeStageChart(w io.Writer, s Stage) {
	budget := "no budget"
	if s.Budget > 0 {
		budget = "p95 budget " + durfmt.Latency(s.Budget)
	}
	fmt.Fprintf(w, "%s (n=%d, %s)\n", s.Name, s.Count, budget)
	full := max(s.P99, s.Budget*5/4, 1)
	mark := -1
	if s.Budget > 0 {
		mark = scale(s.Budget, full)
	}
	for _, row := range []struct {
		label string
		d     time.Duration
	}{{"p50", s.P50}, {"p95", s.P95}, {"p99", s.P99}} {
		bar := []byte(strings.Repeat(" ", chartWidth+1))
		for i := 0; i < scale(row.d, full); i++ {
			bar[i] = '#'
		}
		if mark >= 0 {
			bar[mark] = '|'
		}
		fmt.Fprintf(w, "  %s %s %s\n", row.label, string(bar), durfmt.Latency(row.d))
	}
	fmt.Fprintln(w)
}

func scale(d, full time.Duration) int {
	n := int(float64(d) / float64(full) * chartWidth)
	return min(max(n, 0), chartWidth)
}

func verdict(expr string, pass bool) string {
	if expr == "" {
		return "(no budget)"
	}
	if pass {
		return "(budget " + expr + ": ✅ PASS)"
	}
	return "(budget " + expr + ": ❌ FAIL)"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format(time.RFC3339)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeBucketErrors states the bucket error of percentiles read from
// histograms: the bucket each lies in and the most it can be off.
func writeBucketErrors(w io.Writer, stages []Stage) {
	found := false
	for _, s := range stages {
		found = found || s.P95Bucket != ""
	}
	if !found {
		return
	}
	fmt.Fprintf(w, "## Bucket error\n\n")
	fmt.Fprintf(w, "The percentiles above are interpolated inside histogram buckets (as Prometheus's histogram_quantile does): any value of the bucket is consistent with the counts, so each can be off by up to the error shown. A verdict whose bucket contains the budget has confidence low.\n\n")
	fmt.Fprintf(w, "| stage | p50 | p95 | p99 |\n|---|---|---|---|\n")
	for _, s := range stages {
		if s.P95Bucket == "" {
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", s.Name, s.P50Bucket, s.P95Bucket, s.P99Bucket)
	}
	fmt.Fprintln(w)
}
