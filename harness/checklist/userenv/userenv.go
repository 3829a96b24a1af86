// Package userenv names the environment variables a user sets to point
// presoak at their bot, config, criteria and budgets (CONFIG, TARGET,
// HARNESS, ...), and keeps them out of the harness's own tests.
//
// The checklist and the commands read these variables (checklist.LoadRunEnv,
// target.LoadHarnessEnv, monitoring.EnvFrom, ...); the harness's own tests
// must not: `HARNESS=mine.yaml go test ./harness/...` tests the harness, not
// the user's setup. Every test package under harness/ and cmd/ therefore has
// a TestMain that calls Clear before its tests run, and sets what a test
// needs itself (t.Setenv, or an explicit environment for a subprocess;
// Without strips the user's variables from one).
//
// This is the one list: a new variable a command or the checklist reads
// (a bot profile, say) is added to Names, and TestNamesCoverTheReaders
// fails while a reader's constant is missing from it. It imports nothing of
// presoak, so any test package can use it without an import cycle.
//
// How not to use it: do not call Clear outside a TestMain (it changes the
// whole process's environment), and do not use it in the checklist
// (readiness/), whose job is to read the user's environment.
package userenv

import (
	"os"
	"strings"
)

// The variables a user sets (see the Makefile's header and the README).
const (
	Config          = "CONFIG"             // config layers, comma-separated
	Target          = "TARGET"             // embedded, scrape or prometheus
	Harness         = "HARNESS"            // the harness file (fixtures/presoak.yaml)
	ScrapeURL       = "SCRAPE_URL"         // the bot's /metrics
	PrometheusURL   = "PROMETHEUS_URL"     // a Prometheus that scrapes the bot(s)
	Selector        = "SELECTOR"           // the bots' series selector
	Criteria        = "CRITERIA"           // the soak's stop criteria
	Budgets         = "BUDGETS"            // latency budgets
	ReadinessSample = "READINESS_SAMPLE"   // how long make readiness samples a running bot
	Duration        = "DURATION"           // shadow and soak run length
	MetricNames     = "METRIC_NAMES"       // a metric-name mapping file
	Baseline        = "BASELINE"           // the frozen baseline monitoring compares with
	BaselineDir     = "BASELINE_DIR"       // make baseline-freeze's directory
	Faults          = "FAULTS"             // a fault plan for the embedded bot
	Addr            = "ADDR"               // the bot's listen address
	Prometheus      = "PROMETHEUS"         // the prometheus binary make monitor starts
	ScrapeInterval  = "SCRAPE_INTERVAL"    // make monitor's scrape interval
	Resume          = "RESUME"             // make soak: continue a stopped soak
	OnStop          = "ON_STOP"            // make soak: rollback on a stop
	Apply           = "APPLY"              // make rollback: write the layer
	Datasets        = "DATASETS"           // make edge-report's datasets
	Foreground      = "FOREGROUND"         // make launch: wait for the soak
	Workdir         = "PRESOAK_WORKDIR"    // the team's tree (internal/home)
	Profile         = "PRESOAK_PROFILE"    // the team's bot profile (internal/home)
	ProfileFile     = "PROFILE"            // make's name for the bot profile (harness/target)
	Promtool        = "PRESOAK_PROMTOOL"   // a pinned promtool built elsewhere (harness/monitoring/prombin)
	PrometheusBin   = "PRESOAK_PROMETHEUS" // a pinned Prometheus server built elsewhere (prombin)
)

// Names are all of them.
var Names = []string{
	Config, Target, Harness, ScrapeURL, PrometheusURL, Selector, Criteria, Budgets,
	ReadinessSample, Duration, MetricNames, Baseline, BaselineDir, Faults, Addr,
	Prometheus, ScrapeInterval, Resume, OnStop, Apply, Datasets, Foreground,
	Workdir, Profile, ProfileFile, Promtool, PrometheusBin,
}

// Clear unsets every variable of Names in this process. Call it first in a
// harness test package's TestMain.
func Clear() {
	for _, k := range Names {
		os.Unsetenv(k)
	}
}

// Without is environ (KEY=VALUE lines, as os.Environ) without the variables
// of Names: the environment for a subprocess a harness test starts.
func Without(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !isUser(k) {
			out = append(out, kv)
		}
	}
	return out
}

func isUser(k string) bool {
	for _, n := range Names {
		if n == k {
			return true
		}
	}
	return false
}
