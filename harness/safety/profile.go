package safety

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/internal/atomicfile"
)

// The safety artifacts of a bot under a bot profile (harness/profile), whose
// config is the bot's own files: presoak never writes them and cannot put a
// layer after them, so its rollback is a set of rolled-back copies.
const (
	// ProfileSnapshotFile records every layer file's SHA-256 and every
	// rollback target's value (TakeProfileSnapshot; the readiness Safety
	// item takes it when there is none, and never rewrites one).
	ProfileSnapshotFile = "artifacts/release/FEATURE_FLAGS_SNAPSHOT.profile.json"
	// ProfileRollbackDir holds the rolled-back copies of the bot's layers
	// (NN-<name>, written by `presoak rollback -apply` with a profile and by
	// a soak's ON_STOP=rollback); RestoreProfile removes them.
	ProfileRollbackDir = "artifacts/release/profile-rollback"
)

// ProfileSnapshotPath is where the profile snapshot is written and read.
func (w Workspace) ProfileSnapshotPath() string { return w.path(ProfileSnapshotFile) }

// ProfileRollbackPath is the directory of the profile's rolled-back copies.
func (w Workspace) ProfileRollbackPath() string { return w.path(ProfileRollbackDir) }

// ProfileSnapshot is FEATURE_FLAGS_SNAPSHOT.profile.json: the state a
// profile's restore returns to and verifies.
type ProfileSnapshot struct {
	// FormatVersion is ProfileFormatVersion.
	FormatVersion int `json:"format_version"`
	// GeneratedAt is when it was taken, RFC 3339 UTC.
	GeneratedAt string `json:"generated_at"`
	// PresoakVersion is the version of the harness that took it.
	PresoakVersion string `json:"presoak_version"`
	// Profile is the profile file's name; Bot its bot.
	Profile string `json:"profile"`
	Bot     string `json:"bot,omitempty"`
	// Layers are the bot's config files, in the profile's order, with the
	// SHA-256 of each file's bytes.
	Layers []LayerDigest `json:"layers"`
	// Flags are the rollback targets (config.rollback) and their values.
	Flags []ProfileFlag `json:"flags"`
}

// ProfileFormatVersion is the profile snapshot format's version.
const ProfileFormatVersion = 1

// LayerDigest is one config file of the bot and its SHA-256.
type LayerDigest struct {
	// File is the layer as the profile names it (relative to the profile).
	File string `json:"file"`
	// SHA256 is the hex SHA-256 of its bytes.
	SHA256 string `json:"sha256"`
}

// ProfileFlag is one rollback target's value in the bot's config.
type ProfileFlag struct {
	Path  string `json:"path"`
	Value string `json:"value"`
	Where string `json:"where"`
}

// ProfileFlags reads every rollback target (config.rollback) from the
// bot's config: each must be a boolean; every problem is named.
func ProfileFlags(p *profile.Profile, cfg *profile.BotConfig) ([]ProfileFlag, error) {
	var out []ProfileFlag
	var errs []error
	for _, r := range p.Config.Rollback {
		path, err := profile.ParsePath(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		v, err := cfg.Lookup(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if v.Tag != "!!bool" {
			errs = append(errs, fmt.Errorf("%s = %s (%s) is not a boolean", r, v.Text, v.Where))
			continue
		}
		out = append(out, ProfileFlag{Path: r, Value: v.Text, Where: v.Where})
	}
	return out, errors.Join(errs...)
}

// LayerDigests hashes each of the profile's config files.
func LayerDigests(p *profile.Profile) ([]LayerDigest, error) {
	out := make([]LayerDigest, 0, len(p.Config.Layers))
	var errs []error
	for _, l := range p.Config.Layers {
		data, err := os.ReadFile(p.Resolve(l))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", l, errors.Unwrap(err)))
			continue
		}
		sum := sha256.Sum256(data)
		out = append(out, LayerDigest{File: l, SHA256: hex.EncodeToString(sum[:])})
	}
	return out, errors.Join(errs...)
}

// NewProfileSnapshot records the profile's layers (hashed) and flags.
func NewProfileSnapshot(p *profile.Profile, flags []ProfileFlag, meta Meta) (*ProfileSnapshot, error) {
	if len(p.Config.Layers) == 0 {
		return nil, fmt.Errorf("profile snapshot: profile %s declares no config layers (config.layers): nothing to snapshot", filepath.Base(p.File))
	}
	layers, err := LayerDigests(p)
	if err != nil {
		return nil, fmt.Errorf("profile snapshot: %w", err)
	}
	if meta.Now.IsZero() {
		meta.Now = time.Now()
	}
	if meta.Version == "" {
		meta.Version = "devel"
	}
	return &ProfileSnapshot{FormatVersion: ProfileFormatVersion, GeneratedAt: meta.Now.UTC().Format(time.RFC3339),
		PresoakVersion: meta.Version, Profile: filepath.Base(p.File), Bot: p.Bot, Layers: layers, Flags: flags}, nil
}

// WriteProfileSnapshot writes s to path atomically.
func WriteProfileSnapshot(path string, s *ProfileSnapshot) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("write profile snapshot: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(b, '\n')); err != nil {
		return fmt.Errorf("write profile snapshot: %w", err)
	}
	return nil
}

// TakeProfileSnapshot loads the bot's config through the profile, records
// every layer file's hash and every rollback target's value, and writes
// the snapshot to the workspace. It refuses while rolled-back copies exist
// (the snapshot is what a restore returns to: restore first).
func TakeProfileSnapshot(w Workspace, p *profile.Profile, meta Meta) (*ProfileSnapshot, error) {
	if copies := w.profileCopies(); len(copies) > 0 {
		return nil, fmt.Errorf("take profile snapshot: %w: rolled-back copies in %s (%d): the snapshot must record the bot's config before a rollback; restore first (make restore PROFILE=%s)", ErrRollbackActive, w.ProfileRollbackPath(), len(copies), p.File)
	}
	cfg, err := p.LoadConfig()
	if err != nil {
		return nil, fmt.Errorf("take profile snapshot: %w", err)
	}
	flags, err := ProfileFlags(p, cfg)
	if err != nil {
		return nil, fmt.Errorf("take profile snapshot: rollback targets: %w", err)
	}
	s, err := NewProfileSnapshot(p, flags, meta)
	if err != nil {
		return nil, fmt.Errorf("take %w", err)
	}
	if err := WriteProfileSnapshot(w.ProfileSnapshotPath(), s); err != nil {
		return nil, fmt.Errorf("take profile snapshot: %w", err)
	}
	return s, nil
}

// ReadProfileSnapshot reads and validates a profile snapshot. A missing
// file matches ErrNoSnapshot; an unreadable, truncated or older-format one
// ErrCorruptSnapshot.
func ReadProfileSnapshot(path string) (*ProfileSnapshot, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read profile snapshot: %s: %w", path, ErrNoSnapshot)
	}
	if err != nil {
		return nil, fmt.Errorf("read profile snapshot: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s ProfileSnapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("read profile snapshot %s: %w: %w (take a new one: make snapshot PROFILE=...)", path, ErrCorruptSnapshot, err)
	}
	var probs []string
	if s.FormatVersion != ProfileFormatVersion {
		probs = append(probs, fmt.Sprintf("format_version: got %d, want %d", s.FormatVersion, ProfileFormatVersion))
	}
	if len(s.Layers) == 0 {
		probs = append(probs, "layers: missing")
	}
	for i, l := range s.Layers {
		if l.File == "" || !hashPattern.MatchString(l.SHA256) {
			probs = append(probs, fmt.Sprintf("layers[%d]: got file %q sha256 %q, want a file and 64 hex digits", i, l.File, l.SHA256))
		}
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("read profile snapshot %s: %w: %s (take a new one: make snapshot PROFILE=...)", path, ErrCorruptSnapshot, strings.Join(probs, "; "))
	}
	return &s, nil
}

// CheckProfileSnapshot reads the workspace's profile snapshot and checks it
// is this profile's (the same layers, in order) and that every layer file
// still hashes to what it recorded. A changed file is ErrStaleSnapshot
// naming every file that changed.
func CheckProfileSnapshot(w Workspace, p *profile.Profile) (*ProfileSnapshot, error) {
	s, err := ReadProfileSnapshot(w.ProfileSnapshotPath())
	if err != nil {
		return nil, err
	}
	if got, want := strings.Join(p.Config.Layers, ","), layerFiles(s.Layers); got != want {
		return s, fmt.Errorf("%w: the snapshot (taken %s from profile %s) records the layers %s, profile %s has %s: take a new snapshot (make snapshot PROFILE=%s)",
			ErrStaleSnapshot, s.GeneratedAt, s.Profile, want, filepath.Base(p.File), got, p.File)
	}
	now, err := LayerDigests(p)
	if err != nil {
		return s, err
	}
	var changed []string
	for i, l := range s.Layers {
		if now[i].SHA256 != l.SHA256 {
			changed = append(changed, fmt.Sprintf("%s (config.layers[%d] of %s): sha256 %s now, the snapshot recorded %s", l.File, i, filepath.Base(p.File), short(now[i].SHA256), short(l.SHA256)))
		}
	}
	if len(changed) > 0 {
		return s, fmt.Errorf("%w: the bot's config changed since the snapshot (taken %s): %s: if the change is intended, take a new snapshot (make snapshot PROFILE=%s)",
			ErrStaleSnapshot, s.GeneratedAt, strings.Join(changed, "; "), p.File)
	}
	return s, nil
}

func layerFiles(ls []LayerDigest) string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.File
	}
	return strings.Join(names, ",")
}

// ProfileRestored is what RestoreProfile did.
type ProfileRestored struct {
	// Removed are the rolled-back copies removed (none when there were none).
	Removed []string
	// Layers are the bot's layer files, each verified to hash to the snapshot's.
	Layers []LayerDigest
	// Snapshot is the snapshot verified against.
	Snapshot *ProfileSnapshot
}

// RestoreProfile undoes a profile's rollback: it checks the snapshot is the
// profile's and that every layer file of the bot still hashes to what it
// recorded, then removes the rolled-back copies (ProfileRollbackDir) and
// verifies the hashes again. A missing, corrupt or foreign snapshot, or a
// bot config changed since it, is refused with the copies left in place.
// The bot's own files are never written: a bot that was restarted on the
// copies runs rolled back until it is restarted on its own files.
func RestoreProfile(w Workspace, p *profile.Profile) (*ProfileRestored, error) {
	dir := w.ProfileRollbackPath()
	if _, err := CheckProfileSnapshot(w, p); err != nil {
		if copies := w.profileCopies(); len(copies) > 0 {
			return nil, fmt.Errorf("restore profile %s: %w (rolled-back copies left in place in %s: %d)", filepath.Base(p.File), err, dir, len(copies))
		}
		return nil, fmt.Errorf("restore profile %s: %w", filepath.Base(p.File), err)
	}
	r := &ProfileRestored{}
	if fi, err := os.Lstat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("restore profile %s: %s is not a directory; remove it by hand", filepath.Base(p.File), dir)
	}
	for _, c := range w.profileCopies() {
		if err := os.Remove(c); err != nil {
			return r, fmt.Errorf("restore profile %s: %w", filepath.Base(p.File), err)
		}
		r.Removed = append(r.Removed, c)
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return r, fmt.Errorf("restore profile %s: the copies are removed but %s is not: %w (something else is in it)", filepath.Base(p.File), dir, err)
	}
	s, err := CheckProfileSnapshot(w, p) // again: what the bot restarts on is the snapshot's
	if err != nil {
		return r, fmt.Errorf("restore profile %s: after removing the copies: %w", filepath.Base(p.File), err)
	}
	r.Snapshot, r.Layers = s, s.Layers
	return r, nil
}

// profileCopies are the regular files in the profile rollback directory.
func (w Workspace) profileCopies() []string {
	dir := w.ProfileRollbackPath()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// ProfileDeploySteps is what an operator must do with rolled-back copies
// of a bot presoak does not start: which copy replaces which of the bot's
// files, and how to undo. copies are in the profile's layer order; show
// renders a path for the message (e.g. relative to the tree).
func ProfileDeploySteps(p *profile.Profile, copies []string, show func(string) string) []string {
	name := p.File
	if show == nil {
		show = func(s string) string { return s }
	}
	lines := []string{"NOT in effect yet: presoak does not start this bot, so the rollback takes effect only when your deploy restarts the bot on the copies:"}
	for i, c := range copies {
		if i < len(p.Config.Layers) {
			lines = append(lines, fmt.Sprintf("  %s in place of %s", show(c), p.Config.Layers[i]))
		}
	}
	lines = append(lines,
		"  (point the bot's config flag at them, or copy them over its files, then restart it; the bot's own files are untouched)",
		fmt.Sprintf("to undo: restart the bot on its own files, then make restore PROFILE=%s (removes the copies, verifies the bot's files against the snapshot)", show(name)))
	return lines
}
