// Package readiness is the pre-soak checklist: every checklist item is a Go
// test, and `go test ./readiness/...` is the gate. `presoak readiness` (make
// readiness) runs it through gotestsum and renders artifacts/reports/
// readiness.junit.xml and PRE_SOAK_REPORT.md from the same `go test -json`
// stream. The non-test code lives in subpackages (checklist, signal,
// criteria, ...); this package holds only tests.
//
// # Conventions for checklist tests
//
// One file per area, readiness/<area>_test.go, with exactly one top-level
// test per area and one subtest per item:
//
//	Config & Flags  TestConfigAndFlags  config_flags_test.go
//	Baseline        TestBaseline        baseline_test.go
//	MD-Cache        TestMDCache         mdcache_test.go
//	Logs            TestLogs            logs_test.go
//	Safety          TestSafety          safety_test.go
//	Monitoring      TestMonitoring      monitoring_test.go
//
// The full test name (TestConfigAndFlags/pipeline_enabled) is the item's id
// in JUnit and in the Markdown report: keep names stable, lower_snake_case,
// one level of subtests (no "/" inside an item name).
//
// The top-level test calls checklist.Group(t, area). Each item builds a
// checklist.Item (area, severity, status, got, want, source, fix, message) in
// non-test code and calls checklist.Record(t, item), which sets these
// attributes (t.Attr, so they reach the JSON stream and JUnit <properties>):
//
//	area      one of the checklist.Area* constants, e.g. "Config & Flags"
//	severity  "blocking" (the run fails when the item fails) or "warning"
//	status    "pass", "warn", "fail" or "skip"
//	value     what was measured ("false", "p95 41.2ms")
//	want      the requirement ("true", "<= 9", "p95 <= 35ms")
//	source    where the value came from ("fixtures/config.yaml:4", a metric, a file)
//	fix       what to do when it fails
//
// Record calls t.Error with the item's message for a failed blocking item.
// The message stands alone: "pipeline.enabled = false
// (fixtures/config.yaml:4), want true: set it to true in an override (e.g.
// fixtures/config.soak_overrides.yaml)".
//
// A warning never fails the run: a warning-severity item that does not hold
// is recorded with status "warn" and logged ("warning: ..."); the test
// passes, and the report lists it under Warnings with a ⚠️.
//
// An item that cannot be evaluated fails (checklist.NotEvaluated); it is never
// a pass. An area whose capability is not built yet skips with
// checklist.Pending, naming the missing capability; skipped items are listed
// in the report and left out of the readiness percentage. Every area of the
// seed has its checks now; a new area starts as a Pending placeholder in its
// own <area>_test.go.
//
// Every test in ./readiness/... is a checklist item or an area's group: the
// harness's own tests live under harness/ and run in make test, never in the
// gate. A test here without an "area" attribute (its own or its parent's) is
// a defect of the checklist: the report names it and the verdict is NOT RUN
// until it calls checklist.Group. The attributes config_hash and
// config_layers are set once, by TestConfigAndFlags; no other test sets them.
//
// # Which config: the rollback layer
//
// The checklist sees what the bot runs on: CONFIG's layers, then the applied
// rollback layer artifacts/release/rollback.override.yaml while it exists
// (safety.Workspace.EffectiveLayers, through checklist.LoadEnv). A value the
// rollback set is reported with that file as its source and the fix
// "make restore"; config_layers marks the layer "(rollback applied)".
//
// # Readiness of a running bot (TARGET=scrape or prometheus)
//
// Use checklist.LoadRunEnv(os.LookupEnv): it reads the harness (HARNESS,
// TARGET, SCRAPE_URL, PROMETHEUS_URL, SELECTOR) as well as CONFIG, and
// checklist.ReadBot reads the bot(s) once. Three cases:
//
//	CONFIG given, embedded target   the items from the files (file:line sources)
//	CONFIG empty, scrape/prometheus the flag items (pipeline, md_cache, adaptive
//	                                spread, queue aware) from the bot's
//	                                mm_feature_flag_enabled{flag}; source
//	                                `mm_feature_flag_enabled{flag="pipeline.enabled"} @ 127.0.0.1:9100`
//	CONFIG given, scrape/prometheus the items from the files, plus
//	                                running_bot_matches_config: every flag of
//	                                every instance equals the config's
//
// CONFIG empty means set to the empty string (`CONFIG= make readiness`);
// unset means checklist.DefaultConfig, and so does empty with the embedded
// target. For a fleet an item fails when any instance fails it, naming that
// instance. What only the files can say (config_loads, the taker cap, Logs'
// log_dir) fails as not evaluated with "set CONFIG to the bot's config layers
// to check ...": no samples is never a pass, so a running bot checked without
// its config is never READY. A bot that is down, answers garbage, or does
// not export a flag fails the item with its fault; a disagreement between
// the bot and the config is a blocking failure naming both values and where
// each came from.
//
// # Running bots: where each item comes from
//
// With TARGET=scrape or prometheus the Baseline and MD-Cache areas measure
// the running bot(s), not the embedded engine (baseline.LoadReadiness): one
// sample of READINESS_SAMPLE (default 20s) read through the target at the
// harness interval (baseline.ShadowTarget), shared by both areas; every
// budget is evaluated per instance on the histogram-bucket deltas, the
// percentiles with their bucket error (in the message and the bucket_error
// attribute), and an item fails when any instance fails it, naming it. The
// source is the metric @ instance and the target, e.g.
// `mm_stage_duration_seconds{stage="fetch_md"} @ 127.0.0.1:9100 (scrape ...)`.
// ticks_sampled wants >= 1 tick (a running bot's sample is short, not the
// embedded sample's 2,000); a bot that is down or never ticked fails every
// item with its fault. The evidence goes to artifacts/baseline/target/.
//
//	item                  embedded (default)        scrape/prometheus, CONFIG given   scrape/prometheus, CONFIG=
//	Config & Flags flags  config files              files + running_bot_matches_config the bot's mm_feature_flag_enabled
//	Baseline budgets      simulated engine sample   the bot, READINESS_SAMPLE          the bot, READINESS_SAMPLE
//	md_cache_enabled      config files              the bot's flag                     the bot's flag
//	md_cache_ttl          config files              config files                       not evaluated (fails)
//	hit_ratio             simulated engine sample   the bot                            the bot
//	Safety                config files              config files                       not evaluated (fails)
//	Monitoring            criteria                  criteria                           criteria
//
// "Not evaluated" items fail with the fix "set CONFIG to the bot's config
// layers": the bot does not export its TTL, and the feature-flag snapshot,
// the rollback and the restore are about config files. CONFIG= with the
// embedded target changes nothing: the default layers, the simulated sample.
// Example: `make bot` in the background, then
// `TARGET=scrape SCRAPE_URL=http://127.0.0.1:9100/metrics READINESS_SAMPLE=10s make readiness`.
//
// Paths: tests run in this directory; resolve fixtures and artifacts against
// the module root (checklist.ModuleRoot, checklist.LoadEnv) and show them
// relative to it (no absolute paths in reports). CONFIG is a comma-separated
// list of config layers (default checklist.DefaultConfig). Attribute values
// must not contain secrets (never print a config value whose key
// config.IsSecretKey reports).
package readiness
