// Package soak runs a soak under stop criteria: it samples a target on the
// criteria's evaluation interval, appends every sample to samples.jsonl
// (flushed each interval, so nothing sampled is lost), evaluates the criteria
// (package criteria, Prometheus `for:` semantics), stops at once when a stop
// criterion fires, records warnings, prints a progress line, and writes
// soak_report.json and soak_report.md (timeline, final signal table,
// verdict) atomically when it ends — also when it is interrupted, which the
// report says.
//
// Time comes from the target: a target.Simulated target (the embedded engine
// on the simulated clock) is advanced by the runner, so 72 hours run in
// seconds; any other target is sampled on the real clock.
//
// Resume (Config.Resume) replays an earlier run's samples.jsonl through the
// evaluator at the same evaluation times, which rebuilds every criterion's
// state (pending since when, firing) exactly, then carries on appending. The
// soak's elapsed time is the time its samples cover, less the gap between
// the interrupted run's last sample and the resume: the time the soak was
// down does not count toward Duration. For the criteria the gap is no data
// (their state is kept; see package criteria).
//
// Do not share a Target between two runners, and do not read samples.jsonl
// while a run appends to it expecting the last line to be complete.
package soak
