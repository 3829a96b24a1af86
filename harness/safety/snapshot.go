package safety

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"time"
)

// FormatVersion is the snapshot format's version (fixtures/schema/feature_flags_snapshot.schema.json).
const FormatVersion = 1

// Snapshot is artifacts/release/FEATURE_FLAGS_SNAPSHOT.json. Field order is
// the file's key order; map keys are written sorted.
type Snapshot struct {
	// FormatVersion is FormatVersion.
	FormatVersion int `json:"format_version"`
	// GeneratedAt is when it was taken, RFC 3339 UTC.
	GeneratedAt string `json:"generated_at"`
	// PresoakVersion is the version of the harness that took it.
	PresoakVersion string `json:"presoak_version"`
	// GitCommit is the commit of the working tree (gitinfo.Commit: full hash, "-dirty" when tracked files are modified), or "unknown".
	GitCommit string `json:"git_commit"`
	// ConfigHash is the loader's hash of the effective config.
	ConfigHash string `json:"config_hash"`
	// ConfigLayers are the config files, base first.
	ConfigLayers []string `json:"config_layers"`
	// RollbackTargetsFile is the targets file the rollback targets came from.
	RollbackTargetsFile string `json:"rollback_targets_file"`
	// Flags are every `<section>.enabled` leaf.
	Flags map[string]Entry `json:"flags"`
	// Limits are the soak-relevant limits the targets file lists.
	Limits map[string]Entry `json:"limits"`
}

// Entry is one recorded setting.
type Entry struct {
	// Value is the effective value (durations as strings, "150ms").
	Value any `json:"value"`
	// Source is the file and line that set it.
	Source string `json:"source"`
	// RollbackTarget is what a rollback sets it to; null when a rollback leaves it.
	RollbackTarget any `json:"rollback_target"`
}

// Meta is what a snapshot records besides the config.
type Meta struct {
	// Now is the generation time; zero means time.Now.
	Now time.Time
	// Version is the presoak version; "" means "devel".
	Version string
	// GitCommit is the commit; "" means "unknown".
	GitCommit string
}

// IsFlag reports whether a dotted key is a feature flag: its last part is "enabled".
func IsFlag(key string) bool {
	return key == "enabled" || strings.HasSuffix(key, ".enabled")
}

// BuildSnapshot records eff's flags and limits with their rollback targets.
// It fails, naming every one, when a target or limit is not in eff.
func BuildSnapshot(eff *Effective, t *Targets, meta Meta) (*Snapshot, error) {
	if err := t.checkKeys(eff); err != nil {
		return nil, fmt.Errorf("build snapshot: %w", err)
	}
	if meta.Now.IsZero() {
		meta.Now = time.Now()
	}
	if meta.Version == "" {
		meta.Version = "devel"
	}
	if meta.GitCommit == "" {
		meta.GitCommit = "unknown"
	}
	s := &Snapshot{
		FormatVersion:       FormatVersion,
		GeneratedAt:         meta.Now.UTC().Format(time.RFC3339),
		PresoakVersion:      meta.Version,
		GitCommit:           meta.GitCommit,
		ConfigHash:          eff.Hash,
		ConfigLayers:        append([]string{}, eff.Layers...),
		RollbackTargetsFile: t.File,
		Flags:               map[string]Entry{},
		Limits:              map[string]Entry{},
	}
	record := func(set Setting) {
		e := Entry{Value: jsonValue(set.Value), Source: set.Source}
		if tg, ok := t.Lookup(set.Key); ok {
			e.RollbackTarget = jsonValue(tg.Value)
		}
		if IsFlag(set.Key) {
			s.Flags[set.Key] = e
		} else {
			s.Limits[set.Key] = e
		}
	}
	for _, set := range eff.Settings {
		if set.Secret {
			continue
		}
		if _, targeted := t.Lookup(set.Key); IsFlag(set.Key) || targeted {
			record(set)
		}
	}
	for _, l := range t.Limits {
		for _, set := range matchLimit(eff, l) {
			record(set)
		}
	}
	return s, nil
}

// Marshal renders the snapshot as indented JSON with a trailing newline.
func (s *Snapshot) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal snapshot: %w", err)
	}
	return append(b, '\n'), nil
}

// Snapshot errors callers branch on.
var (
	// ErrNoSnapshot: there is no snapshot file.
	ErrNoSnapshot = errors.New("no snapshot")
	// ErrCorruptSnapshot: the file is not a valid snapshot (truncated, edited, another format).
	ErrCorruptSnapshot = errors.New("corrupt snapshot")
	// ErrStaleSnapshot: the snapshot was taken from another config.
	ErrStaleSnapshot = errors.New("snapshot is from another config")
)

var (
	hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
	timePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
)

// ReadSnapshot reads and validates a snapshot file. A missing file matches
// ErrNoSnapshot; a truncated, corrupted or foreign file ErrCorruptSnapshot,
// with every problem named.
func ReadSnapshot(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read snapshot: %s: %w", path, ErrNoSnapshot)
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	s, err := ParseSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", path, err)
	}
	return s, nil
}

// ParseSnapshot decodes and validates snapshot JSON.
func ParseSnapshot(data []byte) (*Snapshot, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse snapshot: %w: %w (truncated or corrupted; take a new one: make snapshot)", ErrCorruptSnapshot, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("parse snapshot: %w: data after the JSON object", ErrCorruptSnapshot)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("parse snapshot: %w", err)
	}
	return &s, nil
}

// validate checks what the decoder cannot: required fields and formats, all
// problems in one error.
func (s *Snapshot) validate() error {
	var p []string
	if s.FormatVersion != FormatVersion {
		p = append(p, fmt.Sprintf("format_version: got %d, want %d", s.FormatVersion, FormatVersion))
	}
	if !timePattern.MatchString(s.GeneratedAt) {
		p = append(p, fmt.Sprintf("generated_at: got %q, want an RFC 3339 time", s.GeneratedAt))
	}
	if s.PresoakVersion == "" {
		p = append(p, "presoak_version: missing")
	}
	if s.GitCommit == "" {
		p = append(p, "git_commit: missing")
	}
	if !hashPattern.MatchString(s.ConfigHash) {
		p = append(p, fmt.Sprintf("config_hash: got %q, want 64 hex digits", s.ConfigHash))
	}
	if len(s.ConfigLayers) == 0 {
		p = append(p, "config_layers: missing")
	}
	if len(s.Flags) == 0 {
		p = append(p, "flags: missing or empty")
	}
	for _, m := range []map[string]Entry{s.Flags, s.Limits} {
		for k, e := range m {
			if e.Source == "" {
				p = append(p, fmt.Sprintf("%s: source missing", k))
			}
			if e.Value == nil {
				p = append(p, fmt.Sprintf("%s: value missing", k))
			}
		}
	}
	if len(p) > 0 {
		return fmt.Errorf("%w: %s", ErrCorruptSnapshot, strings.Join(p, "; "))
	}
	return nil
}

// Lookup returns the recorded entry of key, flag or limit.
func (s *Snapshot) Lookup(key string) (Entry, bool) {
	if e, ok := s.Flags[key]; ok {
		return e, true
	}
	e, ok := s.Limits[key]
	return e, ok
}
