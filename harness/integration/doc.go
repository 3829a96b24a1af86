// Package integration holds the tests that run presoak against real parts:
// the reference bot (cmd/mmbot), a Python bot (fixtures/pybot) and the
// example bots presoak did not write (fixtures/bots: the bbgo-style and
// hummingbot-style stand-ins) as processes on loopback, and real Prometheus
// servers scraping them every second. They check that the scrape and
// prometheus targets read the same signals as each other, that a soak
// through either target stops with target_down when the bot is killed, and
// that the report is written.
//
// For the example bots (TestExampleBots) they run the commands a newcomer
// types — presoak readiness, what make shadow and make soak run (go tool
// gotestsum over go test -tags shadow|soak ./readiness/, then presoak
// junit), presoak monitoring — with the Makefile's environment for PROFILE,
// through the profile's scrape target and through a real Prometheus (its
// selector): READY when healthy; exactly the taker cap (file:line) with the
// cap at 12 % in the bot's config and exactly tick_total_p95 (naming the
// symbol) with one slow symbol; a short shadow with its JUnit; a short soak
// that passes with data for every stop criterion and stops on
// critical_breaker_stop with the kill switch engaged; rules on the bot's
// own names that pass promtool check rules and test rules and, loaded into
// the real server, fire the kill switch's stop alert (none on the healthy
// bot). Each run has its own team tree in a temporary directory: nothing is
// written into the checkout.
//
// The package has no code of its own: everything is in its tests, which
// start and stop every process they need (t.Cleanup; commands in their own
// process group, killed whole on a timeout) and leave none behind.
// Prometheus and promtool are the pinned release (tools/go.mod), built by
// make deps and found by package prombin; without them the tests fail under
// CI=true and skip, loudly, elsewhere.
package integration
