package checks

import (
	"github.com/presoak/presoak/harness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// The Safety area's item names (its subtests), in report order.
const (
	ItemSnapshot         = "feature_flags_snapshot"
	ItemRollbackDryRun   = "rollback_dry_run"
	ItemRestoreRoundTrip = "restore_round_trip"
)

// FixNoConfig is the fix of a Safety item evaluated without config files.
const FixNoConfig = "set CONFIG to the bot's config layers"

// WithoutConfig are the Safety items when CONFIG is empty (a running bot
// checked from its metrics only): the snapshot is a snapshot of the config
// files, and the rollback and the restore rewrite config layers, so none can
// be evaluated from a bot's metrics. Each fails as not evaluated (no
// evidence is never a pass), keeping its requirement, with FixNoConfig.
func WithoutConfig() []checklist.NamedItem {
	items := []struct{ name, what, want, why string }{
		{ItemSnapshot, "feature-flag snapshot", "a valid snapshot of the effective config",
			"the snapshot is taken of the config files"},
		{ItemRollbackDryRun, "rollback dry run", "the rollback computes, loads and turns every flag target off",
			"the rollback is a layer over the config files"},
		{ItemRestoreRoundTrip, "restore round trip", "snapshot -> rollback -> restore gives the snapshot's config hash",
			"the restore writes back the config files' snapshot"},
	}
	out := make([]checklist.NamedItem, 0, len(items))
	for _, c := range items {
		it := checklist.NotEvaluated(checklist.AreaSafety, report.Blocking, c.what,
			"no config files given (CONFIG is empty): "+c.why, FixNoConfig)
		it.Source, it.Want = checklist.SourceNoConfig, c.want
		out = append(out, checklist.NamedItem{Name: c.name, Item: it})
	}
	return out
}
