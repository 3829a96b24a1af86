// Package criteria is the soak's stop and warning conditions as data
// (fixtures/criteria.yaml), their validation, and the evaluator that applies
// them with Prometheus `for:` semantics.
//
// # Grammar
//
// A criteria file is YAML:
//
//	version: 1                  # the format version; must be 1
//	evaluation_interval: 15s    # how often every criterion is evaluated (> 0)
//	criteria:                   # at least one; reported in this order
//	  - name: deadline_miss     # [a-z][a-z0-9_]*, unique: the JUnit testcase and alert name
//	    signal: deadline_miss_pct   # one of the signal names below
//	    op: ">"                 # >, >=, < or <=: the condition is `signal op threshold`
//	    threshold: 5            # in the signal's unit (percent, MB/h, count)
//	    window: 10m             # look-back the signal is computed over
//	    for: 10m                # how long the condition must hold before it fires
//	    severity: stop          # stop (ends the soak) or warn (recorded, the soak goes on)
//	    description: "..."      # what the condition means
//	    action: "..."           # what to do when it fires
//
// Signals and their units (package signal):
//
//	deadline_miss_pct          misses / ticks over the window, percent      (0..100)
//	md_cache_hit_pct           hits / (hits+misses) over the window, percent (0..100)
//	taker_share_pct            taker / (maker+taker) volume, percent        (0..100)
//	error_pct                  tick errors / ticks over the window, percent (0..100)
//	memory_growth_mb_per_hour  sustained growth of resident memory, MB/h (MB = 1e6 bytes):
//	                           the smaller Theil-Sen slope of the window's two halves
//	resident_memory_mb         most resident memory in the window, MB (the newest
//	                           sample without a window): an absolute ceiling
//	critical_breakers_open     critical breakers open throughout a whole window-long
//	                           stretch ending within the last window (count): the
//	                           window is how long a breaker must have been open
//	                           (to a scrape interval), so such criteria use for: 0
//	p95_regression_pct         worst stage p95 over the frozen baseline, percent above it
//	target_down                1 when the target cannot be read (or its newest
//	                           good sample is older than the window), else 0
//
// Any other signal name is a signal the bot profile declares (its signals:
// section), with over: saying how it is judged over the window — no Go code
// per signal:
//
//	over: max | min | avg      the largest, smallest, mean value in the window (gauge)
//	over: last                 the newest value in the window (gauge or counter)
//	over: drop                 the window's largest value minus its newest: a fall
//	                           from the window's peak, e.g. PnL lost in the last hour (gauge)
//	over: rate                 the counter's increase per second over the window
//	over: increase             the counter's increase over the window
//	over: ratio                100 * increase / increase of the counter named by of:
//
// Such a criterion is checked against the profile (CheckDeclared, run by the
// soak before anything is measured): a name the profile does not declare, a
// histogram, or a counter judgement of a gauge is a problem at its file:line.
// The generated rules write the profile's expression with the matching
// PromQL function (max_over_time, rate, increase, ...). A window where the
// signal has no value (its selector matched nothing) is no data, never a pass.
//
// The memory-growth slope comes with Sen's 95% confidence interval
// (signal.Value's Lo and Hi, shown in reports; criteria compare the slope
// itself, never the interval). That interval assumes independent samples:
// resident memory is autocorrelated (a GC sawtooth, a slowly moving heap),
// and then it is too narrow. Measured on 30-point fits of a line plus AR(1)
// noise (4000 trials): coverage 0.96 with independent noise, 0.79, 0.56
// and 0.46 with lag-1 correlation 0.5, 0.8 and 0.9. Read it as a lower
// bound on the uncertainty, not a 95% interval.
//
// Durations are Go durations ("90s", "10m", "1h30m"). Validation (Validate,
// run by Load before anything is measured) reports every problem at once,
// each naming its criterion: unknown keys, an unknown signal, op or severity,
// a missing name, description or action, duplicate names, a non-finite or
// out-of-range threshold, negative durations, a windowed signal without a
// window or with a window shorter than the evaluation interval, and a
// non-zero for shorter than the evaluation interval (it could not be honoured).
//
// # Evaluation
//
// Every evaluation_interval the evaluator computes each criterion's signal
// over its window and applies Prometheus's alerting-rule state machine:
// inactive -> pending at the first evaluation where the condition holds
// (ActiveAt = that evaluation), pending -> firing at the first evaluation where
// it still holds and now-ActiveAt >= For (for: 0 fires at once), and any
// evaluation where it does not hold resets to inactive.
//
// No data (a window with too few samples, no ticks, no fills, no baseline) is
// not healthy and not a breach, and it is treated exactly as Prometheus treats
// an alert whose expression returns nothing (the generated rules' ratios
// return nothing when their denominator is zero): a pending criterion is reset
// to inactive and a firing one resolves, so its for-duration starts again when
// data returns; the gap never counts toward For. The result carries the no-data
// value and its reason, so reports say "no data", never healthy. A target that
// stays unreadable is caught by the target_down criterion (which always has a
// value), and a criterion that never had data is reported as not evaluated (a
// failed testcase for stop criteria).
//
// Windows are Prometheus 3's: a window ending at t covers (t-window, t], so a
// sample exactly `window` old is out (Prometheus 2 included it).
package criteria

import (
	"time"

	"github.com/presoak/presoak/harness/signal"
)

// Severity says what a firing criterion does to the soak.
type Severity string

const (
	// Stop ends the soak the moment the criterion fires.
	Stop Severity = "stop"
	// Warn records the criterion and lets the soak go on.
	Warn Severity = "warn"
)

// Op is a comparison: the criterion holds when `signal Op threshold`.
type Op string

// The comparisons.
const (
	Greater      Op = ">"
	GreaterEqual Op = ">="
	Less         Op = "<"
	LessEqual    Op = "<="
)

// Spec is a criteria file.
type Spec struct {
	// Version of the file format; 1.
	Version int `yaml:"version"`
	// EvaluationInterval is how often criteria are evaluated (also the
	// Prometheus rule group's interval).
	EvaluationInterval time.Duration `yaml:"evaluation_interval"`
	// Criteria, stop and warn, in the order they are reported.
	Criteria []Criterion `yaml:"criteria"`

	file  string // where it was parsed from, for problems
	lines []int  // line of each criterion, for problems
}

// Criterion is one stop or warning condition: it holds when
// `Signal Op Threshold` over Window, and fires once it has held for For.
type Criterion struct {
	// Name is stable; it names the JUnit testcase and the alert.
	Name string `yaml:"name"`
	// Signal is what is compared: one of the fixed signals, or any scalar
	// signal the bot profile declares, judged over the window as Over says.
	Signal signal.Name `yaml:"signal"`
	// Over is how a profile-declared signal is judged over the window
	// (max, min, avg, last for a gauge; rate, increase, ratio for a
	// counter); required for a declared signal, empty for a fixed one.
	Over signal.Over `yaml:"over,omitempty"`
	// Of is the denominator counter of Over ratio (percent).
	Of string `yaml:"of,omitempty"`
	// Op and Threshold: the condition, in the signal's unit (percent, MB/h, count).
	Op        Op      `yaml:"op"`
	Threshold float64 `yaml:"threshold"`
	// Window is the look-back the signal is computed over (rates, slopes).
	Window time.Duration `yaml:"window"`
	// For is how long the condition must hold before the criterion fires.
	For time.Duration `yaml:"for"`
	// Severity: stop or warn.
	Severity Severity `yaml:"severity"`
	// Description says what the condition means, for people.
	Description string `yaml:"description"`
	// Action says what to do when it fires (the runbook line).
	Action string `yaml:"action"`
}
