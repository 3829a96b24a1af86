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
// A frozen baseline (artifacts/baseline/frozen/stage_budgets.json, written by
// make baseline-freeze) is the reference later runs are compared with:
// Compare bootstraps the ratio of each stage's p95 and calls it REGRESSED
// only when the whole interval is above +10%; P95RegressionPct is the soak's
// p95_regression_pct signal.
//
// Do not compare a simulated-clock baseline with a real-clock one: Compare
// refuses to pretend they measure the same thing (see CompareBaselines).
package baseline
