// Package safety is the pre-soak safety net: a snapshot of every feature flag
// and soak-relevant limit of the effective config (with the file and line
// that set it), a rollback that can be previewed key by key, applied without
// touching the user's files, verified, and undone, and the prepare-soak steps
// that tie them together.
//
// # Layers
//
// A bot's configuration is the layers named by CONFIG (base first, then
// overrides) plus, while it exists, the rollback layer
// artifacts/release/rollback.override.yaml under the workspace root, loaded
// last so that it wins. EffectiveLayers is that rule; every consumer that loads
// the bot's config (the readiness checks, the reference bot, the soak) must go
// through it so that an applied rollback is seen everywhere. Apply writes the
// rollback layer atomically (temp file + rename) and Restore removes it; the
// user's own config files are never written.
//
// # Rollback targets
//
// What a rollback sets is data (fixtures/rollback.yaml): a list of dotted keys
// and the value each is set to, plus the limits a snapshot records besides the
// `<section>.enabled` flags. A target that names a key the config does not
// have is an error before anything is written.
//
// # Snapshot
//
// artifacts/release/FEATURE_FLAGS_SNAPSHOT.json records, for every
// `<section>.enabled` leaf and every listed limit, its value, its source
// (file:line) and its rollback target, with the config hash, the layers, the
// generation time, the presoak version and the git commit. Its format is the
// JSON Schema fixtures/schema/feature_flags_snapshot.schema.json; a secret
// leaf is never recorded. A snapshot from another config (a different hash)
// is refused by Apply and Restore.
//
// # Bot profiles
//
// A bot under a bot profile (harness/profile) has its config in its own
// files, which presoak never writes and cannot load a layer after. Its
// snapshot (FEATURE_FLAGS_SNAPSHOT.profile.json) records each file's SHA-256
// and every config.rollback target's value; its rollback is rolled-back
// copies in artifacts/release/profile-rollback/, which take effect only
// when the team's deploy restarts the bot on them (ProfileDeploySteps says
// so); RestoreProfile removes them and verifies every file against the
// snapshot, refusing (copies left) when a file changed since it.
//
// Do not use this package to edit a config: it only ever adds or removes its
// own layer (or, for a profile, its own copies).
package safety
