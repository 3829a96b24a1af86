package monitoring

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
	rmon "github.com/presoak/presoak/reports/monitoring"
)

// GroupName is the Prometheus rule group presoak generates.
const GroupName = "presoak"

// Quantiles are the percentiles the stage latency panels draw.
var Quantiles = []float64{0.5, 0.95, 0.99}

// Inputs are what the monitoring assets are generated from.
type Inputs struct {
	// Spec is the validated criteria spec (required).
	Spec *criteria.Spec
	// Budgets are the latency budgets drawn on the stage panels (optional).
	Budgets *budget.Set
	// Options say how to read the bot's metrics (names, selector, baseline).
	Options Options
	// Sources say where each input came from, one line each
	// ("criteria fixtures/criteria.yaml sha256:…"); they head every asset.
	Sources []string
}

// Build turns the inputs into the model the renderers draw: a recording rule
// per signal and window (every signal, with DefaultWindow when no criterion
// names it), an alerting rule per criterion, the stage panels and the notes.
func Build(in Inputs) (rmon.Model, error) {
	if in.Spec == nil || len(in.Spec.Criteria) == 0 {
		return rmon.Model{}, fmt.Errorf("build monitoring: no criteria")
	}
	o := in.Options
	spec, notApplied, err := in.Spec.ForProfile(o.prof().DeclaredKinds(), profile.Vocabulary())
	if err != nil {
		return rmon.Model{}, fmt.Errorf("build monitoring: %w", err)
	}
	in.Spec = spec
	m := rmon.Model{
		Title:              "presoak soak",
		UID:                "presoak-soak",
		Inputs:             in.Sources,
		Group:              GroupName,
		EvaluationInterval: in.Spec.EvaluationInterval,
	}
	if len(o.Baseline) > 0 {
		m.Recordings = append(m.Recordings, rmon.Recording{Record: BaselineRecord, Expr: BaselineExpr(o.Baseline)})
	}
	windows := map[signal.Name][]time.Duration{}
	for _, c := range in.Spec.Criteria {
		windows[c.Signal] = appendUnique(windows[c.Signal], c.Window)
	}
	records := map[string]bool{}
	for _, n := range Signals {
		ws := windows[n]
		if len(ws) == 0 {
			ws = []time.Duration{DefaultWindow}
		}
		sort.Slice(ws, func(i, j int) bool { return ws[i] < ws[j] })
		for _, w := range ws {
			expr, err := SignalExpr(n, w, o)
			if err != nil {
				return rmon.Model{}, fmt.Errorf("build monitoring: %w", err)
			}
			rec := RecordName(n, w)
			if records[rec] {
				continue
			}
			records[rec] = true
			m.Recordings = append(m.Recordings, rmon.Recording{Record: rec, Expr: expr})
			sig := rmon.Signal{Name: string(n), Record: rec, Expr: expr, Window: w, Unit: Unit(n), Description: Describe(n)}
			for _, c := range in.Spec.Criteria {
				if c.Signal == n && c.Window == w {
					sig.Thresholds = append(sig.Thresholds, rmon.Threshold{Criterion: c.Name, Severity: string(c.Severity), Op: string(c.Op), Value: c.Threshold})
				}
			}
			m.Signals = append(m.Signals, sig)
		}
	}
	for _, c := range in.Spec.Criteria {
		if !c.Declared() {
			continue
		}
		rec := DeclaredRecordName(c)
		expr, err := DeclaredExpr(c, in.Spec.EvaluationInterval, o)
		if err != nil {
			return rmon.Model{}, fmt.Errorf("build monitoring: %w", err)
		}
		th := rmon.Threshold{Criterion: c.Name, Severity: string(c.Severity), Op: string(c.Op), Value: c.Threshold}
		if records[rec] {
			for i := range m.Signals {
				if m.Signals[i].Record == rec {
					m.Signals[i].Thresholds = append(m.Signals[i].Thresholds, th)
				}
			}
			continue
		}
		records[rec] = true
		m.Recordings = append(m.Recordings, rmon.Recording{Record: rec, Expr: expr})
		desc := fmt.Sprintf("%s of the profile's signal %s over the window", c.Over, c.Signal)
		if c.Over == signal.OverRatio {
			desc = fmt.Sprintf("increase of the profile's %s / increase of its %s over the window, %%", c.Signal, c.Of)
		}
		m.Signals = append(m.Signals, rmon.Signal{Name: string(c.Signal), Record: rec, Expr: expr, Window: c.Window,
			Unit: unitOf(c), Description: desc, Thresholds: []rmon.Threshold{th}})
	}
	for _, c := range in.Spec.Criteria {
		if !records[recordOf(c)] {
			return rmon.Model{}, fmt.Errorf("build monitoring: criterion %s: unknown signal %q", c.Name, c.Signal)
		}
		m.Alerts = append(m.Alerts, Alert(c))
	}
	m.Stages = append(stages(in.Budgets, o), declaredStages(in.Budgets, o)...)
	m.Breakers = rmon.Breakers{Expr: BreakersExpr(o), CriticalExpr: CriticalBreakersNowExpr(o)}
	m.Notes = notes(o)
	m.Notes = append(m.Notes, notApplied...)
	return m, nil
}

// Alert is the alerting rule of one criterion.
func Alert(c criteria.Criterion) rmon.Alert {
	rec := recordOf(c)
	return rmon.Alert{
		Name:      AlertName(c.Name),
		Criterion: c.Name, Signal: string(c.Signal), Record: rec,
		Expr: rec + " " + string(c.Op) + " " + rmon.FormatNumber(c.Threshold),
		Op:   string(c.Op), Threshold: c.Threshold, Unit: unitOf(c),
		Window: c.Window, For: c.For, Severity: string(c.Severity),
		Description: c.Description, Action: c.Action,
	}
}

// AlertName is a criterion's alertname: "Presoak" and the name in
// CamelCase (deadline_miss_stop -> PresoakDeadlineMissStop).
func AlertName(criterion string) string {
	var b strings.Builder
	b.WriteString("Presoak")
	for _, part := range strings.Split(criterion, "_") {
		if part == "" {
			continue
		}
		r := []rune(part)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

func appendUnique(ws []time.Duration, w time.Duration) []time.Duration {
	for _, x := range ws {
		if x == w {
			return ws
		}
	}
	return append(ws, w)
}

func stages(set *budget.Set, o Options) []rmon.Stage {
	out := make([]rmon.Stage, 0, len(Stages))
	for _, st := range Stages {
		s := rmon.Stage{Name: st}
		for _, q := range Quantiles {
			s.Quantiles = append(s.Quantiles, rmon.Quantile{Q: q, Expr: StageQuantileExpr(st, q, DefaultWindow, o)})
		}
		if set != nil {
			for _, b := range set.For(st) {
				if b.Kind != budget.Latency {
					continue
				}
				bq := 0.0
				if b.Agg.Func == "p" {
					bq = b.Agg.Percentile / 100
				}
				s.Budgets = append(s.Budgets, rmon.Budget{Text: b.Expr, Q: bq, Seconds: b.Threshold / 1e9})
			}
		}
		out = append(out, s)
	}
	return out
}

func notes(o Options) []string {
	n := []string{
		"Ratios (deadline miss, hit ratio, taker share, errors) are ratios of counter increases over the criterion's window. PromQL's increase() extrapolates to the window's edges, but numerator and denominator by the same factor, so the ratio is presoak's (last minus first sample in (t-window, t]), except right after a counter starts from 0, where Prometheus stops extrapolating at zero.",
		"Memory growth: presoak takes the smaller Theil-Sen slope of the window's two halves, fitted through per-bucket means (a one-off step or GC sawtooth is not growth); PromQL has no robust slope, so the rules use deriv() (least squares) over the whole window. They agree on steady growth; after a one-off step deriv() reports growth for up to a window where presoak does not. Both give no value until the series is about 3/4 of a window old (presoak: a quarter of the buckets in each half of the window).",
		"Range selection: presoak's window is (t-window, t], as Prometheus 3's range selectors: a sample exactly at t-window is out (Prometheus 2.x included it, so on 2.x an alert can fire one evaluation later than presoak).",
		"Latency percentiles: presoak interpolates inside histogram buckets exactly as histogram_quantile() does, on the window's bucket increases; stages faster than the smallest bucket have no meaningful p95 in either.",
		"No data: a criterion without data is reset in presoak exactly as a Prometheus alert whose expression returns nothing (pending is dropped, firing resolves; the for-duration starts again when data returns). target_down covers a bot that cannot be read in both.",
		"critical_breakers_open over a window: a breaker counts once it was open at every sample of a window-long stretch (with a sample before it) that ended within the last window, looked for at a 1s resolution (PromQL: a subquery of min_over_time), so the window is how long it was open, to a scrape interval, whatever the evaluation phase. presoak counts the breakers open at once at each sample, PromQL each breaker on its own: they agree whenever at most one is open; with several taking turns presoak counts the stretch and PromQL does not.",
	}
	if len(o.Baseline) == 0 {
		n = append(n, "No frozen baseline was given: "+BaselineRecord+" is not recorded, so p95_regression_pct has no value and its alert cannot fire. Run `make baseline-freeze`, then `make monitoring`.")
	}
	return n
}
