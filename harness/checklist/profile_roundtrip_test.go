package checklist_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/safety"
)

// TestProfileRoundTripIsTheRealRestore: the Safety round trip of a profile
// is what `make snapshot/rollback APPLY=1/restore PROFILE=...` do, in the
// scratch workspace: the profile snapshot's format, the copies removed.
// It fails when that workspace cannot be written.
func TestProfileRoundTripIsTheRealRestore(t *testing.T) {
	p := exampleBot(t, "bbgo", "", "")
	cfg, err := checklist.ProfileConfig(p)
	dir, scratch := t.TempDir(), t.TempDir()
	items := checklist.ProfileSafetyItems(p, cfg, err, safety.Workspace{Root: dir}, scratch)
	rt := items[2]
	if rt.Name != checklist.ItemProfileRoundTrip || rt.Item.Status != result.StatusPass || !strings.Contains(rt.Item.Got, "verified against the snapshot") {
		t.Fatalf("round trip: got %s %s %q", rt.Name, rt.Item.Status, rt.Item.Message)
	}
	ws := safety.Workspace{Root: scratch}
	if _, err := safety.ReadProfileSnapshot(ws.ProfileSnapshotPath()); err != nil {
		t.Errorf("scratch snapshot: %v", err)
	}
	if _, err := os.Stat(ws.ProfileRollbackPath()); !os.IsNotExist(err) {
		t.Errorf("the round trip left its rolled-back copies (stat: %v)", err)
	}
	if _, err := safety.ReadProfileSnapshot(safety.Workspace{Root: dir}.ProfileSnapshotPath()); err != nil {
		t.Errorf("the Safety item's snapshot is not the profile snapshot format: %v", err)
	}

	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	items = checklist.ProfileSafetyItems(p, cfg, err, safety.Workspace{Root: t.TempDir()}, blocked)
	if rt := items[2]; rt.Item.Status != result.StatusFail || !strings.Contains(rt.Item.Message, "restore round trip: ") {
		t.Errorf("round trip in an unwritable workspace: got %s %q, want a failure", rt.Item.Status, rt.Item.Message)
	}
}
