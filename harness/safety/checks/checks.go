// Package checks is the readiness checklist's Safety area (readiness/
// safety_test.go): each function evaluates one item with harness/safety and
// returns a checklist.Item (area, severity, status, value, want, source, fix,
// message) for checklist.Record.
//
// Every item is blocking. Paths in an item are shown relative to the module
// root. RestoreRoundTrip writes only into the scratch workspace it is given;
// the others write nothing.
package checks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/safety"
	report "github.com/presoak/presoak/reports/readiness"
)

// Fix for a missing or stale snapshot.
const snapshotFix = "take a snapshot of the current config: make snapshot (or make prepare-soak)"

// Snapshot is the item "the feature-flag snapshot exists, is valid against
// its schema (schemaPath) and was taken from the effective config (CONFIG's
// layers plus the rollback layer when present)". root is the module root,
// for display.
func Snapshot(o safety.Options, schemaPath, root string) checklist.Item {
	it := checklist.Item{
		Area: checklist.AreaSafety, Severity: report.Blocking,
		Want:   "a valid snapshot of the effective config",
		Source: rel(root, o.Workspace.SnapshotPath()),
	}
	s, eff, err := safety.Check(o)
	if eff == nil && err != nil {
		return checklist.NotEvaluated(checklist.AreaSafety, report.Blocking, it.Want,
			rel(root, err.Error()), "make the config load (see Config & Flags), then: make snapshot")
	}
	if err == nil {
		err = validateSchema(o.Workspace.SnapshotPath(), schemaPath)
	}
	if err != nil {
		it.Status = report.StatusFail
		it.Fix = snapshotFix
		switch {
		case errors.Is(err, safety.ErrNoSnapshot):
			it.Got = "missing"
		case errors.Is(err, safety.ErrStaleSnapshot):
			it.Got = fmt.Sprintf("stale: snapshot config hash %s, effective config hash %s", short(s.ConfigHash), short(eff.Hash))
			if o.Workspace.RollbackActive() {
				it.Fix = "undo the rollback before the soak: make restore"
			}
		default:
			it.Got = "invalid: " + rel(root, err.Error())
		}
		it.Message = fmt.Sprintf("feature-flag snapshot %s is %s, want %s: %s", it.Source, it.Got, it.Want, it.Fix)
		if !errors.Is(err, safety.ErrNoSnapshot) {
			it.Message += "\n" + rel(root, err.Error())
		}
		return it
	}
	it.Status = report.StatusPass
	it.Got = fmt.Sprintf("matches: config hash %s, %d flags, %d limits, taken %s", short(s.ConfigHash), len(s.Flags), len(s.Limits), s.GeneratedAt)
	it.Message = fmt.Sprintf("feature-flag snapshot %s %s", it.Source, it.Got)
	return it
}

func validateSchema(snapshotPath, schemaPath string) error {
	schema, err := os.ReadFile(schemaPath)
	if err != nil {
		return fmt.Errorf("read snapshot schema: %w", err)
	}
	doc, err := os.ReadFile(snapshotPath)
	if err != nil {
		return fmt.Errorf("read snapshot: %w", err)
	}
	if err := safety.ValidateJSON(schema, doc); err != nil {
		return fmt.Errorf("snapshot against %s: %w", filepath.Base(schemaPath), err)
	}
	return nil
}

// RollbackDryRun is the item "the rollback dry run succeeds and turns every
// target off": the plan is computed and proven on CONFIG's layers, and every
// flag target is false after it.
func RollbackDryRun(o safety.Options, root string) checklist.Item {
	it := checklist.Item{
		Area: checklist.AreaSafety, Severity: report.Blocking,
		Want:   "the rollback computes, loads and turns every flag target off",
		Source: rel(root, targetsFile(o)),
	}
	p, err := safety.DryRun(o)
	if err == nil {
		var on []string
		for _, c := range p.Changes {
			if safety.IsFlag(c.Key) && c.New != "false" {
				on = append(on, fmt.Sprintf("%s -> %s", c.Key, c.New))
			}
		}
		if len(on) > 0 {
			err = fmt.Errorf("the rollback leaves flags on: %s", strings.Join(on, ", "))
		}
	}
	if err != nil {
		it.Status = report.StatusFail
		it.Got = "fails: " + rel(root, err.Error())
		it.Fix = fmt.Sprintf("correct the rollback targets in %s (every target a key of the config, every flag target false) and preview with: make rollback", it.Source)
		it.Message = fmt.Sprintf("rollback dry run %s, want %s: %s", it.Got, it.Want, it.Fix)
		return it
	}
	parts := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		parts[i] = fmt.Sprintf("%s %s -> %s (%s)", c.Key, c.Old, c.New, rel(root, c.OldSource))
	}
	it.Status = report.StatusPass
	it.Got = fmt.Sprintf("%d targets off, %d changed: %s", len(p.Changes), p.Changed(), strings.Join(parts, ", "))
	it.Message = "rollback dry run: " + it.Got
	return it
}

// RestoreRoundTrip is the item "the restore round-trips": in the scratch
// workspace o.Workspace (never the user's), snapshot, apply the rollback and
// restore; the restored config hash must equal the snapshot's.
func RestoreRoundTrip(o safety.Options, root string) checklist.Item {
	it := checklist.Item{
		Area: checklist.AreaSafety, Severity: report.Blocking,
		Want:   "snapshot -> rollback -> restore gives the snapshot's config hash",
		Source: "a scratch workspace (the user's artifacts are not touched)",
	}
	r, err := safety.RoundTrip(o)
	if err != nil {
		it.Status = report.StatusFail
		it.Got = "fails: " + rel(root, strings.ReplaceAll(err.Error(), o.Workspace.Root+string(filepath.Separator), ""))
		it.Fix = "run make snapshot, make rollback APPLY=1 and make restore to see which step fails, and correct it"
		it.Message = fmt.Sprintf("restore round trip %s, want %s: %s", it.Got, it.Want, it.Fix)
		return it
	}
	it.Status = report.StatusPass
	it.Got = fmt.Sprintf("config hash %s -> rolled back %s -> restored %s (%d targets)", short(r.SnapshotHash), short(r.RolledBackHash), short(r.RestoredHash), r.Targets)
	it.Message = "restore round trip: " + it.Got
	return it
}

func targetsFile(o safety.Options) string {
	if o.TargetsFile == "" {
		return safety.TargetsFile
	}
	return o.TargetsFile
}

// rel strips the module root from paths in s, so no machine path reaches a report.
func rel(root, s string) string {
	if root == "" {
		return s
	}
	return strings.ReplaceAll(s, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator), "")
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
