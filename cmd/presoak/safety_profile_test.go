package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
)

// profileTree is a team's tree in a temporary directory: a go.mod, and
// copies of the bbgo example bot's profile and config (the repository's
// fixtures are never written). It returns the tree and the profile's path.
func profileTree(t *testing.T) (string, string) {
	t.Helper()
	wd, _ := os.Getwd()
	repo, err := checklist.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	files := map[string]string{"go.mod": "module example.com/team\n\ngo 1.26\n"}
	for _, f := range []string{"profile.yaml", "xmaker.yaml", "budgets.yaml"} {
		data, err := os.ReadFile(filepath.Join(repo, "fixtures", "bots", "bbgo", f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = string(data)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, filepath.Join(root, "profile.yaml")
}

const (
	profileSnapshotRel = "artifacts/release/FEATURE_FLAGS_SNAPSHOT.profile.json"
	profileCopyRel     = "artifacts/release/profile-rollback/00-xmaker.yaml"
)

// TestProfileRollbackRestoreRoundTrip: with PROFILE (as make exports it),
// snapshot records the bot's config, rollback -apply writes rolled-back
// copies and tells the operator what to do with them (presoak does not
// start this bot), and restore removes them and verifies every layer file
// against the snapshot's hash, saying so.
func TestProfileRollbackRestoreRoundTrip(t *testing.T) {
	root, prof := profileTree(t)
	t.Setenv("PROFILE", prof)
	t.Chdir(root)

	code, out, errOut := run(t, runSnapshot)
	if code != 0 || !strings.Contains(out, profileSnapshotRel) || !strings.Contains(out, "xmaker.yaml sha256 ") {
		t.Fatalf("snapshot with PROFILE: exit %d, want 0 writing %s with the layer's hash\n%s%s", code, profileSnapshotRel, out, errOut)
	}
	code, out, errOut = run(t, runRollback)
	if code != 0 || !strings.Contains(out, "crossExchangeStrategies[0].xmaker.pipelineQuoting: true -> false (xmaker.yaml:") || !strings.Contains(out, "nothing written") {
		t.Fatalf("rollback dry run with PROFILE: exit %d, want the profile's targets previewed\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, runRollback, "-apply")
	if code != 0 {
		t.Fatalf("rollback -apply with PROFILE: exit %d\n%s%s", code, out, errOut)
	}
	copyPath := filepath.Join(root, filepath.FromSlash(profileCopyRel))
	data, err := os.ReadFile(copyPath)
	if err != nil || !strings.Contains(string(data), "pipelineQuoting: false") {
		t.Fatalf("rollback -apply: copy %s: %v\n%s", profileCopyRel, err, data)
	}
	for _, want := range []string{
		"NOT in effect", "presoak does not start this bot",
		profileCopyRel + " in place of xmaker.yaml",
		"make restore PROFILE=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rollback -apply output does not say %q:\n%s", want, out)
		}
	}
	code, out, errOut = run(t, runRestore)
	if code != 0 {
		t.Fatalf("restore with PROFILE: exit %d, want 0\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Dir(copyPath)); !os.IsNotExist(err) {
		t.Errorf("restore left the rollback copies in %s (stat: %v)", filepath.Dir(profileCopyRel), err)
	}
	for _, want := range []string{"removed " + profileCopyRel, "verified: xmaker.yaml sha256 ", "equals the snapshot's"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore output does not say %q:\n%s", want, out)
		}
	}
}

// TestProfileRestoreRefusesAChangedConfig: a bot config edited since the
// snapshot fails the restore, naming the file, and leaves the copies.
func TestProfileRestoreRefusesAChangedConfig(t *testing.T) {
	root, prof := profileTree(t)
	t.Setenv("PROFILE", prof)
	t.Chdir(root)
	if code, out, errOut := run(t, runSnapshot); code != 0 {
		t.Fatalf("snapshot: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, runRollback, "-apply"); code != 0 {
		t.Fatalf("rollback -apply: exit %d\n%s%s", code, out, errOut)
	}
	f, err := os.OpenFile(filepath.Join(root, "xmaker.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("# edited after the snapshot\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, out, errOut := run(t, runRestore)
	if code != 1 {
		t.Fatalf("restore after the bot's config changed: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"xmaker.yaml", "changed since the snapshot", "left in place"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("restore error does not say %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(profileCopyRel))); err != nil {
		t.Errorf("a refused restore removed the copies: %v", err)
	}
}

// TestPrepareSoakWithAProfile: make prepare-soak with PROFILE prepares the
// bot's own config (its files, items, snapshot, rollback dry run, log
// directories), never presoak's fixtures config; a taker cap raised to 12 %
// in the bot's file fails naming the item and file:line. Before, it checked
// and snapshotted presoak's own config and said PREPARATION COMPLETE.
func TestPrepareSoakWithAProfile(t *testing.T) {
	root, prof := profileTree(t)
	if err := os.MkdirAll(filepath.Join(root, "var", "log"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PROFILE", prof)
	t.Setenv("CONFIG", "")
	t.Chdir(root)

	code, out, errOut := run(t, runPrepareSoak)
	if code != 0 || !strings.Contains(out, "PREPARATION COMPLETE") || !strings.Contains(out, "bot bbgo") ||
		!strings.Contains(out, profileSnapshotRel) || !strings.Contains(out, "xmaker.yaml") || strings.Contains(out, "fixtures/config.yaml") {
		t.Fatalf("prepare-soak with PROFILE: exit %d, want 0 preparing the bot's config (xmaker.yaml), not presoak's\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(profileSnapshotRel))); err != nil {
		t.Fatalf("no profile snapshot in the team's tree: %v", err)
	}

	cfg := filepath.Join(root, "xmaker.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "maxTakerShare: 0.08", "maxTakerShare: 0.12", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, runPrepareSoak)
	if code != 1 || !strings.Contains(out, "[FAIL] taker_cap_max_taker_share_pct") || !strings.Contains(out, "xmaker.yaml:43") || !strings.Contains(out, "PREPARATION FAILED") {
		t.Fatalf("taker cap 12 %%: exit %d, want 1 naming taker_cap_max_taker_share_pct at xmaker.yaml:43\n%s", code, out)
	}
}
