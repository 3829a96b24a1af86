package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/safety"

	"github.com/presoak/presoak/internal/gitinfo"
	"github.com/presoak/presoak/internal/home"
)

// defaultSafetyConfig is CONFIG's default, as in the Makefile.
const defaultSafetyConfig = "fixtures/config.yaml,fixtures/config.soak_overrides.yaml"

func init() {
	register("snapshot", "write artifacts/release/FEATURE_FLAGS_SNAPSHOT.json from CONFIG", func(args []string) int {
		return runSnapshot(args, os.Stdout, os.Stderr)
	})
	register("rollback", "preview the feature-flag rollback key by key; -apply writes and verifies the rollback layer", func(args []string) int {
		return runRollback(args, os.Stdout, os.Stderr)
	})
	register("restore", "remove the rollback layer and verify the config hash equals the snapshot's (with a profile: remove the rolled-back copies, verify the bot's files hash to the snapshot's)", func(args []string) int {
		return runRestore(args, os.Stdout, os.Stderr)
	})
}

// safetyFlags are the flags the safety commands share.
type safetyFlags struct {
	config  string
	root    string
	targets string
	profile string // a bot profile (PROFILE): its safety net instead of presoak's (safety_profile.go)
}

func newSafetyFlagSet(name string, stderr io.Writer) (*flag.FlagSet, *safetyFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &safetyFlags{}
	def := os.Getenv("CONFIG")
	if strings.TrimSpace(def) == "" {
		def = defaultSafetyConfig
	}
	fs.StringVar(&f.config, "config", def, "config layers, comma-separated, base first (default $CONFIG)")
	fs.StringVar(&f.root, "root", ".", "workspace root holding artifacts/")
	fs.StringVar(&f.targets, "targets", dataDefault(safety.TargetsFile), "rollback targets file") // team.go: presoak's own file
	fs.StringVar(&f.profile, "profile", envProfile(), "the bot profile (default $PROFILE or $"+home.EnvProfile+"): prepare, snapshot, roll back and restore the bot's own config files")
	return fs, f
}

func (f *safetyFlags) options() safety.Options {
	root := f.root
	if root == "." {
		root = ""
	}
	return safety.Options{
		Workspace:    safety.Workspace{Root: root},
		ConfigLayers: config.ParseLayers(f.config),
		TargetsFile:  f.targets,
		Meta:         safety.Meta{Version: presoakVersion(), GitCommit: gitinfo.Commit(f.root)},
	}
}

// presoakVersion is presoak's version and commit (version.go), e.g. "v0.4.0+1a2b3c4d5e6f" or "devel".
func presoakVersion() string {
	return currentBuild().Compact() // presoak's own version, also when it is a team's dependency
}

func runSnapshot(args []string, stdout, stderr io.Writer) int {
	fs, f := newSafetyFlagSet("snapshot", stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if f.profile != "" {
		return runProfileSnapshot(f, stdout, stderr)
	}
	o := f.options()
	s, err := safety.TakeSnapshot(o)
	if err != nil {
		fmt.Fprintf(stderr, "presoak snapshot: %v\n", err)
		return 1
	}
	printSnapshot(stdout, o, s)
	return 0
}

func printSnapshot(w io.Writer, o safety.Options, s *safety.Snapshot) {
	fmt.Fprintf(w, "wrote %s: %d flags, %d limits; config hash %s; layers %s; commit %s\n",
		o.Workspace.SnapshotPath(), len(s.Flags), len(s.Limits), s.ConfigHash[:12], strings.Join(s.ConfigLayers, ","), s.GitCommit)
	for _, group := range []map[string]safety.Entry{s.Flags, s.Limits} {
		for _, k := range sortedEntryKeys(group) {
			e := group[k]
			target := ""
			if e.RollbackTarget != nil {
				target = fmt.Sprintf("  rollback -> %v", e.RollbackTarget)
			}
			fmt.Fprintf(w, "  %s = %v (%s)%s\n", k, e.Value, e.Source, target)
		}
	}
}

func runRollback(args []string, stdout, stderr io.Writer) int {
	fs, f := newSafetyFlagSet("rollback", stderr)
	apply := fs.Bool("apply", false, "write the rollback layer, reload and verify (default: dry run)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if f.profile != "" {
		return runProfileRollback(f, *apply, stdout, stderr)
	}
	o := f.options()
	if !*apply {
		p, err := safety.DryRun(o)
		if err != nil {
			fmt.Fprintf(stderr, "presoak rollback: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "rollback plan (dry run) for %s:\n", strings.Join(o.ConfigLayers, ","))
		p.Print(stdout)
		fmt.Fprintf(stdout, "%d targets, %d would change; config hash %s -> %s (verified by loading the config with the rollback layer)\n",
			len(p.Changes), p.Changed(), p.Before.Hash[:12], p.After.Hash[:12])
		switch snap, err := safety.ReadSnapshot(o.Workspace.SnapshotPath()); {
		case err != nil:
			fmt.Fprintf(stdout, "note: applying needs a snapshot to restore to (make snapshot first): %v\n", err)
		case snap.ConfigHash != p.Before.Hash:
			fmt.Fprintf(stdout, "note: the snapshot %s is from another config (hash %s); take a new one before applying: make snapshot\n", o.Workspace.SnapshotPath(), snap.ConfigHash[:12])
		}
		if o.Workspace.RollbackActive() {
			fmt.Fprintf(stdout, "note: the rollback layer %s is already applied; undo it with: make restore\n", o.Workspace.RollbackLayerPath())
		}
		fmt.Fprintf(stdout, "nothing written; apply with: make rollback APPLY=1\n")
		return 0
	}
	a, err := safety.Apply(o)
	if err != nil {
		fmt.Fprintf(stderr, "presoak rollback: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "rollback applied: wrote %s (loaded after %s)\n", a.Path, strings.Join(o.ConfigLayers, ","))
	a.Plan.Print(stdout)
	fmt.Fprintf(stdout, "verified: all %d targets took effect, no other key changed; effective config hash %s (was %s)\n",
		len(a.Plan.Changes), a.Effective.Hash[:12], a.Plan.Before.Hash[:12])
	fmt.Fprintf(stdout, "undo with: make restore\n")
	return 0
}

func runRestore(args []string, stdout, stderr io.Writer) int {
	fs, f := newSafetyFlagSet("restore", stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if f.profile != "" {
		return runProfileRestore(f, stdout, stderr)
	}
	o := f.options()
	r, err := safety.Restore(o)
	if err != nil {
		fmt.Fprintf(stderr, "presoak restore: %v\n", err)
		if errors.Is(err, safety.ErrNoSnapshot) {
			fmt.Fprintf(stderr, "without a snapshot there is nothing to verify against; remove %s by hand to undo a rollback\n", o.Workspace.RollbackLayerPath())
		}
		return 1
	}
	if r.Removed != "" {
		fmt.Fprintf(stdout, "removed %s\n", r.Removed)
	} else {
		fmt.Fprintf(stdout, "no rollback layer at %s: nothing to remove\n", o.Workspace.RollbackLayerPath())
	}
	fmt.Fprintf(stdout, "verified: effective config hash %s equals the snapshot's (%s)\n", r.Hash[:12], o.Workspace.SnapshotPath())
	return 0
}

func sortedEntryKeys(m map[string]safety.Entry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
