package baseline

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/profile"
)

// Readiness is what the checklist's Baseline and MD-Cache areas evaluate:
// the embedded engine's simulated-clock sample (the default), or, when the
// harness's target is a running bot (TARGET=scrape or prometheus), a short
// real-clock sample of that bot. Exactly one of Embedded and Target is set.
type Readiness struct {
	Embedded *Sample
	Target   *TargetSample
}

// LoadReadiness measures env's sample: with a running bot's target
// (checklist.Running(env.Kind)) a TargetSample of sampleLength
// (READINESS_SAMPLE, "" the default), else the embedded sample, unchanged.
func LoadReadiness(ctx context.Context, env checklist.Env, budgetsPath, sampleLength string) Readiness {
	if !checklist.Running(env.Kind) {
		s := ReadinessSampleAt(env, budgetsPath)
		return Readiness{Embedded: &s}
	}
	length, err := ReadinessSampleLength(sampleLength)
	if err != nil {
		ts := TargetSample{Env: env, Profile: targetProfile(env), Describe: describeEnv(env), Err: err}
		ts.View, ts.ViewOK = env.View()
		return Readiness{Target: &ts}
	}
	ts := MeasureTarget(ctx, env, budgetsPath, length, "")
	return Readiness{Target: &ts}
}

// SeedBaselineItems are the Baseline items that exist whatever the budgets
// file says, so they are reported even when the sample cannot be measured.
var SeedBaselineItems = []string{"ticks_sampled", "hit_ratio", "fetch_md_p95", "tick_total_p95", "deadline_miss"}

// BaselineAttrs are the Baseline area's evidence attributes: the clock, where
// the latencies come from, the evidence files and, for a running bot, the
// target and the sample's length.
func (r Readiness) BaselineAttrs() [][2]string {
	if s := r.Embedded; s != nil {
		if s.Run == nil {
			return nil
		}
		return [][2]string{
			{"clock", s.Run.Baseline.Clock}, {"latency_source", s.Run.Baseline.LatencySource},
			{"budgets", s.BudgetsFile}, {"evidence", s.Env.Layers.Display(s.Artifacts.StageBudgets)},
		}
	}
	ts := r.Target
	out := [][2]string{{"target", ts.Describe}, {"sample", fmt.Sprintf("%v every %v (%s)", ts.Length, ts.Every, EnvReadinessSample)}}
	if ts.BudgetsFile != "" {
		out = append(out, [2]string{"budgets", ts.BudgetsFile})
	}
	if len(ts.Runs) > 0 {
		out = append(out, [2]string{"clock", ts.Runs[0].Baseline.Clock}, [2]string{"latency_source", ts.Runs[0].Baseline.LatencySource})
	}
	var ev []string
	for _, run := range ts.Runs {
		if p, ok := ts.Artifacts[run.Baseline.Instance]; ok {
			ev = append(ev, ts.Env.Layers.Display(p.StageBudgets))
		}
	}
	if ts.ArtifactsErr != nil {
		msg := ts.ArtifactsErr.Error()
		if root := ts.Env.Layers.Root; root != "" {
			msg = strings.ReplaceAll(msg, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator), "")
		}
		ev = append(ev, "not written: "+msg)
	}
	if len(ev) > 0 {
		out = append(out, [2]string{"evidence", strings.Join(ev, ", ")})
	}
	return out
}

// BaselineChecks are the Baseline area's items. Embedded: as
// BaselineChecks on the simulated sample (>= MinTicks ticks). A running bot:
// ticks_sampled (>= 1 tick on every instance: a running bot's sample is
// short, but a bot that did not tick or could not be read fails) and one item
// per budget, each failing when any instance fails it and naming the
// instances; sources are the metric @ instance and the target.
func (r Readiness) BaselineChecks() []Check {
	if s := r.Embedded; s != nil {
		if s.Run == nil {
			out := make([]Check, 0, len(SeedBaselineItems))
			for _, name := range SeedBaselineItems {
				out = append(out, Check{Name: name, Item: checklist.NotEvaluated(checklist.AreaBaseline, result.Blocking,
					name, s.Err.Error(), "fix what the cause names, then rerun")})
			}
			return out
		}
		return BaselineChecks(s.Run, s.View)
	}
	ts := r.Target
	if ts.Err != nil {
		return ts.notEvaluated(checklist.AreaBaseline, ts.baselineNames())
	}
	fix := "the bot did not tick while it was read: check that it runs and exports " + ts.Profile.MetricOf("ticks")
	per := make([]instanceChecks, 0, len(ts.Runs))
	for _, run := range ts.Runs {
		ic := instanceChecks{instance: run.Baseline.Instance}
		cs := baselineChecks(run, ts.View, 1, fix)
		ic.checks = append(ic.checks, sourced{downFix(cs[0], run.Baseline), ts.Profile.MetricOf("ticks")})
		for i, res := range run.Results {
			c := withBucketErrors(cs[i+1], res.Budget, run.Baseline)
			ic.checks = append(ic.checks, sourced{downFix(c, run.Baseline), ts.metricOf(res.Budget.Target)})
		}
		per = append(per, ic)
	}
	return mergeInstances(per, ts.Describe)
}

// MDCacheChecks are the MD-Cache area's items. Embedded: as MDCacheChecks
// (the config's md_cache keys, the simulated hit ratio). A running bot:
// md_cache_enabled from the bot's mm_feature_flag_enabled{flag="md_cache.enabled"}
// on every instance, md_cache_ttl from CONFIG's layers (not evaluated when
// CONFIG is empty: the bot does not export its TTL), and the hit ratio
// measured on every instance.
func (r Readiness) MDCacheChecks() []Check {
	if s := r.Embedded; s != nil {
		if !s.ViewOK {
			out := make([]Check, 0, 3)
			for _, name := range []string{"md_cache_enabled", "md_cache_ttl", "hit_ratio"} {
				out = append(out, Check{Name: name, Item: checklist.NotEvaluated(checklist.AreaMDCache, result.Blocking,
					name, "the config did not load (see TestConfigAndFlags/config_loads)", "fix the config first")})
			}
			return out
		}
		checks := MDCacheChecks(s.Run, s.View)
		if s.Run == nil {
			checks = append(checks, Check{Name: "hit_ratio", Item: checklist.NotEvaluated(checklist.AreaMDCache,
				result.Blocking, "hit_ratio", s.Err.Error(), "fix what the cause names, then rerun")})
		}
		return checks
	}
	ts := r.Target
	bot := ts.Bot
	if bot == nil {
		bot = &checklist.Bot{Target: ts.Describe, Metric: ts.Profile.MetricOf("feature_flags"), Err: ts.Err}
	}
	enabled := checklist.BotFlag(bot, "md_cache.enabled", result.Blocking)
	enabled.Area = checklist.AreaMDCache
	prof := ts.Env.BotProfile()
	var pcfg *profile.BotConfig
	var perr error
	if prof != nil {
		// a bot that is not ours: the cache switch and TTL from its config
		pcfg, perr = checklist.ProfileConfig(prof)
		enabled = checklist.ProfileSeedItem(prof, pcfg, perr, profile.ItemMDCacheEnabled, checklist.AreaMDCache)
	}
	out := []Check{{Name: "md_cache_enabled", Item: enabled}}

	var ttl checklist.Item
	switch {
	case prof != nil:
		ttl = checklist.ProfileSeedItem(prof, pcfg, perr, profile.ItemMDCacheTTL, checklist.AreaMDCache)
	case ts.ViewOK:
		ttl = TTLRule(ts.View)
	case ts.Env.NoConfig:
		ttl = checklist.NoConfigFiles(checklist.AreaMDCache, "md_cache.ttl", result.Blocking, "<= tick.interval", false)
	default:
		ttl = checklist.NotEvaluated(checklist.AreaMDCache, result.Blocking, "md_cache.ttl",
			"the config did not load (see TestConfigAndFlags/config_loads)", "fix the config first")
	}
	out = append(out, Check{Name: "md_cache_ttl", Item: ttl})

	if ts.Err != nil {
		return append(out, ts.notEvaluated(checklist.AreaMDCache, []string{"hit_ratio"})...)
	}
	per := make([]instanceChecks, 0, len(ts.Runs))
	for _, run := range ts.Runs {
		ic := instanceChecks{instance: run.Baseline.Instance}
		for _, res := range run.Results {
			if res.Budget.Target == budget.MDCacheHitRatio {
				c := budgetCheck(checklist.AreaMDCache, res, run.Baseline, ts.View)
				ic.checks = append(ic.checks, sourced{downFix(c, run.Baseline), ts.Profile.MetricOf("cache_hits")})
			}
		}
		per = append(per, ic)
	}
	merged := mergeInstances(per, ts.Describe)
	if len(merged) == 0 {
		merged = ts.notEvaluated(checklist.AreaMDCache, []string{"hit_ratio"})
		for i := range merged {
			merged[i].Item.Got = "not evaluated: BUDGETS has no md_cache_hit_ratio budget"
		}
	}
	return append(out, merged...)
}

// baselineNames are the Baseline items reported when the sample failed:
// the seed's, then the other budgets' names.
func (ts *TargetSample) baselineNames() []string {
	names := append([]string(nil), SeedBaselineItems...)
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	if ts.Budgets != nil {
		for _, b := range ts.Budgets.Budgets {
			if n := CheckName(b); !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names
}

// notEvaluated fails every named item with the sample's error: no samples
// is never a pass. The seed's items and the budgets the file lists under
// blocking: are blocking, the other budgets' keep their warning severity.
func (ts *TargetSample) notEvaluated(area string, names []string) []Check {
	seed := map[string]bool{}
	for _, n := range SeedBaselineItems {
		seed[n] = true
	}
	if ts.Budgets != nil {
		for _, b := range ts.Budgets.Budgets {
			if b.Blocking {
				seed[CheckName(b)] = true
			}
		}
	}
	out := make([]Check, 0, len(names))
	for _, name := range names {
		sev := result.Warning // as the budget's own item: only the seed's and blocking: are blocking
		if seed[name] {
			sev = result.Blocking
		}
		it := checklist.NotEvaluated(area, sev, name, ts.Err.Error(), fixBotDown)
		it.Source = ts.Describe
		out = append(out, Check{Name: name, Item: it, Attrs: [][2]string{{"target", ts.Describe}}})
	}
	return out
}

// metricOf is the metric a budget target is read from, with its label.
func (ts *TargetSample) metricOf(tgt string) string {
	if h := ts.Env.Harness; h != nil && !profile.IsRole(tgt) {
		if sg := h.Profile.Signal(tgt); sg != nil {
			return sg.Expr
		}
	}
	switch tgt {
	case budget.TickTotal:
		return ts.Profile.MetricOf("tick_latency")
	case budget.DeadlineMiss:
		return ts.Profile.MetricOf("deadline_misses") + " / " + ts.Profile.MetricOf("ticks")
	case budget.MDCacheHitRatio:
		return ts.Profile.MetricOf("cache_hits")
	}
	return fmt.Sprintf("%s{%s=%q}", ts.Profile.MetricOf("stage_latency"), ts.Profile.GroupLabel("stage_latency", "stage"), tgt)
}

// withBucketErrors states the bucket error of a p50 or p99 budget (the p95
// one's is already in the message) in the message and attrs.
func withBucketErrors(c Check, b budget.Budget, bl *Baseline) Check {
	if b.Kind != budget.Latency || b.Agg.Func != "p" || b.Agg.Percentile == 95 {
		return c
	}
	st, ok := bl.Stage(b.Target)
	if !ok || st.BucketError == nil {
		return c
	}
	var q QuantileBucket
	switch b.Agg.Percentile {
	case 50:
		q = st.BucketError.P50
	case 99:
		q = st.BucketError.P99
	default:
		return c
	}
	c.Attrs = append(c.Attrs, [2]string{"bucket_error", q.String()})
	if i := strings.Index(c.Item.Message, ", "); i >= 0 {
		c.Item.Message = c.Item.Message[:i] + fmt.Sprintf(" (p%g %s)", b.Agg.Percentile, q) + c.Item.Message[i:]
	}
	return c
}

// downFix makes the fix of a failed item of a bot that was never read up
// (a fleet's bot that is down) say to start it.
func downFix(c Check, b *Baseline) Check {
	if c.Item.Status == result.StatusPass || b.Ticks > 0 || b.SamplesDown == 0 || b.SamplesDown < b.Samples-1 {
		return c
	}
	if c.Item.Fix != "" {
		c.Item.Message = strings.TrimSuffix(c.Item.Message, ": "+c.Item.Fix)
	}
	c.Item.Fix = fixBotDown
	c.Item.Message += ": " + fixBotDown
	return c
}

// sourced is one instance's check and the metric it was read from.
type sourced struct {
	Check
	metric string
}

// instanceChecks are one instance's checks, in report order.
type instanceChecks struct {
	instance string
	checks   []sourced
}

// mergeInstances makes one item per check name out of every instance's
// check: it passes when every instance passes; else it fails (or warns, by
// severity) naming the failing instances with their values and messages.
// The source is metric @ instances (the failing ones when it fails) read
// through describe.
func mergeInstances(per []instanceChecks, describe string) []Check {
	var order []string
	byName := map[string][]struct {
		instance string
		s        sourced
	}{}
	for _, ic := range per {
		for _, s := range ic.checks {
			if _, ok := byName[s.Name]; !ok {
				order = append(order, s.Name)
			}
			byName[s.Name] = append(byName[s.Name], struct {
				instance string
				s        sourced
			}{ic.instance, s})
		}
	}
	out := make([]Check, 0, len(order))
	for _, name := range order {
		all := byName[name]
		first := all[0].s
		var bad, good []string
		var got, msgs, fixes []string
		attrs := map[string][]string{}
		var keys []string
		for _, e := range all {
			it := e.s.Item
			failed := it.Status != result.StatusPass
			if failed {
				bad = append(bad, e.instance)
				if it.Fix != "" && !contains(fixes, it.Fix) {
					fixes = append(fixes, it.Fix)
				}
			} else {
				good = append(good, e.instance)
			}
			got = append(got, e.instance+": "+it.Got)
			for _, kv := range e.s.Attrs {
				if _, ok := attrs[kv[0]]; !ok {
					keys = append(keys, kv[0])
				}
				attrs[kv[0]] = append(attrs[kv[0]], e.instance+": "+kv[1])
			}
		}
		it := first.Item
		c := Check{Name: name}
		instances := good
		for _, e := range all { // every message when all pass, else the failing ones'
			if len(bad) == 0 || e.s.Item.Status != result.StatusPass {
				msgs = append(msgs, e.instance+": "+e.s.Item.Message)
			}
		}
		if len(bad) > 0 {
			instances = bad
			it.Status = result.StatusFail
			if first.Item.Severity == result.Warning {
				it.Status = result.StatusWarn
			}
			it.Fix = strings.Join(fixes, "; ")
		}
		it.Source = first.metric + " @ " + strings.Join(instances, ", ") + " (" + describe + ")"
		if len(all) == 1 {
			it.Got = all[0].s.Item.Got
			it.Message = all[0].s.Item.Message
			c.Attrs = append(c.Attrs, all[0].s.Attrs...)
		} else {
			it.Got = strings.Join(got, "; ")
			verdict := fmt.Sprintf("all %d instances pass", len(all))
			if len(bad) > 0 {
				verdict = fmt.Sprintf("%d of %d instances fail (%s)", len(bad), len(all), strings.Join(bad, ", "))
			}
			it.Message = verdict + ": " + strings.Join(msgs, "; ")
			for _, k := range keys {
				c.Attrs = append(c.Attrs, [2]string{k, strings.Join(attrs[k], "; ")})
			}
		}
		c.Attrs = append(c.Attrs, [2]string{"instances", strings.Join(sortedCopy(append(append([]string(nil), good...), bad...)), ", ")})
		c.Item = it
		out = append(out, c)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

// targetProfile is env's harness profile (the reference one without a harness).
func targetProfile(env checklist.Env) *profile.Profile {
	if env.Harness != nil {
		return env.Harness.Profile
	}
	return profile.Default()
}

// describeEnv names env's target.
func describeEnv(env checklist.Env) string {
	if env.Harness != nil {
		return env.Harness.Describe()
	}
	return "TARGET=" + string(env.Kind)
}
