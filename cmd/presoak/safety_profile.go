package main

// The safety commands for a bot under a bot profile (PROFILE): the bot's
// config is its own files, which presoak never writes, so the snapshot
// records each file's SHA-256, the rollback writes rolled-back copies
// (artifacts/release/profile-rollback/) for the team's deploy to load, and
// the restore removes them and verifies the files against the snapshot.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/internal/home"
)

// envProfile is the bot profile the environment names (PROFILE, as make
// exports it, or PRESOAK_PROFILE), "" for none.
func envProfile() string { return home.Profile(os.Getenv) }

// profileSafety is a loaded profile, the workspace its artifacts live in
// (the profile's tree unless -root says otherwise) and how paths are shown.
type profileSafety struct {
	p    *profile.Profile
	ws   safety.Workspace
	show func(string) string
	arg  string // the profile as the user named it
}

func loadProfileSafety(f *safetyFlags) (*profileSafety, error) {
	p, err := profile.Load(f.profile)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(f.profile)
	if err != nil {
		return nil, err
	}
	root := f.root
	if root == "." {
		getenv := func(k string) string {
			if k == home.EnvProfile {
				return abs
			}
			return os.Getenv(k)
		}
		if root, _, err = home.Tree(getenv); err != nil {
			return nil, err
		}
	}
	wd, _ := os.Getwd()
	show := func(path string) string {
		if a, err := filepath.Abs(path); err == nil {
			if rel, err := filepath.Rel(wd, a); err == nil && !strings.HasPrefix(rel, "..") {
				return rel
			}
		}
		return path
	}
	return &profileSafety{p: p, ws: safety.Workspace{Root: root}, show: show, arg: f.profile}, nil
}

func runProfileSnapshot(f *safetyFlags, stdout, stderr io.Writer) int {
	ps, err := loadProfileSafety(f)
	if err != nil {
		fmt.Fprintf(stderr, "presoak snapshot: %v\n", err)
		return 2
	}
	s, err := safety.TakeProfileSnapshot(ps.ws, ps.p, safety.Meta{Version: presoakVersion()})
	if err != nil {
		fmt.Fprintf(stderr, "presoak snapshot: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: profile %s (bot %s); config files: %d; rollback targets: %d\n",
		ps.show(ps.ws.ProfileSnapshotPath()), s.Profile, s.Bot, len(s.Layers), len(s.Flags))
	for _, l := range s.Layers {
		fmt.Fprintf(stdout, "  %s sha256 %s\n", l.File, l.SHA256)
	}
	for _, fl := range s.Flags {
		fmt.Fprintf(stdout, "  %s = %s (%s)  rollback -> false\n", fl.Path, fl.Value, fl.Where)
	}
	return 0
}

func runProfileRollback(f *safetyFlags, apply bool, stdout, stderr io.Writer) int {
	ps, err := loadProfileSafety(f)
	if err != nil {
		fmt.Fprintf(stderr, "presoak rollback: %v\n", err)
		return 2
	}
	p := ps.p
	lines, err := checklist.ProfileRollbackPreview(p)
	if err != nil {
		fmt.Fprintf(stderr, "presoak rollback: profile %s: %v\n", ps.arg, err)
		return 1
	}
	_, snapErr := safety.CheckProfileSnapshot(ps.ws, p)
	if !apply {
		fmt.Fprintf(stdout, "rollback plan (dry run) for profile %s, the bot's config %s:\n  %s\n", ps.arg, strings.Join(p.Config.Layers, ", "), strings.Join(lines, "\n  "))
		if snapErr != nil {
			fmt.Fprintf(stdout, "note: applying needs a snapshot of the bot's config to restore to (make snapshot PROFILE=%s): %v\n", ps.arg, snapErr)
		}
		fmt.Fprintf(stdout, "nothing written; apply with: make rollback APPLY=1 PROFILE=%s (it writes rolled-back copies of the bot's config for your deploy to load; the bot's own files are never written)\n", ps.arg)
		return 0
	}
	if snapErr != nil {
		fmt.Fprintf(stderr, "presoak rollback: apply: %v\n", snapErr)
		if errors.Is(snapErr, safety.ErrNoSnapshot) {
			fmt.Fprintf(stderr, "take one first (make snapshot PROFILE=%s) so the rollback can be undone and verified\n", ps.arg)
		}
		return 1
	}
	dir := ps.ws.ProfileRollbackPath()
	rb, err := checklist.ProfileRollback(p, dir)
	if err != nil {
		fmt.Fprintf(stderr, "presoak rollback: apply: profile %s: %v\n", ps.arg, err)
		return 1
	}
	fmt.Fprintf(stdout, "rollback written: rolled-back copies of the bot's config in %s, read back and verified:\n", ps.show(dir))
	for _, v := range rb.Verified {
		fmt.Fprintf(stdout, "  %s\n", v)
	}
	show := func(s string) string {
		if s == p.File {
			return ps.arg
		}
		return ps.show(s)
	}
	for _, l := range safety.ProfileDeploySteps(p, rb.Files, show) {
		fmt.Fprintln(stdout, l)
	}
	return 0
}

func runProfileRestore(f *safetyFlags, stdout, stderr io.Writer) int {
	ps, err := loadProfileSafety(f)
	if err != nil {
		fmt.Fprintf(stderr, "presoak restore: %v\n", err)
		return 2
	}
	r, err := safety.RestoreProfile(ps.ws, ps.p)
	if r != nil {
		for _, c := range r.Removed {
			fmt.Fprintf(stdout, "removed %s\n", ps.show(c))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "presoak restore: %v\n", err)
		if errors.Is(err, safety.ErrNoSnapshot) {
			fmt.Fprintf(stderr, "without a snapshot there is nothing to verify the bot's files against; remove %s by hand to undo a rollback\n", ps.show(ps.ws.ProfileRollbackPath()))
		}
		return 1
	}
	if len(r.Removed) == 0 {
		fmt.Fprintf(stdout, "no rolled-back copies in %s: nothing to remove\n", ps.show(ps.ws.ProfileRollbackPath()))
	}
	for _, l := range r.Layers {
		fmt.Fprintf(stdout, "verified: %s sha256 %s equals the snapshot's (%s, taken %s)\n", l.File, l.SHA256[:12], ps.show(ps.ws.ProfileSnapshotPath()), r.Snapshot.GeneratedAt)
	}
	fmt.Fprintf(stdout, "the bot's own files are as snapshotted; a bot restarted on the copies runs rolled back until your deploy restarts it on these files (presoak does not start this bot)\n")
	return 0
}
