// Package launch is the seed's "Soak Test Launch Checklist" as data and a
// runner: a list of Steps (pre-flight, monitoring up, alerting loaded, soak
// started, metrics collection verified), run in order, each printed as
// [OK] or [FAIL] with its evidence, stopping at the first failure.
//
// A step that starts something registers how to stop it (Launch.OnAbort).
// When a step fails, or the launch is interrupted (ctx done), the runner
// stops everything registered, last first, so a failed launch leaves
// nothing half-started. A launch that succeeds leaves what it started
// running (the soak under watch) and says how to stop it.
//
// The runner writes the launch record, artifacts/release/LAUNCH.md, atomically
// at the end — also for a failed or interrupted launch: the steps run and
// their results, the config and flag-snapshot hashes, the commit, the URLs,
// and how to stop or roll back.
//
// How not to use this package: do not start processes from a step without
// registering their stop, and do not print secrets as evidence (evidence is
// written to LAUNCH.md).
package launch
