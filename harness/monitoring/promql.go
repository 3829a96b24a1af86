package monitoring

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
	rmon "github.com/presoak/presoak/reports/monitoring"
)

// RecordPrefix starts the name of every series presoak records.
const RecordPrefix = "presoak:"

// DefaultWindow is the look-back of a signal no criterion names a window for
// (its dashboard panel and recording rule) and of the stage latency panels.
const DefaultWindow = 5 * time.Minute

// BaselineRecord holds the frozen baseline's p95 per stage, in seconds.
const BaselineRecord = RecordPrefix + "stage_p95_baseline_seconds"

// TickTotal is the stage name of the whole tick (the tick histogram).
const TickTotal = "tick_total"

// Stages are the pipeline stages in pipeline order, then the whole tick.
var Stages = []string{"fetch_md", "fair_value", "spread", "quote", "risk", "submit", TickTotal}

// Options say how to read a bot's metrics. The zero value reads the
// reference engine's profile grouped by job and instance.
type Options struct {
	// Profile declares the bot's signals: the expressions are written from
	// its selectors (names, label matchers, units). nil: the reference
	// engine's (profile.Default).
	Profile *profile.Profile
	// Selector holds label matchers added to every metric selector, e.g.
	// `job="mm-bot"` (no braces); empty selects every series.
	Selector string
	// Baseline is the frozen baseline's p95 per stage, in seconds; without
	// it the p95-regression signal has nothing to compare with and stays
	// empty (the checklist says so).
	Baseline map[string]float64
}

// by is the grouping every signal keeps: one value per bot.
const by = "job, instance"

// sel writes metric{selector, matchers...}.
func (o Options) sel(metric string, matchers ...string) string {
	var ms []string
	if s := strings.TrimSpace(o.Selector); s != "" {
		ms = append(ms, s)
	}
	ms = append(ms, matchers...)
	if len(ms) == 0 {
		return metric
	}
	return metric + "{" + strings.Join(ms, ", ") + "}"
}

// prof is the profile the expressions are written from.
func (o Options) prof() *profile.Profile {
	if o.Profile != nil {
		return o.Profile
	}
	return profile.Default()
}

// signal is the profile's signal of a role; a role the profile does not
// declare is the reference engine's (so that an expression stays whole).
func (o Options) signal(role string) *profile.Signal {
	if s := o.prof().Signal(role); s != nil {
		return s
	}
	return profile.Default().Signal(role)
}

// sigSel writes a signal's selector (metric+suffix) with the Selector's
// matchers first, then the signal's, then extra.
func (o Options) sigSel(role, suffix string, extra ...string) string {
	s := o.signal(role)
	ms := make([]string, 0, len(s.Matchers)+len(extra))
	for _, m := range s.Matchers {
		ms = append(ms, m.String())
	}
	return o.sel(s.Metric+suffix, append(ms, extra...)...)
}

// increaseOf sums a signal's increase over the window per bot.
func (o Options) increaseOf(role string, window time.Duration) string {
	return fmt.Sprintf("sum by (%s) (increase(%s[%s]))", by, o.sigSel(role, ""), Range(window))
}

// increaseOfBoth is the increase of two signals together (hits and
// misses, maker and taker). Two label values of one metric read as one
// selector (label=~"a|b"); two metrics are added, either alone counting
// when the other has no series yet.
func (o Options) increaseOfBoth(a, b string, window time.Duration) string {
	sa, sb := o.signal(a), o.signal(b)
	if sa.Metric == sb.Metric && len(sa.Matchers) == 1 && len(sb.Matchers) == 1 {
		ma, mb := sa.Matchers[0], sb.Matchers[0]
		if ma.Name == mb.Name && ma.Type == labels.MatchEqual && mb.Type == labels.MatchEqual {
			return o.increase(sa.Metric, window, fmt.Sprintf("%s=~%q", ma.Name, regexp.QuoteMeta(ma.Value)+"|"+regexp.QuoteMeta(mb.Value)))
		}
	}
	x, y := o.increaseOf(a, window), o.increaseOf(b, window)
	return fmt.Sprintf("(%s + %s or %s or %s)", x, y, x, y)
}

// scaled multiplies a latency expression into seconds when the signal is
// in milliseconds.
func (o Options) scaled(role, expr string) string {
	if f := o.signal(role).Scale(); f != 1 {
		return fmt.Sprintf("(%s * %s)", expr, strconv.FormatFloat(f, 'g', -1, 64))
	}
	return expr
}

// stageLabel is the label naming a stage in the stage histogram.
func (o Options) stageLabel() string {
	if by := o.signal("stage_latency").By; len(by) > 0 {
		return by[0]
	}
	return "stage"
}

// Range writes a duration as a PromQL range ("10m").
func Range(d time.Duration) string { return rmon.FormatDuration(d) }

// RecordName is the recorded series of a signal over a window:
// presoak:<signal>:<window>, or presoak:<signal> for an instant signal.
func RecordName(n signal.Name, window time.Duration) string {
	if window <= 0 {
		return RecordPrefix + string(n)
	}
	return RecordPrefix + string(n) + ":" + Range(window)
}

// Windowed says whether a signal needs a window (a rate, a slope, a
// histogram delta); the others read the newest sample without one.
func Windowed(n signal.Name) bool {
	return n != signal.TargetDown && n != signal.CriticalBreakersOpen && n != signal.ResidentMemoryMB
}

// Unit is a signal's unit, as thresholds are written in it.
func Unit(n signal.Name) string {
	switch n {
	case signal.MemoryGrowthMBPerH:
		return "MB/h"
	case signal.ResidentMemoryMB:
		return "MB"
	case signal.CriticalBreakersOpen:
		return "count"
	case signal.TargetDown:
		return "bool"
	default:
		return "percent"
	}
}

// Signals lists every signal in report order.
var Signals = []signal.Name{
	signal.DeadlineMissPct, signal.MDCacheHitPct, signal.TakerSharePct, signal.ErrorPct,
	signal.MemoryGrowthMBPerH, signal.ResidentMemoryMB, signal.CriticalBreakersOpen, signal.P95RegressionPct, signal.TargetDown,
	signal.ScrapeFailurePct,
}

// Describe says in one line how a signal is computed.
func Describe(n signal.Name) string {
	switch n {
	case signal.DeadlineMissPct:
		return "deadline misses / ticks over the window, %"
	case signal.MDCacheHitPct:
		return "MD-cache hits / (hits + misses) over the window, %"
	case signal.TakerSharePct:
		return "taker / (maker + taker) filled volume over the window, %"
	case signal.ErrorPct:
		return "tick errors (all stages) / ticks over the window, %"
	case signal.MemoryGrowthMBPerH:
		return "slope of resident memory over the window, MB/h (PromQL: least squares deriv(); presoak: Theil-Sen)"
	case signal.ResidentMemoryMB:
		return "most resident memory in the window, MB"
	case signal.CriticalBreakersOpen:
		return "critical circuit breakers open throughout a whole window-long stretch ending within the last window (count): the window is how long one must have been open"
	case signal.P95RegressionPct:
		return "worst stage p95 over the window against the frozen baseline's, % above it"
	case signal.TargetDown:
		return "1 when no scrape of the bot succeeded in the window, else 0"
	case signal.ScrapeFailurePct:
		return "failed scrapes of the bot (refused, timed out, garbage) / all scrapes over the window, %"
	}
	return string(n)
}

// increase sums a counter's increase over the window per bot.
func (o Options) increase(metric string, window time.Duration, matchers ...string) string {
	return fmt.Sprintf("sum by (%s) (increase(%s[%s]))", by, o.sel(metric, matchers...), Range(window))
}

// percentOf is 100 * part / whole where whole > 0; a part with no series
// (a counter vector with no children yet) counts as 0.
func percentOf(part, whole string) string {
	return fmt.Sprintf("100 * (%s or 0 * %s) / (%s > 0)", part, whole, whole)
}

// SignalExpr is the PromQL of a signal over a window, one series per bot
// (labels job and instance). It is the one definition the rules, the
// dashboard and the checklist use.
func SignalExpr(n signal.Name, window time.Duration, o Options) (string, error) {
	if Windowed(n) && window <= 0 {
		return "", fmt.Errorf("signal expression %s: no window", n)
	}
	switch n {
	case signal.DeadlineMissPct:
		return percentOf(o.increaseOf("deadline_misses", window), o.increaseOf("ticks", window)), nil
	case signal.ErrorPct:
		return percentOf(o.increaseOf("tick_errors", window), o.increaseOf("ticks", window)), nil
	case signal.MDCacheHitPct:
		return percentOf(o.increaseOf("cache_hits", window), o.increaseOfBoth("cache_hits", "cache_misses", window)), nil
	case signal.TakerSharePct:
		return percentOf(o.increaseOf("taker_volume", window), o.increaseOfBoth("maker_volume", "taker_volume", window)), nil
	case signal.MemoryGrowthMBPerH:
		// deriv() is least squares; presoak's is the smaller Theil-Sen slope
		// of the window's two halves (over per-bucket means). Like presoak,
		// give no value until the first half has data: the series must be
		// MemoryWarmup(window) old.
		mem := o.sigSel("resident_memory", "")
		return fmt.Sprintf("max by (%[1]s) (deriv(%[2]s[%[3]s])) * 3600 / 1e6 and on (%[1]s) max by (%[1]s) (%[2]s offset %[4]s)",
			by, mem, Range(window), Range(MemoryWarmup(window))), nil
	case signal.ResidentMemoryMB:
		mem := o.sigSel("resident_memory", "")
		if window <= 0 {
			return fmt.Sprintf("max by (%s) (%s) / 1e6", by, mem), nil
		}
		return fmt.Sprintf("max by (%s) (max_over_time(%s[%s])) / 1e6", by, mem, Range(window)), nil
	case signal.CriticalBreakersOpen:
		crit := o.sigSel("breakers_open", "")
		ticks := o.sigSel("ticks", "")
		if window <= 0 {
			return fmt.Sprintf("sum by (%s) (%s) or 0 * group by (%s) (%s)", by, crit, by, ticks), nil
		}
		// Open at every sample of a window-long stretch (with a sample
		// before it) ending within the last window, at a 1s resolution:
		// how long the breaker has been open, as presoak judges it.
		w := Range(window)
		return fmt.Sprintf("sum by (%[1]s) (max_over_time((min_over_time(%[2]s[%[3]s]) and present_over_time(%[2]s[%[3]s] offset %[3]s))[%[3]s:%[4]s])) or 0 * group by (%[1]s) (%[5]s)",
			by, crit, w, Range(signal.BreakerStep), ticks), nil
	case signal.P95RegressionPct:
		return fmt.Sprintf("100 * (max by (%s) (%s / on (stage) group_left () %s) - 1)",
			by, StageQuantilesExpr(0.95, window, o), BaselineRecord), nil
	case signal.TargetDown:
		// Prometheus records up=0 for a failed scrape; presoak: 1 when no
		// good sample is in [t-window, t] (window 0: the newest failed).
		if window <= 0 {
			return fmt.Sprintf("1 - max by (%s) (%s)", by, o.sel("up")), nil
		}
		return fmt.Sprintf("1 - max by (%s) (max_over_time(%s[%s]))", by, o.sel("up"), Range(window)), nil
	case signal.ScrapeFailurePct:
		// Prometheus records up=0 for a failed scrape (a garbage page
		// included); presoak: the share of down samples in (t-window, t].
		// The range is a millisecond short of the window so that a sample
		// exactly window old is left out on Prometheus 2.x (which includes
		// it) as on 3.x: the same samples, the same share, on both.
		return fmt.Sprintf("100 * (1 - avg by (%s) (avg_over_time(%s[%s])))", by, o.sel("up"), Range(window-time.Millisecond)), nil
	}
	return "", fmt.Errorf("signal expression %s: unknown signal", n)
}

// MemoryWarmup is how old the memory series must be before the growth
// signal has a value: presoak wants a quarter of the window's buckets in
// each half of the window, so the series must cover the newest quarter of
// the first half: 3/4 of the window.
func MemoryWarmup(window time.Duration) time.Duration { return window * 3 / 4 }

// StageQuantileExpr is one stage's latency quantile over the window, in
// seconds, one series per bot, labelled stage.
func StageQuantileExpr(stage string, q float64, window time.Duration, o Options) string {
	qs := strconv.FormatFloat(q, 'f', -1, 64)
	if stage == TickTotal {
		hq := fmt.Sprintf("histogram_quantile(%s, sum by (%s, le) (rate(%s[%s])))", qs, by, o.sigSel("tick_latency", "_bucket"), Range(window))
		return fmt.Sprintf(`label_replace(%s, "stage", "%s", "", "")`, o.scaled("tick_latency", hq), TickTotal)
	}
	lbl := o.stageLabel()
	return o.stageNamed(o.scaled("stage_latency", fmt.Sprintf("histogram_quantile(%s, sum by (%s, %s, le) (rate(%s[%s])))",
		qs, by, lbl, o.sigSel("stage_latency", "_bucket", fmt.Sprintf("%s=%q", lbl, stage)), Range(window))))
}

// stageNamed copies the stage histogram's stage label into "stage" when
// the bot calls it something else.
func (o Options) stageNamed(expr string) string {
	if lbl := o.stageLabel(); lbl != "stage" {
		return fmt.Sprintf(`label_replace(%s, "stage", "$1", %q, "(.*)")`, expr, lbl)
	}
	return expr
}

// StageQuantilesExpr is the quantile of every stage and of the whole tick,
// labelled stage.
func StageQuantilesExpr(q float64, window time.Duration, o Options) string {
	qs := strconv.FormatFloat(q, 'f', -1, 64)
	stages := o.stageNamed(o.scaled("stage_latency", fmt.Sprintf("histogram_quantile(%s, sum by (%s, %s, le) (rate(%s[%s])))",
		qs, by, o.stageLabel(), o.sigSel("stage_latency", "_bucket"), Range(window))))
	return "(" + stages + " or " + StageQuantileExpr(TickTotal, q, window, o) + ")"
}

// BaselineExpr is the frozen baseline as a constant vector labelled stage,
// or "" when there is none.
func BaselineExpr(baseline map[string]float64) string {
	stages := make([]string, 0, len(baseline))
	for s := range baseline {
		stages = append(stages, s)
	}
	sort.Slice(stages, func(i, j int) bool { return stageOrder(stages[i]) < stageOrder(stages[j]) })
	parts := make([]string, 0, len(stages))
	for _, s := range stages {
		parts = append(parts, fmt.Sprintf(`label_replace(vector(%s), "stage", %q, "", "")`,
			strconv.FormatFloat(baseline[s], 'g', 9, 64), s))
	}
	return strings.Join(parts, " or ")
}

func stageOrder(s string) string {
	for i, st := range Stages {
		if st == s {
			return fmt.Sprintf("%02d", i)
		}
	}
	return "99" + s
}

// BreakersExpr is every circuit breaker's state (1 open), by breaker.
func BreakersExpr(o Options) string {
	return fmt.Sprintf("max by (%s, breaker, critical) (%s)", by, o.sel(o.signal("breakers_open").Metric))
}

// CriticalBreakersNowExpr counts the critical breakers open now.
func CriticalBreakersNowExpr(o Options) string {
	return fmt.Sprintf("sum by (%s) (%s)", by, o.sigSel("breakers_open", ""))
}
