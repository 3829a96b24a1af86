package incident

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
)

// The files of a bundle.
const (
	BundleReport          = "INCIDENT_REPORT.md"
	BundleJSON            = "incident.json"
	BundleHistoryCSV      = "signal_history.csv"
	BundleHistorySVG      = "signal_history.svg"
	BundleSamples         = "samples.jsonl"
	BundleConfig          = "config.redacted.yaml"
	BundleConfigHash      = "config.sha256"
	BundleFlagsSnapshot   = "flags_snapshot.json"
	BundleFlagsLive       = "flags_live.json"
	BundleRollbackPreview = "rollback_preview.txt"
	BundleRollbackApplied = "rollback_applied.txt"
)

// BundlePrefix starts every bundle directory's name.
const BundlePrefix = "incident-"

// Record is incident.json.
type Record struct {
	Version   int                `json:"version"`
	Firing    soak.Firing        `json:"firing"`
	Criterion criteria.Criterion `json:"criterion"`
	// Note says how the bundle came about when not by a firing (interrupted while pending).
	Note string `json:"note,omitempty"`
	// WrittenAt is the wall-clock time the bundle was written.
	WrittenAt  time.Time `json:"written_at"`
	ConfigHash string    `json:"config_hash,omitempty"`
	// ConfigNote says why there is no config (NoConfigNote), "" when there is one.
	ConfigNote string         `json:"config_note,omitempty"`
	Rollback   RollbackResult `json:"rollback"`
	// HistoryFrom is the start of the signal history; Samples how many
	// samples the bundle holds.
	HistoryFrom time.Time `json:"history_from"`
	Samples     int       `json:"samples"`
	// FlagsSnapshot says where flags_snapshot.json came from, or that the
	// workspace had no snapshot.
	FlagsSnapshot string   `json:"flags_snapshot"`
	Files         []string `json:"files"`
}

// NoConfigNote is what a bundle says in place of the config when the soak
// was given no config files (CONFIG empty with a scrape or prometheus target).
const NoConfigNote = "no config files given (CONFIG is empty: the bot was read through its metrics), so no redacted config or config hash"

// write builds the bundle for f in a temporary directory and renames it
// into place. It returns the bundle's path (also when parts of it record a
// failure, such as a rollback that could not be applied) and the errors.
func (in *Incident) write(f soak.Firing, samples []signal.Sample, note string) (string, error) {
	o := in.o
	c, ok := o.Spec.ByName(f.Criterion)
	if !ok {
		c = criteria.Criterion{Name: f.Criterion, Signal: f.Signal, Op: f.Op, Threshold: f.Threshold, For: f.For, Severity: f.Severity, Description: f.Description, Action: f.Action}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return "", fmt.Errorf("write incident bundle: %w", err)
	}
	tmp, err := os.MkdirTemp(o.Dir, ".incident-*")
	if err != nil {
		return "", fmt.Errorf("write incident bundle: %w", err)
	}
	defer os.RemoveAll(tmp) // gone once renamed; a failed bundle leaves nothing half-written
	files := map[string][]byte{}
	var errs []error

	span := historySpan(o.Spec, c)
	hist := History(samples, f.Instance, c, span, f.At, o.Signals)
	files[BundleHistoryCSV] = historyCSV(hist, c)
	files[BundleHistorySVG] = historyChart(hist, c, f)

	last := samples
	if len(last) > o.KeepSamples {
		last = last[len(last)-o.KeepSamples:]
	}
	var jl []byte
	for _, s := range last {
		b, err := json.Marshal(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("sample at %s: %w", s.At, err))
			continue
		}
		jl = append(append(jl, b...), '\n')
	}
	files[BundleSamples] = jl

	rec := Record{Version: 1, Firing: f, Criterion: c, Note: note, WrittenAt: o.Now().UTC(), HistoryFrom: f.At.Add(-span), Samples: len(last)}
	if o.Config != nil {
		y, err := o.Config.Redacted()
		if err != nil {
			errs = append(errs, fmt.Errorf("redacted config: %w", err))
		} else {
			files[BundleConfig] = y
		}
		rec.ConfigHash = o.Config.Hash()
		files[BundleConfigHash] = []byte(rec.ConfigHash + "\n")
	} else if o.Profile != nil {
		rec.ConfigNote = fmt.Sprintf("bot profile %s: the bot's config files (%s) are in its own format and not copied here (presoak's redaction reads only its own schema)", filepath.Base(o.Profile.File), strings.Join(o.Profile.Config.Layers, ", "))
		files[BundleConfig] = []byte("# " + rec.ConfigNote + "\n")
	} else {
		rec.ConfigNote = NoConfigNote
		files[BundleConfig] = []byte("# " + NoConfigNote + "\n")
	}
	snapPath := o.Safety.Workspace.SnapshotPath()
	if snap, err := os.ReadFile(snapPath); err == nil {
		files[BundleFlagsSnapshot] = snap
		rec.FlagsSnapshot = "copied from " + safety.SnapshotFile
	} else if errors.Is(err, fs.ErrNotExist) {
		rec.FlagsSnapshot = "none: the workspace has no " + safety.SnapshotFile + " (make snapshot takes one)"
	} else {
		errs = append(errs, fmt.Errorf("flag snapshot: %w", err))
		rec.FlagsSnapshot = "unreadable: " + err.Error()
	}
	if live := liveFlags(samples, f.Instance); live != nil {
		b, _ := json.MarshalIndent(live, "", "  ") // map[string]bool always marshals
		files[BundleFlagsLive] = append(b, '\n')
	}

	var rb RollbackResult
	if o.Profile != nil {
		rb, err = profileRollback(o)
	} else {
		rb, err = rollback(o.Safety, o.Action)
	}
	if err != nil {
		errs = append(errs, err)
	}
	rec.Rollback = rb
	files[BundleRollbackPreview] = rb.previewText()
	if o.Action == Rollback {
		files[BundleRollbackApplied] = rb.appliedText()
	}

	for name := range files {
		rec.Files = append(rec.Files, name)
	}
	rec.Files = append(rec.Files, BundleJSON, BundleReport)
	sort.Strings(rec.Files)
	js, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		errs = append(errs, fmt.Errorf("incident.json: %w", err))
	}
	files[BundleJSON] = append(js, '\n')
	files[BundleReport] = []byte(Markdown(rec, hist, last))

	for name, data := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return "", fmt.Errorf("write incident bundle: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("write incident bundle: %w", err)
	}
	dir := filepath.Join(o.Dir, BundlePrefix+f.At.UTC().Format("20060102T150405Z"))
	for i := 2; exists(dir); i++ {
		dir = filepath.Join(o.Dir, fmt.Sprintf("%s%s-%d", BundlePrefix, f.At.UTC().Format("20060102T150405Z"), i))
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("write incident bundle: %w", err)
	}
	if o.Log != nil {
		what := "fired"
		if note != "" {
			what = "was pending" // interrupted before it fired: the note says so
		}
		fmt.Fprintf(o.Log, "incident: %s %s; bundle %s (rollback: %s)\n", f.Criterion, what, o.display(dir), rollbackLine(rb))
	}
	if err := errors.Join(errs...); err != nil {
		return dir, fmt.Errorf("write incident bundle %s: %w", dir, err)
	}
	return dir, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// liveFlags are the flags in the instance's last up sample.
func liveFlags(ss []signal.Sample, instance string) map[string]bool {
	for i := len(ss) - 1; i >= 0; i-- {
		if s := ss[i]; s.Up && (instance == "" || s.Instance == instance) && s.Flags != nil {
			return s.Flags
		}
	}
	return nil
}

func rollbackLine(r RollbackResult) string {
	switch {
	case r.Action != Rollback && r.PreviewErr != "":
		return "preview failed: " + r.PreviewErr
	case r.Action != Rollback:
		return "previewed, not applied (ON_STOP=rollback applies it)"
	case r.Applied:
		return "applied and verified: " + r.Layer
	case r.ApplyErr != "":
		return "NOT applied: " + r.ApplyErr
	}
	return "verification failed: " + r.VerifyErr
}
