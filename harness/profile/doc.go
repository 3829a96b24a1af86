// Package profile reads and validates a bot profile: the one file that
// declares a bot presoak did not write — where it is (target), where its
// config lives and what each config item must be (in the bot's own YAML or
// JSON format, read without presoak's schema), its rollback targets and log
// directories, and every signal as a PromQL expression parsed with
// Prometheus's own parser.
//
// A profile is validated in full before anything runs: every problem is
// reported at once, each naming file:line and key. It is data, not code:
// what the checklist, the soak's criteria, the budgets and the generated
// monitoring read comes from here, so a team with its own bot writes a
// profile instead of Go.
//
// # The file, field by field
//
//	version: 1                      # required; the only version (an unknown one fails)
//	bot: reference                  # a name for reports
//	target:
//	  kind: embedded                # embedded (the built-in reference profile only) | scrape | prometheus
//	  scrape:
//	    url: http://127.0.0.1:9100/metrics
//	    interval: 1s                # how often the page is read
//	    timeout: 900ms              # <= interval
//	    max_body_bytes: 16777216
//	  prometheus:
//	    url: http://127.0.0.1:9090
//	    selector: '{job="mm"}'      # label matchers added to every expression
//	    instance_label: instance
//	    interval: 15s
//	    timeout: 10s
//	config:
//	  layers: [config.yaml, config.soak.yaml]  # the bot's own files, base first;
//	                                # relative to the profile; YAML or JSON
//	  items:                        # the seed's config items, by name
//	    pipeline_enabled: {path: "crossExchangeStrategies[0].xmaker.enabled", require: "== true"}
//	    taker_cap_pct:    {path: "risk.taker_cap", require: "<= 9", scale: fraction}
//	  extra:                        # the team's own items
//	    - {name: max_leverage, path: risk.leverage, require: "<= 3", severity: blocking, fix: "lower it"}
//	  rollback: [a.b.enabled]       # config paths the rollback flips
//	  logs: [logs/]                 # the bot's log directories, relative to the profile
//	signals:                        # name -> PromQL
//	  ticks:       {expr: 'mm_ticks_total', kind: counter}
//	  tick_latency: {expr: 'mm_tick_duration_seconds', kind: histogram, unit: seconds}
//	  order_ack_latency: {expr: 'hb_order_ack_ms', kind: histogram, unit: milliseconds}
//	budgets: budgets.yaml           # optional: the bot's budgets file, relative to the profile
//	criteria: criteria.yaml         # optional: the bot's soak criteria file, relative to the profile
//
// # Budgets and criteria
//
// budgets: and criteria: name the bot's own files (relative to the
// profile's directory). Each must exist and parse (harness/budget,
// harness/criteria): a missing or broken one fails the profile at its
// file:line and key. Which file a run reads is decided in one place, Pick:
// BUDGETS or CRITERIA set by the user (command line or environment) win;
// else the profile's; else presoak's own fixtures/budgets.yaml and
// fixtures/criteria.yaml. Readiness, shadow, the soak and the generated
// monitoring all ask Pick, so a profile naming its budgets needs no
// BUDGETS= on any command.
//
// A budgets file may name, besides the stages, tick_total, deadline_miss
// and md_cache_hit_ratio, any histogram signal the profile declares
// beyond tick_latency and stage_latency (order_ack_latency: p(95) < 50ms):
// it is read from the bot's histogram like a stage, aggregated over every
// matching series, a failure names the slowest series, and no
// observations is a failure. An undeclared name is an error listing the
// declared signals; a counter or gauge is an error (its aggregates are
// latencies). A signal may not take a built-in budget target's name
// (fetch_md ...). The reference engine's profile declares no histogram of
// its own, so such budgets never apply to the embedded engine.
//
// # Config items
//
// A path is dotted keys with list indices: crossExchangeStrategies[0].xmaker.margin.
// A requirement is an operator (==, !=, <=, <, >=, >) and a value: a number,
// true/false, a duration (500ms) or a word. Scale says how the bot stores a
// share the requirement writes in percent: "percent" (as is, the default) or
// "fraction" (0.09 means 9 %: multiplied by 100 before the comparison).
// Severity is blocking (the default) or warning. Every value read keeps the
// file:line it came from; the last layer that sets a path wins.
//
// The seed's item names are pipeline_enabled, md_cache_enabled, md_cache_ttl
// and taker_cap_pct; any other name under items is an error (use extra).
//
// # Signals
//
// Each signal is one PromQL expression, parsed with
// github.com/prometheus/prometheus/promql/parser, of the form
//
//	selector                        # e.g. hb_ticks_total{bot="pmm"}
//	agg(selector)                   # agg: sum, max, min, avg, count
//	agg by (label) (selector)       # one value per label value
//
// with kind counter, gauge or histogram (a histogram's selector names the
// base metric: x for x_bucket, x_sum, x_count) and unit seconds,
// milliseconds, ratio, percent, bytes or none. Without an aggregation a
// signal sums every matching series (a histogram's buckets are added
// series by series), so per-symbol series are all judged; for a histogram
// the slowest series is named too. A selector matching nothing is an error
// naming the expression and the closest metric names the bot exports.
//
// The signals the engine's checks read, by name: ticks, deadline_misses,
// tick_errors (counters), cache_hits and cache_misses (counters: a ratio
// is two selectors, or one metric with two label values), maker_volume and
// taker_volume (counters or gauges), resident_memory (gauge, bytes),
// breakers_open (gauge: the sum of engaged kill switches, 0 when none),
// tick_latency (histogram), stage_latency (histogram; "by (stage)" names
// the stage label) and feature_flags (gauge; "by (flag)"). Only ticks is
// required; any other name is the team's own signal, evaluated by
// `presoak profile check` and usable by name: a counter or gauge in the
// criteria (over:), a histogram in the budgets.
//
// Do not use a profile to describe presoak's own schema: the reference
// engine's profile (reference.yaml in this package, Default) already does.
package profile
