// Package baseline measures the bot's latency baseline and compares runs.
//
// It runs the embedded engine in shadow mode (simulated venue, no orders
// leave the process) either on the simulated clock over a committed
// market-data recording — seconds of wall time, deterministic, what the
// readiness checklist and the benchmarks use — or on the real clock for a
// shadow run of a given duration (make shadow DURATION=60m). Either way the
// result is a Baseline: per-stage and whole-tick latency distributions
// (count, p50, p95, p99, max, a distribution-free 95% interval of p95 and a
// confidence label), the deadline-miss rate, the MD-cache hit ratio and the
// run's provenance (config hash and layers, git commit, start, end), written
// as artifacts/baseline/stage_budgets.json.
//
// On the simulated clock stage latencies are modeled by the engine from its
// latency profile; on the real clock they are measured. A Baseline says which
// (Clock, LatencySource) and so must every report built from it.
//
// The real-clock shadow run of the embedded engine also records a
// calibration dataset (engine/calibration: quotes, fills, markouts, a
// manifest) in artifacts/edge/datasets/shadow-<time>/, which make
// edge-report turns into EDGE_REPORT.md.
//
// A running bot — any language — can be measured instead through the
// harness's target (TARGET=scrape SCRAPE_URL=..., or TARGET=prometheus
// PROMETHEUS_URL=... SELECTOR=...; fixtures/presoak.yaml): ShadowTarget
// samples it every harness interval for DURATION and computes, from the
// first and the last sample, each stage's and tick_total's percentiles from
// the histogram bucket deltas and the deadline-miss rate and hit ratio from
// the counter deltas. Such a baseline says Source SourceBuckets and states
// every percentile's bucket error (the bucket it lies in and the most it
// can be off); the embedded engine's says SourceExact. A fleet behind a
// Prometheus server gets one baseline per bot, in
// artifacts/baseline/instances/<instance>/, each compared with its own
// frozen baseline (make baseline-freeze BASELINE_DIR=...). A target that
// gives no bot two samples is an error (ErrNoSamples), never a pass.
//
// The readiness checklist's Baseline and MD-Cache areas take their sample
// through LoadReadiness: the simulated-clock sample of the embedded engine by
// default, or, with a running bot's target, MeasureTarget's
// READINESS_SAMPLE-long ShadowTarget run (evidence in
// artifacts/baseline/target/), whose per-instance checks are merged into
// one item per check that fails when any bot fails it, naming the bot.
//
// A frozen baseline (artifacts/baseline/frozen/stage_budgets.json, written by
// make baseline-freeze) is the reference later runs are compared with:
// Compare bootstraps the ratio of each stage's p95 and calls it REGRESSED
// only when the whole interval is above +10%; P95RegressionPct is the soak's
// p95_regression_pct signal.
//
// Do not compare a simulated-clock baseline with a real-clock one, nor an
// exact one with one read from buckets: CompareBaselines refuses to pretend
// they measure the same thing.
package baseline
