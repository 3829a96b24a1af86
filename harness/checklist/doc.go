// Package checklist is the logic behind the pre-soak checklist tests in
// package readiness: the checks themselves (config items, log and artifact
// directories), where the module root and the CONFIG layers are, and how an
// item's result is recorded on a test so that JUnit and the Markdown report
// carry it.
//
// A check returns an Item: area, severity, status, what was measured (Got),
// what is required (Want), where the value came from (Source) and the fix.
// The test decides what to do with it; Record does the usual thing (t.Attr for
// every field, t.Error for a failed blocking item, t.Log for a warning). This
// package never imports "testing": Record takes the small Reporter interface
// that *testing.T satisfies.
//
// Which config: LoadEnv loads CONFIG's layers followed by the applied
// rollback layer when it exists (safety.Workspace.EffectiveLayers), so the
// checklist sees what the bot runs on. LoadRunEnv also reads the harness
// (TARGET, SCRAPE_URL, PROMETHEUS_URL, SELECTOR, HARNESS): with a running bot
// (scrape or prometheus) ReadBot reads its mm_feature_flag_enabled once, and
// ConfigAndFlagsItems evaluates the flag items from it when CONFIG is set to
// empty (BotFlag; source "metric{flag} @ instance"), or checks that it agrees
// with the config files when CONFIG is given (BotMatchesConfig).
//
// How not to use it: do not call a check from a goroutine a test does not
// wait for, and do not turn a check that cannot be evaluated into a pass —
// NotEvaluated is a failure.
package checklist
