package soak

import (
	"fmt"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/criteria"
)

// Markdown renders the report for people: verdict, timeline of conditions,
// final signal table.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Soak report\n\n")
	fmt.Fprintf(&b, "**Verdict: %s** — %s\n\n", strings.ToUpper(string(r.Verdict)), r.Reason)
	clock := "real clock"
	if r.Simulated {
		clock = "simulated clock"
	}
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| start | %s |\n| end | %s |\n", stamp(r.Start), stamp(r.End))
	fmt.Fprintf(&b, "| elapsed | %s of %s (%s) |\n", r.Elapsed.Round(time.Second), r.Duration, clock)
	fmt.Fprintf(&b, "| ticks | %.0f |\n| samples | %d |\n| evaluations | %d (every %s) |\n", r.Ticks, r.Samples, r.Evaluations, r.EvaluationInterval)
	if r.Resumed > 0 {
		fmt.Fprintf(&b, "| resumed | from %d samples of an earlier run |\n", r.Resumed)
	}
	for _, n := range r.NotApplied {
		fmt.Fprintf(&b, "| not applied | %s |\n", n)
	}
	if r.Repaired != "" {
		fmt.Fprintf(&b, "| samples repaired | %s |\n", r.Repaired)
	}
	if r.InterruptedBy != "" {
		fmt.Fprintf(&b, "| interrupted by | %s |\n", r.InterruptedBy)
	}
	fmt.Fprintf(&b, "| instances | %s |\n| criteria | %s |\n| samples file | %s |\n\n", strings.Join(r.Instances, ", "), r.CriteriaFile, r.SamplesFile)

	if r.Stop != nil {
		f := r.Stop
		fmt.Fprintf(&b, "## Stopped by `%s`\n\n", f.Criterion)
		fmt.Fprintf(&b, "%s = **%s** %s %v since %s (pending), fired at %s after %s (for: %s) on %s.\n\n",
			f.Signal, f.Value, f.Op, f.Threshold, stamp(f.Since), stamp(f.At), f.At.Sub(f.Since), f.For, f.Instance)
		fmt.Fprintf(&b, "%s\n\n**What to do:** %s\n\n", f.Description, f.Action)
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(&b, "## Warnings\n\n| criterion | since | fired | value | condition | what to do |\n|---|---|---|---|---|---|\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s %s %v | %s |\n", w.Criterion, stamp(w.Since), stamp(w.At), w.Value, w.Signal, w.Op, w.Threshold, w.Action)
		}
		b.WriteString("\n")
	}

	b.WriteString("## Final signals\n\n| criterion | severity | signal | value | condition | window | for | state | evaluated | fired | worst |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range r.Criteria {
		worst := "—"
		if c.HasWorst {
			worst = fmt.Sprintf("%.4g", c.Worst)
		}
		state := c.State.String()
		if c.Evaluated == 0 {
			state = "not evaluated (no data)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s %v | %s | %s | %s | %d | %d | %s |\n",
			c.Name, c.Severity, c.Signal, c.Value, c.Op, c.Threshold, c.Window, c.For, state, c.Evaluated, c.Fired, worst)
	}
	b.WriteString("\n## Timeline\n\n")
	if len(r.Timeline) == 0 {
		b.WriteString("No criterion left the inactive state.\n")
	} else {
		b.WriteString("| at | elapsed | criterion | severity | from | to | value |\n|---|---|---|---|---|---|---|\n")
		for _, e := range r.Timeline {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", stamp(e.At), e.At.Sub(r.Start).Round(time.Second), e.Criterion, e.Severity, e.From, e.To, e.Value)
		}
		if r.TimelineDropped > 0 {
			fmt.Fprintf(&b, "\n%d later transitions not shown (see samples.jsonl).\n", r.TimelineDropped)
		}
	}
	b.WriteString("\n## Criteria\n\n")
	for _, c := range r.Criteria {
		kind := "stop"
		if c.Severity == criteria.Warn {
			kind = "warning"
		}
		fmt.Fprintf(&b, "- **%s** (%s): `%s %s %v` over %s for %s. %s *What to do:* %s\n", c.Name, kind, c.Signal, c.Op, c.Threshold, c.Window, c.For, c.Description, c.Action)
	}
	return b.String()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}
