package bench

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/presoak/presoak/harness/baseline"

	"github.com/presoak/presoak/internal/durfmt"
)

// Measure is the budgets' measurement: on the simulated clock
// (baseline.SimulatedClock) the whole committed recording after a warm-up,
// on the real clock a shadow run of duration d (ctx ends it early, partial).
func Measure(ctx context.Context, o baseline.Options, clock string, d time.Duration) (*baseline.Run, error) {
	switch clock {
	case baseline.SimulatedClock, "":
		return baseline.MeasureSim(o)
	case baseline.RealClock:
		o.Duration = d
		return baseline.Shadow(ctx, o)
	}
	return nil, fmt.Errorf("measure budgets: unknown clock %q (want simulated or real)", clock)
}

// Row is one budget in the table.
type Row struct {
	Target, P50, P95, P99, Budget, Observed, Verdict string
	Pass                                             bool
}

// Table is the budgets evaluated on a run.
type Table struct {
	// Clock and LatencySource say what the latencies are.
	Clock, LatencySource string
	Ticks                int64
	Rows                 []Row
}

// Failed are the rows that did not pass.
func (t Table) Failed() []Row {
	var out []Row
	for _, r := range t.Rows {
		if !r.Pass {
			out = append(out, r)
		}
	}
	return out
}

// TableOf builds the table of a run's budget results, in budgets-file order.
func TableOf(run *baseline.Run) Table {
	b := run.Baseline
	t := Table{Clock: b.Clock, LatencySource: b.LatencySource, Ticks: b.Ticks}
	for _, res := range run.Results {
		row := Row{Target: res.Budget.Target, Budget: res.Budget.Expr, Observed: res.FormatObserved(), Pass: res.Pass, P50: "—", P95: "—", P99: "—"}
		if st, ok := b.Stage(res.Budget.Target); ok {
			row.P50, row.P95, row.P99 = ms(st.P50Ms), ms(st.P95Ms), ms(st.P99Ms)
		}
		switch {
		case res.Err != nil:
			row.Verdict = "FAIL (no samples)"
		case res.Pass:
			row.Verdict = "PASS"
		default:
			row.Verdict = "FAIL"
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func ms(v float64) string { return durfmt.Latency(time.Duration(v * 1e6)) }

// Write prints the table and a verdict line.
func (t Table) Write(w io.Writer) error {
	fmt.Fprintf(w, "latency budgets on the %s clock, %d ticks: latencies %s\n\n", t.Clock, t.Ticks, t.LatencySource)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "stage\tp50\tp95\tp99\tbudget\tobserved\tverdict")
	for _, r := range t.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Target, r.P50, r.P95, r.P99, r.Budget, r.Observed, r.Verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if failed := t.Failed(); len(failed) > 0 {
		names := make([]string, len(failed))
		for i, r := range failed {
			names[i] = r.Target + " " + r.Budget
		}
		_, err := fmt.Fprintf(w, "\nFAIL: %d of %d budgets over: %s\n", len(failed), len(t.Rows), strings.Join(names, "; "))
		return err
	}
	_, err := fmt.Fprintf(w, "\nPASS: all %d budgets met\n", len(t.Rows))
	return err
}
