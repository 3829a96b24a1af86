// Package budget is the harness's latency and health budgets as data: small
// expressions in the spirit of k6 thresholds, parsed and validated before
// anything is measured, then evaluated against what a run observed.
//
// A budgets file (fixtures/budgets.yaml) maps a target to one expression or a
// list of them:
//
//	version: 1
//	budgets:
//	  fetch_md: p(95) < 35ms
//	  tick_total: [p(95) < 150ms, p(99) < 250ms]
//	  deadline_miss: rate < 2%
//	  md_cache_hit_ratio: ">= 70%"   # quoted: a plain YAML scalar cannot start with '>'
//
// Grammar of one expression (whitespace between tokens is optional):
//
//	expression = [ aggregate ] operator value
//	aggregate  = "p(" number ")" | "med" | "avg" | "min" | "max" | "rate"
//	operator   = "<" | "<=" | ">" | ">="
//	value      = number unit
//	unit       = "ns" | "us" | "µs" | "ms" | "s" | "%"
//
// Targets and what they accept:
//
//   - latency targets — the pipeline stages fetch_md, fair_value, spread,
//     quote, risk, submit, and tick_total for the whole tick: an aggregate is
//     required; p(N) takes a percentile 0 <= N <= 100 (nearest rank), med is
//     p(50); the value takes a time unit.
//
//   - deadline_miss (deadline misses / ticks) and md_cache_hit_ratio (cache
//     hits / requests): the aggregate is "rate" or omitted; the value is a
//     percentage between 0% and 100%.
//
//   - a histogram signal the bot profile declares (harness/profile, e.g.
//     order_ack_latency), when the file is parsed with the profile's
//     signals (ParseFileFor, LoadFor): a latency target like the stages,
//     read from the bot's histogram of that name over every matching
//     series. An undeclared name is an error listing the declared signals,
//     a declared counter or gauge an error too.
//
// Anything else — an unknown target, a percentile outside 0–100, a time unit
// on a ratio, a percentage on a latency, "=" or "!=" — is an error of the form
// `failed parsing budget "<target>: <expression>": <why>`, and every bad
// expression of a file is reported in one error.
//
// Severity: the seed's four budgets (fetch_md p95, tick_total p95,
// deadline_miss, md_cache_hit_ratio) block readiness; every other budget is
// a warning unless the file lists its target under blocking:
//
//	blocking: [submit, order_ack_latency]   # these budgets block too
//
// A name under blocking: without a budget in the file is an error naming
// its line.
//
// Evaluation never passes without evidence: a budget whose target has no
// samples (no latencies, no ticks, no cache requests) fails with ErrNoSamples.
//
// Latency budgets apply to whatever latencies the caller observed: on the
// simulated clock those are the engine's modeled stage latencies (drawn from
// its latency profile), on the real clock the measured ones. This package does
// not measure; harness/baseline does.
package budget
