package baseline

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"

	"github.com/presoak/presoak/internal/durfmt"
)

// MinTicks is the fewest ticks a readiness baseline sample must have (the
// seed's sample had 2,099).
const MinTicks = 2000

// Check is one checklist item of the Baseline or MD-Cache area: its stable
// subtest name, the item, and extra evidence for t.Attr (confidence, interval).
type Check struct {
	Name  string
	Item  checklist.Item
	Attrs [][2]string
}

// seedTargets are the seed's four Shadow Baseline targets: blocking. Every
// other budget of the file is checked too, as a warning.
var seedTargets = map[string]bool{
	"fetch_md p(95)": true, "tick_total p(95)": true,
	"deadline_miss rate": true, "md_cache_hit_ratio rate": true,
}

// CheckName is the subtest name of a budget: "fetch_md_p95", "tick_total_p99",
// "deadline_miss", "hit_ratio" (the seed's name).
func CheckName(b budget.Budget) string {
	switch b.Target {
	case budget.MDCacheHitRatio:
		return "hit_ratio"
	case budget.DeadlineMiss:
		return "deadline_miss"
	}
	agg := b.Agg.Func
	if agg == "p" {
		agg = "p" + strings.ReplaceAll(strconv.FormatFloat(b.Agg.Percentile, 'f', -1, 64), ".", "_")
	}
	return b.Target + "_" + agg
}

// BaselineChecks are the Baseline area's items: enough ticks sampled, then
// one item per budget (the seed's four blocking, the others warnings).
// view gives the config's provenance for fixes.
func BaselineChecks(run *Run, view checklist.ConfigView) []Check {
	return baselineChecks(run, view, MinTicks,
		"replay a longer recording or more market time so the sample has at least "+strconv.Itoa(MinTicks)+" ticks")
}

// baselineChecks is BaselineChecks with the ticks requirement and its fix.
func baselineChecks(run *Run, view checklist.ConfigView, minTicks int64, fix string) []Check {
	b := run.Baseline
	src := sourceOf(b)
	want := ">= " + strconv.FormatInt(minTicks, 10)
	ticks := Check{Name: "ticks_sampled", Item: checklist.Item{
		Area: checklist.AreaBaseline, Severity: result.Blocking,
		Got: strconv.FormatInt(b.Ticks, 10), Want: want, Source: src,
	}}
	if b.Ticks >= minTicks && b.Ticks > 0 {
		ticks.Item.Status = result.StatusPass
		ticks.Item.Message = fmt.Sprintf("%d ticks sampled (%s), want %s", b.Ticks, src, want)
	} else {
		ticks.Item.Status = result.StatusFail
		ticks.Item.Fix = fix
		ticks.Item.Message = fmt.Sprintf("%d ticks sampled (%s), want %s: %s", b.Ticks, src, want, ticks.Item.Fix)
	}
	out := []Check{ticks}
	for _, res := range run.Results {
		out = append(out, budgetCheck(checklist.AreaBaseline, res, b, view))
	}
	return out
}

// MDCacheChecks are the MD-Cache area's items: the cache is enabled in the
// effective config, its TTL obeys TTLRule, and the measured hit ratio meets
// its budget (run may be nil when the sample could not be measured).
func MDCacheChecks(run *Run, view checklist.ConfigView) []Check {
	cfg := view.Config
	enabled := Check{Name: "md_cache_enabled", Item: checklist.Item{
		Area: checklist.AreaMDCache, Severity: result.Blocking,
		Got: strconv.FormatBool(cfg.MDCache.Enabled), Want: "true", Source: where(view, "md_cache.enabled"),
	}}
	if cfg.MDCache.Enabled {
		enabled.Item.Status = result.StatusPass
		enabled.Item.Message = fmt.Sprintf("md_cache.enabled = true (%s)", enabled.Item.Source)
	} else {
		enabled.Item.Status = result.StatusFail
		enabled.Item.Fix = "set md_cache.enabled: true in an override (e.g. " + view.Override + ")"
		enabled.Item.Message = fmt.Sprintf("md_cache.enabled = false (%s), want true: %s", enabled.Item.Source, enabled.Item.Fix)
	}
	ttl := Check{Name: "md_cache_ttl", Item: TTLRule(view)}
	out := []Check{enabled, ttl}
	if run != nil {
		for _, res := range run.Results {
			if res.Budget.Target == budget.MDCacheHitRatio {
				out = append(out, budgetCheck(checklist.AreaMDCache, res, run.Baseline, view))
			}
		}
	}
	return out
}

// TTLRule is the MD-Cache TTL item. The rule: md_cache.ttl <= tick.interval.
// With a TTL of at most one interval the cache serves no book older than
// one interval; a longer TTL serves older books, and quotes priced on a
// stale book are found out at the venue as taker fills the taker cap cannot
// see. The rule bounds what the cache serves, not the age of the book a
// tick quotes on: with pipeline.enabled a tick quotes on the book
// prefetched during the previous tick, up to one interval more (the
// reference engine exports that age as mm_quoted_book_age_seconds). A
// disabled cache still has its TTL checked: it is what enabling it would do.
func TTLRule(view checklist.ConfigView) checklist.Item {
	cfg := view.Config
	ttl, interval := cfg.MDCache.TTL, cfg.Tick.Interval
	it := checklist.Item{
		Area: checklist.AreaMDCache, Severity: result.Blocking,
		Got:    ttl.String(),
		Want:   "<= tick.interval (" + interval.String() + ")",
		Source: where(view, "md_cache.ttl") + ", tick.interval " + where(view, "tick.interval"),
	}
	if ttl > 0 && ttl <= interval {
		it.Status = result.StatusPass
		it.Message = fmt.Sprintf("md_cache.ttl = %v (%s) <= tick.interval = %v: the cache serves no book older than one interval "+
			"(the book a tick quotes on can be older: with the pipeline, by up to one more interval; see mm_quoted_book_age_seconds)",
			ttl, where(view, "md_cache.ttl"), interval)
		return it
	}
	it.Status = result.StatusFail
	it.Fix = fmt.Sprintf("set md_cache.ttl to at most tick.interval (%v) in an override (e.g. %s)", interval, view.Override)
	it.Message = fmt.Sprintf("md_cache.ttl = %v (%s), want <= tick.interval = %v (%s): a longer TTL serves books older than one tick; %s",
		ttl, where(view, "md_cache.ttl"), interval, where(view, "tick.interval"), it.Fix)
	return it
}

func budgetCheck(area string, res budget.Result, b *Baseline, view checklist.ConfigView) Check {
	bud := res.Budget
	sev := result.Warning
	if seedTargets[bud.Target+" "+bud.Agg.String()] || bud.Blocking {
		sev = result.Blocking
	}
	c := Check{Name: CheckName(bud), Item: checklist.Item{
		Area: area, Severity: sev, Got: res.FormatObserved(), Want: bud.Expr, Source: sourceOf(b),
	}}
	evidence := ""
	if bud.Kind == budget.Latency {
		if st, ok := b.Stage(bud.Target); ok && bud.Agg.Func == "p" && bud.Agg.Percentile == 95 {
			ci := "n/a"
			if len(st.P95CIMs) == 2 {
				ci = durfmt.Latency(fromMs(st.P95CIMs[0])) + "–" + durfmt.Latency(fromMs(st.P95CIMs[1]))
			}
			evidence = fmt.Sprintf(" (95%% CI %s, confidence %s)", ci, st.Confidence)
			c.Attrs = append(c.Attrs, [2]string{"confidence", string(st.Confidence)}, [2]string{"p95_ci_ms", ci})
			if st.BucketError != nil {
				evidence = fmt.Sprintf(" (95%% CI %s, p95 %s, confidence %s)", ci, st.BucketError.P95, st.Confidence)
				c.Attrs = append(c.Attrs, [2]string{"bucket_error", st.BucketError.P95.String()})
			}
		}
	}
	c.Attrs = append(c.Attrs, [2]string{"samples", strconv.Itoa(res.Samples)}, [2]string{"latency_source", b.LatencySource})
	switch {
	case res.Err != nil:
		c.Item.Status = result.StatusFail
		c.Item.Got = "no samples"
		c.Item.Fix = "make the run produce " + bud.Target + " observations (ticks that reach the stage); a budget without samples fails. " +
			"A bot without a " + bud.Target + " stage: leave this budget out of its budgets file (the profile's budgets:, or BUDGETS)"
		c.Item.Message = fmt.Sprintf("%s: %s (%s): %s", bud, res.Err, c.Item.Source, c.Item.Fix)
	case res.Pass:
		c.Item.Status = result.StatusPass
		c.Item.Message = res.String() + evidence + ", " + c.Item.Source
	default:
		c.Item.Status = result.StatusFail
		c.Item.Fix = fixFor(bud, view)
		if s := b.SlowestSeries[bud.Target]; s != "" {
			c.Item.Fix = "the slowest series is " + s + ": " + c.Item.Fix
		}
		c.Item.Message = res.String() + evidence + ", " + c.Item.Source + ": " + c.Item.Fix
	}
	return c
}

// fixFor names the configuration that most directly moves a budget's target.
func fixFor(b budget.Budget, view checklist.ConfigView) string {
	cfg := view.Config
	switch b.Target {
	case budget.MDCacheHitRatio:
		if cfg != nil && !cfg.MDCache.Enabled {
			return fmt.Sprintf("the MD cache is off: md_cache.enabled = false (%s); set md_cache.enabled: true in an override (e.g. %s)",
				where(view, "md_cache.enabled"), view.Override)
		}
		if cfg != nil && cfg.MDCache.TTL < cfg.Tick.Interval {
			return fmt.Sprintf("raise md_cache.ttl (%s) toward tick.interval (%v), never above it (md_cache_ttl), in an override (e.g. %s)",
				where(view, "md_cache.ttl"), cfg.Tick.Interval, view.Override)
		}
		return "md_cache.ttl is already at its ceiling, tick.interval (a longer TTL quotes on stale books): make md_cache.capacity at least the number of symbols, look for cache_degradation faults, and check how often the bot looks a book up per tick"
	case budget.StageFetchMD:
		if cfg != nil && !cfg.MDCache.Enabled {
			return "enable the MD cache (md_cache.enabled: true in an override): a hit skips the venue round trip"
		}
		return "fetch_md is dominated by venue_md round trips on cache misses: raise the hit ratio or reduce venue latency"
	case budget.TickTotal, budget.DeadlineMiss:
		if cfg != nil && !cfg.Pipeline.Enabled {
			return fmt.Sprintf("enable the pipeline: pipeline.enabled = false (%s); set it to true in an override (e.g. %s) so fetch_md overlaps compute",
				where(view, "pipeline.enabled"), view.Override)
		}
		return "find the slowest stage in the stage budgets (fetch_md, submit) and bring it within its budget"
	case budget.StageSubmit:
		return "submit is one order-entry round trip: check the venue's order_entry latency and the order_entry breaker"
	}
	if b.Signal {
		return "the bot's own " + b.Target + " (its profile's histogram signal) is over budget: look at what that latency measures in the bot"
	}
	return "profile the " + b.Target + " stage: its latency is over budget"
}

// sourceOf says where a run's numbers come from, for an item's source.
func sourceOf(b *Baseline) string {
	clock := b.Clock + " clock"
	if b.Clock == SimulatedClock {
		clock += " (latencies modeled from the latency profile)"
	}
	s := fmt.Sprintf("%s, %d ticks, %s, venue seed %d", clock, b.Ticks, b.Feed, b.Seed)
	if b.Target != "" {
		s = fmt.Sprintf("%s, %d ticks of %s read through %s (%d reads, %d down), percentiles from %s", clock, b.Ticks, b.Instance, b.Target, b.Samples, b.SamplesDown, SourceBuckets)
	}
	if b.Partial {
		s += ", PARTIAL: " + b.PartialReason
	}
	return s
}

func where(view checklist.ConfigView, key string) string {
	if view.Source != nil {
		if s := view.Source(key); s != "" {
			return s
		}
	}
	return "not set in any layer"
}
