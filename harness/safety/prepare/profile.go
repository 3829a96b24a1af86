package prepare

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/safety"
	report "github.com/presoak/presoak/reports/readiness"
)

// ProfileOptions say what to prepare for a bot read through its profile.
type ProfileOptions struct {
	// Profile is the loaded bot profile; Arg is how the user named it (for
	// the next-step commands).
	Profile *profile.Profile
	Arg     string
	// Workspace is where artifacts/ lives (the profile's tree).
	Workspace safety.Workspace
	Meta      safety.Meta
	// Show says how a path is printed (relative to the working directory
	// where it can be); nil prints it as is.
	Show func(string) string
}

// RunProfile does the five steps for a bot presoak did not write: its own
// config files (config.layers), its items (the seed's the profile places
// and the team's extra ones), the snapshot of its config files, the
// rollback dry run of config.rollback, and its log directories
// (config.logs) with presoak's artifact directories. presoak never writes
// the bot's config: a failing item is for the team to fix in its files.
func RunProfile(w io.Writer, o ProfileOptions) *Result {
	res := &Result{}
	pr := &printer{w: w, res: res}
	p := o.Profile
	show := o.Show
	if show == nil {
		show = func(s string) string { return s }
	}
	name := filepath.Base(p.File)
	fmt.Fprintln(w, "====================================")
	fmt.Fprintf(w, "PRE-SOAK PREPARATION: bot %s (profile %s)\n", p.Bot, name)
	fmt.Fprintln(w, "====================================")

	pr.step(1, "Checking the bot's config files (config.layers)")
	checkProfileLayers(pr, p)

	pr.step(2, "Checking the bot's config items against the soak criteria")
	cfg, loadErr := p.LoadConfig()
	failed := false
	for _, ni := range checklist.ProfileConfigItems(p, cfg, loadErr) {
		if ni.Item.Severity == report.Blocking && ni.Item.Status != report.StatusPass {
			failed = true
			pr.fail("%s: %s", ni.Name, ni.Item.Message)
		}
	}
	if !failed {
		pr.ok("every blocking config item of profile %s holds in %s", name, strings.Join(p.Config.Layers, ", "))
	}

	pr.step(3, "Writing the snapshot of the bot's config")
	if s, err := safety.TakeProfileSnapshot(o.Workspace, p, o.Meta); err != nil {
		pr.fail("%v", err)
	} else {
		pr.ok("wrote %s: %d config file(s) hashed, %d rollback target(s)", show(o.Workspace.ProfileSnapshotPath()), len(s.Layers), len(s.Flags))
	}

	pr.step(4, "Testing the rollback (dry run)")
	if lines, err := checklist.ProfileRollbackPreview(p); err != nil {
		pr.fail("%v", err)
	} else {
		for _, l := range lines {
			fmt.Fprintf(w, "  %s\n", l)
		}
		pr.ok("rollback dry run: %d target(s); nothing written", len(lines))
	}

	pr.step(5, "Verifying the bot's log directories and presoak's artifact directories")
	for _, d := range checklist.SeedDirs {
		dirItem(pr, checklist.WritableDir(o.Workspace.Root, d, "seed"))
	}
	for _, ni := range checklist.ProfileLogDirs(p) {
		dirItem(pr, ni.Item)
	}

	finish(w, res, "PROFILE="+shellQuote(o.Arg)+" ", " in the bot's files or the profile")
	return res
}

// checkProfileLayers is step 1 for a profile: every config file it names
// exists and is a regular file.
func checkProfileLayers(pr *printer, p *profile.Profile) {
	if len(p.Config.Layers) == 0 {
		pr.fail("profile %s names no config file: list the bot's under config.layers", filepath.Base(p.File))
		return
	}
	bad := 0
	for _, l := range p.Config.Layers {
		fi, err := os.Stat(p.Resolve(l))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			pr.fail("config file %s (config.layers of %s) not found", l, filepath.Base(p.File))
			bad++
		case err != nil:
			pr.fail("config file %s: %v", l, err)
			bad++
		case !fi.Mode().IsRegular():
			pr.fail("config file %s is not a regular file", l)
			bad++
		}
	}
	if bad == 0 {
		pr.ok("the bot's config files exist: %s", strings.Join(p.Config.Layers, ", "))
	}
}
