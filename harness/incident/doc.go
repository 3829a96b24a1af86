// Package incident writes the incident bundle when a soak stops, so the
// person on call finds everything in one place: which criterion fired and
// why, the evidence around it, the rollback previewed (or applied, when
// ON_STOP=rollback asked for it), and an incident report draft.
//
// Wire it into a soak with two calls:
//
//	in, err := incident.New(incident.Options{Dir: "artifacts/soak", Spec: spec, Config: loaded, Safety: safetyOptions, Action: action})
//	rep, err := soak.Run(ctx, soak.Config{Target: in.Watch(tgt), OnStop: in.OnStop, ...})
//	err = in.Finish(rep) // the bundle of an interrupted run with a stop criterion pending; errors of OnStop
//
// Watch wraps the target to keep the recent samples (the soak runner keeps
// none it could hand over); OnStop writes the bundle synchronously, before
// the runner writes its report, and never looks at the run's context, so a
// SIGTERM arriving while a stopping run winds down does not cut it short.
//
// A bundle is artifacts/soak/incident-<firing time>/ (Bundle* names):
//
//	INCIDENT_REPORT.md     the draft: summary, timeline, impact, the criterion's
//	                       description and action, the rollback, next steps
//	incident.json          the firing, the criterion, the action taken, the files
//	signal_history.csv     the firing criterion's signal at every sample of the
//	                       window before it fired (For + Window + margin), with the
//	                       threshold and whether the condition held
//	signal_history.svg     that history as a chart against the threshold
//	samples.jsonl          the last KeepSamples samples (every instance)
//	config.redacted.yaml   the effective config, secrets as <redacted>
//	config.sha256          its hash (config.Loaded.Hash)
//	flags_snapshot.json    the release flag snapshot (artifacts/release/FEATURE_FLAGS_SNAPSHOT.json)
//	flags_live.json        the flags the bot reported in its last sample
//	rollback_preview.txt   the rollback dry run, key by key
//	rollback_applied.txt   with Action Rollback: the layer written and its verification
//
// The bundle is built in a temporary directory next to it and renamed into
// place: a reader never sees half a bundle.
//
// Do not share an Incident between two soaks. Rollback is opt-in: the
// default Action previews and changes nothing.
package incident
