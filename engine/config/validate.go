package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FairValues are the fair-value models quoting.fair_value may name.
func FairValues() []string { return []string{"mid", "microprice"} }

// validator checks the decoded Config's ranges, naming where each value came
// from. A key that already has a problem, or is missing because a layer could
// not be read, is not reported again.
type validator struct {
	l        *Loaded
	base     string
	complete bool
	ps       *problems
	reported map[string]bool
}

func validate(l *Loaded, base string, complete bool, ps *problems) {
	v := &validator{l: l, base: base, complete: complete, ps: ps, reported: map[string]bool{}}
	for _, p := range ps.list {
		v.reported[p.Key] = true
	}
	c := &l.Config

	v.symbols(c.Symbols)
	v.positiveDuration("tick.interval", c.Tick.Interval)
	v.positiveDuration("tick.deadline", c.Tick.Deadline)
	v.positiveDuration("md_cache.ttl", c.MDCache.TTL)
	v.positiveInt("md_cache.capacity", c.MDCache.Capacity)
	v.percent("taker_cap.max_taker_share_pct", c.TakerCap.MaxTakerSharePct)
	v.positiveDuration("taker_cap.window", c.TakerCap.Window)

	v.positive("adaptive_spread.min_spread_bps", c.AdaptiveSpread.MinSpreadBps)
	v.positive("adaptive_spread.max_spread_bps", c.AdaptiveSpread.MaxSpreadBps)
	if a := c.AdaptiveSpread; a.MinSpreadBps > 0 && a.MaxSpreadBps > 0 && a.MinSpreadBps > a.MaxSpreadBps {
		v.bad("adaptive_spread.min_spread_bps", "got %s, want <= adaptive_spread.max_spread_bps %s (%s)",
			num(a.MinSpreadBps), num(a.MaxSpreadBps), v.source("adaptive_spread.max_spread_bps"))
	}
	v.positiveDuration("adaptive_spread.vol_half_life", c.AdaptiveSpread.VolHalfLife)
	v.positive("adaptive_spread.vol_multiplier", c.AdaptiveSpread.VolMultiplier)
	if v.set("adaptive_spread.vol_horizon") && c.AdaptiveSpread.VolHorizon <= 0 {
		v.bad("adaptive_spread.vol_horizon", "got %s, want a duration > 0 (or leave it unset: 1s)", c.AdaptiveSpread.VolHorizon)
	}

	v.nonNegative("queue_aware.max_queue_ahead_lots", c.QueueAware.MaxQueueAheadLots)
	v.nonNegative("queue_aware.requote_threshold_bps", c.QueueAware.RequoteThresholdBps)

	v.oneOf("quoting.fair_value", c.Quoting.FairValue, FairValues())
	v.positive("quoting.base_spread_bps", c.Quoting.BaseSpreadBps)
	v.positive("quoting.order_size", c.Quoting.OrderSize)
	v.nonNegative("quoting.inventory_skew_bps", c.Quoting.InventorySkewBps)

	v.positive("risk.max_inventory", c.Risk.MaxInventory)
	v.positive("risk.max_order_size", c.Risk.MaxOrderSize)
	if q, r := c.Quoting.OrderSize, c.Risk.MaxOrderSize; q > 0 && r > 0 && q > r {
		v.bad("quoting.order_size", "got %s, want <= risk.max_order_size %s (%s)", num(q), num(r), v.source("risk.max_order_size"))
	}

	for _, name := range BreakerNames() {
		b, ok := c.CircuitBreakers[name]
		key := "circuit_breakers." + name
		if !ok {
			v.missing(key, "want a breaker with failure_threshold, cooldown and critical")
			continue
		}
		v.positiveInt(key+".failure_threshold", b.FailureThreshold)
		v.positiveDuration(key+".cooldown", b.Cooldown)
	}

	v.nonEmpty("venue.name", c.Venue.Name)
	v.nonEmpty("output.artifacts_dir", c.Output.ArtifactsDir)
	v.nonEmpty("output.log_dir", c.Output.LogDir)
}

// bad reports a problem with a key that is set, at the line that set it.
func (v *validator) bad(key, format string, args ...any) {
	if v.reported[key] {
		return
	}
	v.reported[key] = true
	src := v.l.sources[key]
	v.ps.add(src.File, src.Line, key, format, args...)
}

// missing reports a key (or section) no layer sets, against the base file.
func (v *validator) missing(key, want string) {
	if v.reported[key] || !v.complete {
		return
	}
	v.reported[key] = true
	v.ps.add(v.base, 0, key, "not set; %s", want)
}

// set reports whether any layer set key (or, for a section, a key under it).
func (v *validator) set(key string) bool {
	if _, ok := v.l.sources[key]; ok {
		return true
	}
	for k := range v.l.sources {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

func (v *validator) source(key string) string { return v.l.sources[key].String() }

func (v *validator) positiveDuration(key string, d time.Duration) {
	switch {
	case !v.set(key):
		v.missing(key, "want a duration > 0 such as 100ms")
	case d <= 0:
		v.bad(key, "got %s, want a duration > 0", d)
	}
}

func (v *validator) positiveInt(key string, n int) {
	switch {
	case !v.set(key):
		v.missing(key, "want a whole number > 0")
	case n <= 0:
		v.bad(key, "got %d, want > 0", n)
	}
}

func (v *validator) positive(key string, f float64) {
	switch {
	case !v.set(key):
		v.missing(key, "want a number > 0")
	case f <= 0:
		v.bad(key, "got %s, want > 0", num(f))
	}
}

func (v *validator) nonNegative(key string, f float64) {
	if f < 0 {
		v.bad(key, "got %s, want >= 0", num(f))
	}
}

func (v *validator) percent(key string, f float64) {
	switch {
	case !v.set(key):
		v.missing(key, "want a percent in 0..100")
	case f < 0 || f > 100:
		v.bad(key, "got %s, want a percent in 0..100", num(f))
	}
}

func (v *validator) oneOf(key, s string, allowed []string) {
	switch {
	case !v.set(key):
		v.missing(key, "want one of "+strings.Join(allowed, ", "))
	case !slices.Contains(allowed, s):
		v.bad(key, "got %s, want one of %s", v.quote(key, s), strings.Join(allowed, ", "))
	}
}

func (v *validator) nonEmpty(key, s string) {
	switch {
	case !v.set(key):
		v.missing(key, "want a non-empty string")
	case strings.TrimSpace(s) == "":
		v.bad(key, "is empty, want a non-empty string")
	}
}

func (v *validator) symbols(symbols []string) {
	const key = "symbols"
	if !v.set(key) {
		v.missing(key, "want a list of instruments such as [BTCUSDT]")
		return
	}
	if len(symbols) == 0 {
		v.bad(key, "is an empty list, want at least one symbol such as BTCUSDT")
		return
	}
	seen := map[string]bool{}
	for i, s := range symbols {
		switch {
		case strings.TrimSpace(s) == "":
			v.bad(key, "item %d is empty, want a symbol such as BTCUSDT", i+1)
		case seen[s]:
			v.bad(key, "%s is listed twice", v.quote(key, s))
		}
		seen[s] = true
	}
}

// num renders a float the way a user wrote it (10, 8.5).
func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// quote is s quoted for a message about key, or a stand-in when key's
// value came from the environment (it may be a secret put in the wrong key).
func (v *validator) quote(key, s string) string {
	if v.l.fromEnv[key] || IsSecretKey(key) {
		return "a value from the environment (not shown)"
	}
	return quoteShort(s)
}

func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return fmt.Sprintf("%q", s)
}
