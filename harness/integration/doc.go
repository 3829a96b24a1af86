// Package integration holds the tests that run presoak against real parts:
// the reference bot (cmd/mmbot) and a Python bot (fixtures/pybot) as
// processes on loopback, and a real Prometheus server scraping them every
// second. They check that the scrape and prometheus targets read the same
// signals as each other, that a soak through either target stops with
// target_down when the bot is killed, and that the report is written.
//
// The package has no code of its own: everything is in its tests, which
// start and stop every process they need (t.Cleanup) and leave none behind.
// Prometheus is the pinned release (tools/go.mod), built by make deps and
// found by package prombin; without it the tests fail under CI=true and skip,
// loudly, elsewhere.
package integration
