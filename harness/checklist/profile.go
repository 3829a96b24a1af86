package checklist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/target"
)

// seedItemIDs are the report ids of the profile's seed items (the
// reference engine's items keep their ids for a bot that is not ours).
var seedItemIDs = map[string]string{
	profile.ItemPipelineEnabled: "pipeline_enabled",
	profile.ItemMDCacheEnabled:  "md_cache_enabled",
	profile.ItemMDCacheTTL:      "md_cache_ttl",
	profile.ItemTakerCapPct:     "taker_cap_max_taker_share_pct",
}

// BotProfile is the bot profile the run reads a bot that is not ours
// through: the harness's profile when it was loaded from a file (env
// PROFILE) that declares config layers; nil for the reference engine.
func (e Env) BotProfile() *profile.Profile {
	if e.Harness == nil || e.Harness.Profile == nil {
		return nil
	}
	p := e.Harness.Profile
	if p.File == profile.ReferenceFile || len(p.Config.Layers) == 0 {
		return nil
	}
	return p
}

// ProfileConfig reads the profile's config layers; the error is the
// config_loads item's.
func ProfileConfig(p *profile.Profile) (*profile.BotConfig, error) { return p.LoadConfig() }

// ProfileConfigItems are the Config & Flags items of a bot read through its
// profile: config_loads (every layer parses, in the bot's own format), the
// seed's items the profile places (pipeline_enabled, md_cache_enabled,
// taker_cap_max_taker_share_pct), then the team's extra items. A seed item
// the profile does not place is a warning naming the key to add.
func ProfileConfigItems(p *profile.Profile, cfg *profile.BotConfig, loadErr error) []NamedItem {
	out := []NamedItem{{"config_loads", profileLoads(p, loadErr)}}
	for _, name := range []string{profile.ItemPipelineEnabled, profile.ItemMDCacheEnabled, profile.ItemTakerCapPct} {
		out = append(out, NamedItem{seedItemIDs[name], ProfileSeedItem(p, cfg, loadErr, name, AreaConfigFlags)})
	}
	for _, it := range p.Config.Extra {
		out = append(out, NamedItem{it.Name, profileItem(AreaConfigFlags, it, cfg, loadErr)})
	}
	return out
}

func profileLoads(p *profile.Profile, err error) Item {
	it := Item{Area: AreaConfigFlags, Severity: result.Blocking, Want: "loads (YAML or JSON)", Source: strings.Join(p.Config.Layers, ",")}
	if err != nil {
		it.Status, it.Got = result.StatusFail, "does not load"
		it.Fix = "fix the files the error names (profile " + filepath.Base(p.File) + " config.layers)"
		it.Message = fmt.Sprintf("config loads: %v: %s", err, it.Fix)
		return it
	}
	it.Status, it.Got = result.StatusPass, fmt.Sprintf("%d layer(s) loaded", len(p.Config.Layers))
	it.Message = fmt.Sprintf("config loads: %s (%s), read through profile %s", it.Got, it.Source, filepath.Base(p.File))
	return it
}

// ProfileSeedItem is one seed item (profile.SeedItems) of a bot read
// through its profile, in area.
func ProfileSeedItem(p *profile.Profile, cfg *profile.BotConfig, loadErr error, name, area string) Item {
	it, ok := p.Config.Items[name]
	if !ok {
		return Item{Area: area, Severity: result.Warning, Status: result.StatusWarn, Got: "not declared", Want: "declared in the profile",
			Source: filepath.Base(p.File), Fix: "add config.items." + name + " (path, require) to the profile",
			Message: fmt.Sprintf("%s: the profile %s does not say where the bot keeps it: add config.items.%s", name, filepath.Base(p.File), name)}
	}
	return profileItem(area, it, cfg, loadErr)
}

func profileItem(area string, pi *profile.Item, cfg *profile.BotConfig, loadErr error) Item {
	sev := result.Blocking
	if pi.Severity == "warning" {
		sev = result.Warning
	}
	it := Item{Area: area, Severity: sev, Want: pi.Require.String()}
	if loadErr != nil || cfg == nil {
		return NotEvaluated(area, sev, pi.Name+" ("+pi.Path.String()+")", "the bot's config did not load (see config_loads)", "fix the files config_loads names")
	}
	r := pi.Check(cfg)
	it.Got, it.Source = r.Got, r.Where
	if it.Source == "" {
		it.Source = pi.Path.String()
	}
	if r.Pass {
		it.Status = result.StatusPass
		it.Message = fmt.Sprintf("%s = %s (%s, %s), want %s", pi.Name, r.Got, pi.Path, r.Where, pi.Require)
		return it
	}
	it.Status = result.StatusFail
	if sev == result.Warning {
		it.Status = result.StatusWarn
	}
	if it.Got == "" {
		it.Got = "not set"
	}
	it.Fix = pi.Fix
	if it.Fix == "" {
		it.Fix = fmt.Sprintf("set %s so that it is %s", pi.Path, pi.Require)
	}
	it.Message = r.Msg
	if pi.Fix == "" {
		it.Message += ": " + it.Fix
	}
	return it
}

// ProfileLogDirs are the Logs items of a bot read through its profile: each
// of its log directories (relative to the profile) exists and is writable.
func ProfileLogDirs(p *profile.Profile) []NamedItem {
	out := make([]NamedItem, 0, len(p.Config.Logs))
	for _, d := range p.Config.Logs {
		out = append(out, NamedItem{"log_dir_" + DirItemName(d), WritableDir(p.Dir, d, "profile "+filepath.Base(p.File)+" config.logs")})
	}
	if len(out) == 0 {
		out = append(out, NamedItem{"log_dir", Item{Area: AreaLogs, Severity: result.Blocking, Status: result.StatusFail,
			Got: "none declared", Want: "the bot's log directories", Source: filepath.Base(p.File),
			Fix:     "list the bot's log directories under config.logs in the profile",
			Message: "log_dir: the profile " + filepath.Base(p.File) + " declares no log directory (config.logs): list the bot's"}})
	}
	return out
}

// The Safety items of a bot read through its profile.
const (
	ItemProfileSnapshot  = "feature_flags_snapshot"
	ItemProfileRollback  = "rollback_dry_run"
	ItemProfileRoundTrip = "restore_round_trip"
)

// ProfileSafetyItems are the Safety items of a bot read through its
// profile, the rollback targets being config paths: the snapshot of every
// layer file's hash and target's value (safety.ProfileSnapshot in ws: taken
// when there is none, else checked against the files; never rewritten),
// the rollback dry run (every target is a boolean in
// the bot's config; what it would set), and the snapshot/rollback/restore
// round trip of `make ... PROFILE=` in the scratch workspace (each target
// flipped to false in a copy of the layer that sets it, read back; the
// restore removes the copies and verifies every file against the snapshot).
func ProfileSafetyItems(p *profile.Profile, cfg *profile.BotConfig, loadErr error, ws safety.Workspace, scratch string) []NamedItem {
	fail := func(what, cause, fix string) Item { return NotEvaluated(AreaSafety, result.Blocking, what, cause, fix) }
	if loadErr != nil || cfg == nil {
		c := "the bot's config did not load (see config_loads)"
		return []NamedItem{
			{ItemProfileSnapshot, fail("snapshot", c, "fix the config")},
			{ItemProfileRollback, fail("rollback dry run", c, "fix the config")},
			{ItemProfileRoundTrip, fail("restore round trip", c, "fix the config")},
		}
	}
	if len(p.Config.Rollback) == 0 {
		it := Item{Area: AreaSafety, Severity: result.Blocking, Status: result.StatusFail, Got: "no rollback targets",
			Want: "the config paths a rollback turns off", Source: filepath.Base(p.File),
			Fix: "list them under config.rollback in the profile"}
		it.Message = "the profile declares no rollback target (config.rollback): " + it.Fix
		return []NamedItem{{ItemProfileSnapshot, it}, {ItemProfileRollback, it}, {ItemProfileRoundTrip, it}}
	}
	vals, err := safety.ProfileFlags(p, cfg)
	if err != nil {
		it := Item{Area: AreaSafety, Severity: result.Blocking, Status: result.StatusFail, Got: err.Error(),
			Want: "every rollback target a boolean in the bot's config", Source: filepath.Base(p.File),
			Fix: "fix config.rollback in the profile (paths of the bot's feature switches)"}
		it.Message = "rollback targets: " + err.Error() + ": " + it.Fix
		return []NamedItem{{ItemProfileSnapshot, it}, {ItemProfileRollback, it}, {ItemProfileRoundTrip, it}}
	}
	return []NamedItem{
		{ItemProfileSnapshot, profileSnapshot(p, vals, ws)},
		{ItemProfileRollback, profileDryRun(vals)},
		{ItemProfileRoundTrip, profileRoundTrip(p, scratch)},
	}
}

// profileSnapshot is the snapshot item: the workspace's snapshot is this
// profile's and every config file still hashes to what it recorded, and no
// rolled-back copies are pending. A missing one is taken now (the first
// run); an existing one is never overwritten: it is what a restore returns
// to, and rewriting it from a rolled-back config would lose that.
func profileSnapshot(p *profile.Profile, vals []safety.ProfileFlag, ws safety.Workspace) Item {
	it := Item{Area: AreaSafety, Severity: result.Blocking, Want: "this profile's, every config file hashing to what it recorded, no rollback pending",
		Source: safety.ProfileSnapshotFile}
	fail := func(got, fix, msg string) Item {
		it.Status, it.Got, it.Fix, it.Message = result.StatusFail, got, fix, "feature-flag snapshot: "+msg+": "+fix
		return it
	}
	restore := "make restore PROFILE=" + filepath.Base(p.File)
	if ents, err := os.ReadDir(ws.ProfileRollbackPath()); err == nil && len(ents) > 0 {
		return fail("rollback pending", "undo it first ("+restore+") once the bot runs on its own files again",
			fmt.Sprintf("%d rolled-back cop(ies) in %s: the bot may be running rolled back", len(ents), safety.ProfileRollbackDir))
	}
	taken := ""
	s, err := safety.CheckProfileSnapshot(ws, p)
	if errors.Is(err, safety.ErrNoSnapshot) {
		s, err = safety.TakeProfileSnapshot(ws, p, safety.Meta{})
		taken = " (taken now: there was none)"
	}
	switch {
	case errors.Is(err, safety.ErrStaleSnapshot):
		return fail("stale", "if the change is intended, take a new snapshot (make snapshot PROFILE="+filepath.Base(p.File)+")", err.Error())
	case err != nil:
		return fail(err.Error(), "take a new snapshot (make snapshot PROFILE="+filepath.Base(p.File)+")", err.Error())
	}
	if got, want := flagPaths(s.Flags), flagPaths(vals); got != want {
		return fail("stale", "take a new snapshot (make snapshot PROFILE="+filepath.Base(p.File)+")",
			fmt.Sprintf("the snapshot records the rollback targets [%s], the profile declares [%s]", got, want))
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprintf("%s=%s (%s)", v.Path, v.Value, v.Where)
	}
	it.Status, it.Got = result.StatusPass, fmt.Sprintf("%d flags, %d files current", len(vals), len(s.Layers))
	it.Message = "feature-flag snapshot" + taken + ": " + strings.Join(parts, ", ")
	return it
}

// flagPaths are the targets' paths, comma-joined in order.
func flagPaths(fs []safety.ProfileFlag) string {
	ps := make([]string, len(fs))
	for i, f := range fs {
		ps[i] = f.Path
	}
	return strings.Join(ps, ", ")
}

func profileDryRun(vals []safety.ProfileFlag) Item {
	parts := dryRunLines(vals)
	return Item{Area: AreaSafety, Severity: result.Blocking, Status: result.StatusPass, Got: fmt.Sprintf("%d targets", len(vals)),
		Want: "every target a boolean the rollback can turn off", Source: "profile config.rollback",
		Message: "rollback dry run: " + strings.Join(parts, "; ")}
}

// profileRoundTrip is `make snapshot`, `make rollback APPLY=1` and `make
// restore` with the profile, in a scratch workspace: the snapshot of the
// bot's files, the rolled-back copies written and verified, the restore
// that removes them and verifies every file against the snapshot's hash.
func profileRoundTrip(p *profile.Profile, scratch string) Item {
	it := Item{Area: AreaSafety, Severity: result.Blocking, Want: "targets off in the rolled-back copies; after restore no copy left and every file at the snapshot's hash", Source: "scratch copies of " + strings.Join(p.Config.Layers, ",")}
	err := roundTrip(p, scratch)
	if err != nil {
		it.Status, it.Got, it.Fix = result.StatusFail, err.Error(), "check config.rollback's paths and that the layers are plain YAML/JSON"
		it.Message = "restore round trip: " + err.Error()
		return it
	}
	it.Status, it.Got = result.StatusPass, fmt.Sprintf("%d targets off, %d layers verified against the snapshot after restore", len(p.Config.Rollback), len(p.Config.Layers))
	it.Message = "restore round trip: " + it.Got
	return it
}

func roundTrip(p *profile.Profile, scratch string) error {
	ws := safety.Workspace{Root: scratch}
	if _, err := safety.TakeProfileSnapshot(ws, p, safety.Meta{}); err != nil {
		return err
	}
	rb, err := ProfileRollback(p, ws.ProfileRollbackPath())
	if err != nil {
		return err
	}
	r, err := safety.RestoreProfile(ws, p)
	if err != nil {
		return err
	}
	if len(r.Removed) != len(rb.Files) {
		return fmt.Errorf("restore removed %d rolled-back copies, want %d", len(r.Removed), len(rb.Files))
	}
	return nil
}

// ProfileRolledBack is a rollback written by ProfileRollback.
type ProfileRolledBack struct {
	// Files are the rolled-back copies of the profile's layers, in order.
	Files []string
	// Verified says every target's value read back from Files:
	// "path = false (file:line)".
	Verified []string
	orig     [][]byte
}

// ProfileRollback writes a copy of each of the profile's config layers into
// dir (named NN-<base>) with every rollback target (config.rollback) that
// layer sets turned to false, reads the copies back and checks every target
// is false. The bot's own files are never written. It is the rollback of
// the Safety round trip (on scratch copies, then restored) and of a soak's
// ON_STOP=rollback with a profile (the copies are what the bot restarts on).
func ProfileRollback(p *profile.Profile, dir string) (*ProfileRolledBack, error) {
	if len(p.Config.Rollback) == 0 {
		return nil, errors.New("the profile declares no rollback target (config.rollback)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rb := &ProfileRolledBack{orig: make([][]byte, len(p.Config.Layers)), Files: make([]string, len(p.Config.Layers))}
	for i, l := range p.Config.Layers {
		data, err := os.ReadFile(p.Resolve(l))
		if err != nil {
			return nil, err
		}
		rb.orig[i] = data
		rb.Files[i] = filepath.Join(dir, fmt.Sprintf("%02d-%s", i, filepath.Base(l)))
	}
	// rollback: in each copy, set every target that layer holds to false.
	for i := range rb.Files {
		var doc yaml.Node
		if err := yaml.Unmarshal(rb.orig[i], &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", p.Config.Layers[i], err)
		}
		single := &profile.BotConfig{Layers: []profile.Layer{{Name: p.Config.Layers[i], Root: doc.Content[0]}}}
		for _, r := range p.Config.Rollback {
			path, _ := profile.ParsePath(r)
			if v, err := single.Lookup(path); err == nil {
				v.Node.Value, v.Node.Tag, v.Node.Style = "false", "!!bool", 0
			}
		}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(&doc); err != nil {
			return nil, err
		}
		if err := os.WriteFile(rb.Files[i], buf.Bytes(), 0o644); err != nil {
			return nil, err
		}
	}
	rolled := &profile.BotConfig{}
	for _, c := range rb.Files {
		data, err := os.ReadFile(c)
		if err != nil {
			return nil, err
		}
		l, err := profile.ParseLayer(filepath.Base(c), data) // the copy's lines, named as the copy
		if err != nil {
			return nil, fmt.Errorf("after rollback: %w", err)
		}
		rolled.Layers = append(rolled.Layers, l)
	}
	for _, r := range p.Config.Rollback {
		path, _ := profile.ParsePath(r)
		v, err := rolled.Lookup(path)
		if err != nil {
			return nil, fmt.Errorf("after rollback: %w", err)
		}
		if v.Tag != "!!bool" || v.Text != "false" {
			return nil, fmt.Errorf("after rollback: %s = %s (%s), want false", r, v.Text, v.Where)
		}
		rb.Verified = append(rb.Verified, fmt.Sprintf("%s = %s (%s)", r, v.Text, v.Where))
	}
	return rb, nil
}

// ProfileRollbackPreview is the rollback dry run of a profile, one line per
// target: "path: value -> false (file:line)"; an error when a target is
// not a boolean in the bot's config (or the config does not load).
func ProfileRollbackPreview(p *profile.Profile) ([]string, error) {
	if len(p.Config.Rollback) == 0 {
		return nil, errors.New("the profile declares no rollback target (config.rollback)")
	}
	cfg, err := p.LoadConfig()
	if err != nil {
		return nil, err
	}
	vals, err := safety.ProfileFlags(p, cfg)
	if err != nil {
		return nil, err
	}
	return dryRunLines(vals), nil
}

func dryRunLines(vals []safety.ProfileFlag) []string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprintf("%s: %s -> false (%s)", v.Path, v.Value, v.Where)
	}
	return parts
}

// ProfileConfigHash is the config hash of a bot read through its profile:
// the sha256 of its config layers in order (each layer's path as the
// profile declares it, then its bytes), hex.
func ProfileConfigHash(p *profile.Profile) (string, error) {
	h := sha256.New()
	for _, l := range p.Config.Layers {
		data, err := os.ReadFile(p.Resolve(l))
		if err != nil {
			return "", fmt.Errorf("config hash: %w", err)
		}
		fmt.Fprintf(h, "%s\n%d\n", l, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ItemProfileSignals is the item saying every signal the profile declares
// reads something on the running bot.
const ItemProfileSignals = "profile_signals_match"

// ProfileSignals reads the bot once through the harness's target (a scrape
// of its /metrics) and fails when a declared signal matches nothing,
// naming each expression and the closest metrics the bot exports; unit
// suspicions are warnings. A fleet (prometheus target) is checked for a
// readable ticks signal on every instance.
func ProfileSignals(ctx context.Context, h *target.Harness) Item {
	p := h.Profile
	it := Item{Area: AreaConfigFlags, Severity: result.Blocking, Want: "every declared signal matches series", Source: h.Describe()}
	tg, err := h.Open(nil)
	if err != nil {
		it.Status, it.Got, it.Fix = result.StatusFail, err.Error(), "fix the profile's target"
		it.Message = "profile signals: " + err.Error()
		return it
	}
	defer tg.Close()
	ss, err := tg.Sample(ctx)
	if err == nil && len(ss) == 0 {
		err = errors.New("no bot in the answer")
	}
	if err != nil {
		it.Status, it.Got, it.Fix = result.StatusFail, err.Error(), "start the bot, then run again"
		it.Message = "profile signals: " + err.Error()
		return it
	}
	for _, s := range ss {
		if !s.Up {
			it.Status, it.Got = result.StatusFail, s.Instance+": "+s.Fault
			it.Fix = "make profile-check PROFILE=" + filepath.Base(p.File) + " shows what each signal sees"
			it.Message = fmt.Sprintf("profile signals: %s: %s: %s", s.Instance, s.Fault, it.Fix)
			return it
		}
	}
	sc, ok := tg.(*target.Scrape)
	if !ok {
		it.Status, it.Severity = result.StatusWarn, result.Warning
		it.Got = fmt.Sprintf("ticks read on %d instance(s); other signals not checked one by one on a fleet", len(ss))
		it.Fix = "run make profile-check PROFILE=" + filepath.Base(p.File) + " SCRAPE_URL=<one bot's /metrics>"
		it.Message = "profile signals: " + it.Got + ": " + it.Fix
		return it
	}
	d := sc.LastDerivation()
	if len(d.Unmatched) > 0 {
		msgs := make([]string, len(d.Unmatched))
		for i, e := range d.Unmatched {
			msgs[i] = e.Error()
		}
		it.Status, it.Got = result.StatusFail, fmt.Sprintf("%d of %d signals match nothing", len(d.Unmatched), len(p.Signals))
		it.Fix = "correct those expressions in " + filepath.Base(p.File) + " (make profile-check shows what each sees)"
		it.Message = "profile signals: " + strings.Join(msgs, "; ") + ": " + it.Fix
		return it
	}
	if len(d.Warnings) > 0 {
		it.Status, it.Severity, it.Got = result.StatusWarn, result.Warning, strings.Join(d.Warnings, "; ")
		it.Fix = "check the units in " + filepath.Base(p.File)
		it.Message = "profile signals: " + it.Got
		return it
	}
	it.Status, it.Got = result.StatusPass, fmt.Sprintf("%d signals match", len(p.Signals))
	it.Message = "profile signals: every declared signal reads series on " + ss[0].Instance
	return it
}
