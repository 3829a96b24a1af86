// Package prepare is `presoak prepare-soak` (make prepare-soak): the seed's
// quick-fix script done right. Five steps, each printed as [OK] or [FAIL]
// with its reason; every step runs even after a failure so one run lists
// everything to fix; running it again changes nothing that is already right.
//
//	[1/5] the config layers (base and overrides) exist
//	[2/5] the layered config loads, validates and meets the soak criteria
//	      (pipeline on, md_cache on, taker cap <= 9%: the Config & Flags
//	      blocking items of harness/checklist)
//	[3/5] the feature-flag snapshot is written
//	[4/5] the rollback dry run computes and proves the rollback
//	[5/5] the log and artifact directories exist and are writable
//
// With a bot profile (PROFILE; RunProfile) the same five steps prepare the
// bot's own config files instead: its items, the snapshot of its files, the
// rollback dry run of its config.rollback and its config.logs directories.
//
// Config values are read as data; none is ever passed to a shell.
package prepare

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/safety"
	report "github.com/presoak/presoak/reports/readiness"
)

// Options say what to prepare.
type Options struct {
	// Safety is the workspace, config layers, targets and snapshot metadata.
	Safety safety.Options
	// ConfigList is CONFIG as the user wrote it, for the next-step commands;
	// "" or checklist.DefaultConfig leaves CONFIG out of them.
	ConfigList string
}

// Result is what a run found.
type Result struct {
	// Failures are the [FAIL] lines, in order.
	Failures []string
}

// OK reports whether every step passed.
func (r *Result) OK() bool { return len(r.Failures) == 0 }

type printer struct {
	w   io.Writer
	res *Result
}

func (p *printer) step(n int, title string) { fmt.Fprintf(p.w, "[%d/5] %s...\n", n, title) }
func (p *printer) ok(format string, args ...any) {
	fmt.Fprintf(p.w, "[OK] %s\n", fmt.Sprintf(format, args...))
}
func (p *printer) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.res.Failures = append(p.res.Failures, msg)
	fmt.Fprintf(p.w, "[FAIL] %s\n", strings.ReplaceAll(msg, "\n", "\n       "))
}

// Run does the five steps, printing each to w, then the next steps.
func Run(w io.Writer, o Options) *Result {
	res := &Result{}
	p := &printer{w: w, res: res}
	so := o.Safety
	root := so.Workspace.Root
	fmt.Fprintln(w, "====================================")
	fmt.Fprintln(w, "PRE-SOAK PREPARATION")
	fmt.Fprintln(w, "====================================")

	p.step(1, "Checking config layers (base and overrides)")
	checkLayers(p, so.ConfigLayers)

	p.step(2, "Validating the layered config against the soak criteria")
	layers := so.Workspace.EffectiveLayers(so.ConfigLayers)
	loaded := checkConfig(p, root, layers, so.Workspace)

	p.step(3, "Writing the feature flags snapshot")
	if s, err := safety.TakeSnapshot(so); err != nil {
		p.fail("%v", err)
	} else {
		p.ok("wrote %s: %d flags, %d limits, config hash %s", so.Workspace.SnapshotPath(), len(s.Flags), len(s.Limits), s.ConfigHash[:12])
	}

	p.step(4, "Testing the rollback (dry run)")
	if plan, err := safety.DryRun(so); err != nil {
		p.fail("%v", err)
	} else {
		plan.Print(w)
		p.ok("rollback dry run: %d targets, every one at its target after the rollback, no other key changed (config hash %s -> %s); nothing written",
			len(plan.Changes), plan.Before.Hash[:12], plan.After.Hash[:12])
	}

	p.step(5, "Verifying log and artifact directories")
	for _, d := range checklist.SeedDirs {
		dirItem(p, checklist.WritableDir(root, d, "seed"))
	}
	if loaded != nil {
		view := checklist.ViewOf(loaded, checklist.Layers{Root: root, Paths: layers})
		dirItem(p, checklist.LogDir(root, view))
	} else {
		p.fail("output.log_dir not checked: the config did not load (step 2)")
	}

	prefix := ""
	if l := strings.TrimSpace(o.ConfigList); l != "" && l != checklist.DefaultConfig {
		prefix = "CONFIG=" + shellQuote(l) + " "
	}
	finish(w, res, prefix, "")
	return res
}

// finish prints the verdict and the next steps, each command prefixed with
// the variables the run was given (prefix); what names where to fix.
func finish(w io.Writer, res *Result, prefix, what string) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "====================================")
	if res.OK() {
		fmt.Fprintln(w, "PREPARATION COMPLETE")
	} else {
		fmt.Fprintf(w, "PREPARATION FAILED: %d item(s) failed (see above)\n", len(res.Failures))
	}
	fmt.Fprintln(w, "====================================")
	fmt.Fprintln(w)
	if !res.OK() {
		fmt.Fprintf(w, "Fix each failure above%s, then run again: %smake prepare-soak\n\n", what, prefix)
	}
	fmt.Fprintln(w, "Next steps:")
	fmt.Fprintln(w, "1. Run the 60-min shadow validation:")
	fmt.Fprintf(w, "   %smake shadow DURATION=60m\n", prefix)
	fmt.Fprintln(w, "2. Launch the soak test:")
	fmt.Fprintf(w, "   %smake soak DURATION=72h\n", prefix)
}

// checkLayers is step 1: every layer exists and is a regular file.
func checkLayers(p *printer, layers []string) {
	if len(layers) == 0 {
		p.fail("CONFIG names no config file: set CONFIG=fixtures/config.yaml,fixtures/config.soak_overrides.yaml")
		return
	}
	bad := 0
	for i, l := range layers {
		role := "override"
		if i == 0 {
			role = "base"
		}
		fi, err := os.Stat(l)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			p.fail("%s layer %s not found: create it or correct CONFIG", role, l)
			bad++
		case err != nil:
			p.fail("%s layer %s: %v", role, l, err)
			bad++
		case !fi.Mode().IsRegular():
			p.fail("%s layer %s is not a regular file", role, l)
			bad++
		}
	}
	if bad > 0 {
		return
	}
	if len(layers) == 1 {
		p.ok("base %s exists; no override layer (the soak fixes must then be in the base; the fixtures' are in %s)", layers[0], checklist.DefaultOverride)
		return
	}
	p.ok("base %s and override(s) %s exist", layers[0], strings.Join(layers[1:], ", "))
}

// checkConfig is step 2: the config loads and the blocking Config & Flags
// items hold. It returns the loaded config, nil when it did not load.
func checkConfig(p *printer, root string, layers []string, ws safety.Workspace) *config.Loaded {
	loaded, err := config.Load(layers...)
	if err != nil {
		p.fail("%v", err)
		return nil
	}
	view := checklist.ViewOf(loaded, checklist.Layers{Root: root, Paths: layers})
	failed := false
	for _, c := range checklist.ConfigChecks {
		it := c.Check(view)
		if it.Severity != report.Blocking || it.Status == report.StatusPass {
			continue
		}
		failed = true
		p.fail("%s", it.Message)
	}
	if failed && ws.RollbackActive() {
		fmt.Fprintf(p.w, "       (the rollback layer %s is active: make restore)\n", ws.RollbackLayerPath())
	}
	if !failed {
		c := loaded.Config
		p.ok("config valid: pipeline=%t, md_cache=%t, taker_cap=%s%% (config hash %s)",
			c.Pipeline.Enabled, c.MDCache.Enabled, safety.Display(c.TakerCap.MaxTakerSharePct), loaded.Hash()[:12])
	}
	return loaded
}

func dirItem(p *printer, it checklist.Item) {
	if it.Status == report.StatusFail {
		p.fail("%s", it.Message)
		return
	}
	p.ok("%s", it.Message)
}

// shellQuote quotes s for a POSIX shell when it has anything but safe characters.
func shellQuote(s string) string {
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./,=:@+", r)) {
			safe = false
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
