// Package bench is the latency budgets as benchmarks.
//
// The Benchmark functions (bench_test.go) tick the embedded engine on the
// simulated clock over the seeded synthetic feed, drop a warm-up, and report
// every stage's p50/p95/p99 with b.ReportMetric — as "modeled-p95-ms": on the
// simulated clock stage latencies are MODELED by the engine from its latency
// profile, while ns/op is the real CPU cost of simulating one tick.
//
// gotestsum reports Benchmark functions as failed in JUnit while exiting 0,
// so the latency budgets (every stage and tick_total) are asserted in
// TestBudgets, which drives the same measurement (Measure) over the config's
// committed recording; `presoak bench` (make bench) prints it as a table and
// exits non-zero when a budget fails. The ratio budgets of the same file
// (deadline_miss, md_cache_hit_ratio) are not latencies: the readiness
// checklist (Baseline, MD-Cache) and the shadow run assert them. With
// -clock real the same table is built from a real-clock shadow run, whose
// latencies are measured.
package bench
