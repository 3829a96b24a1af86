package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/presoak/presoak/bench"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"

	"github.com/presoak/presoak/internal/gitinfo"
)

func init() {
	register("bench", "latency budgets: measure every stage and the tick, print stage/p50/p95/p99/budget/verdict; exit 1 when over", runBench)
}

// runBench is make bench's table: BUDGETS (validated first) on the CONFIG
// layers, measured as TestBudgets measures them.
func runBench(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	clock := fs.String("clock", baseline.SimulatedClock, "simulated (modeled latencies, the committed recording) or real (measured latencies, a shadow run)")
	duration := fs.Duration("duration", 30*time.Second, "length of a -clock real run")
	out := fs.String("out", "artifacts/bench", "directory for stage_budgets.json and visualization.md of the run (relative to the module root)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, layers, set, loaded, err := loadBudgetsAndConfig()
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak bench: %v\n", err)
		return 2
	}
	set = set.OfKind(budget.Latency)
	if len(set.Budgets) == 0 {
		fmt.Fprintln(os.Stderr, "presoak bench: no latency budgets in BUDGETS: nothing to measure against")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	o := baseline.Options{Loaded: loaded, Layers: layers.Names(), Display: layers.Display, Budgets: set,
		GitCommit: gitinfo.Commit(root), Progress: os.Stderr, ProgressEvery: 10 * time.Second}
	run, err := bench.Measure(ctx, o, *clock, *duration)
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak bench: %v\n", err)
		return 2
	}
	table := bench.TableOf(run)
	if err := table.Write(os.Stdout); err != nil {
		return 2
	}
	dir := *out
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	paths, err := baseline.WriteArtifacts(dir, run, set, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak bench: %v\n", err)
		return 2
	}
	fmt.Printf("wrote %s and %s\n", layers.Display(paths.StageBudgets), layers.Display(paths.Visualization))
	if run.Baseline.Partial {
		fmt.Fprintf(os.Stderr, "presoak bench: partial run: %s\n", run.Baseline.PartialReason)
		return 2
	}
	if len(table.Failed()) > 0 {
		return 1
	}
	return 0
}

// loadBudgetsAndConfig resolves the module root, parses BUDGETS (before
// anything is measured) and loads the CONFIG layers.
func loadBudgetsAndConfig() (string, checklist.Layers, *budget.Set, *config.Loaded, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", checklist.Layers{}, nil, nil, err
	}
	root, err := checklist.ModuleRoot(wd)
	if err != nil {
		return "", checklist.Layers{}, nil, nil, err
	}
	layers := checklist.ConfigLayers(os.Getenv("CONFIG"), root)
	// make bench measures the reference engine: BUDGETS, else presoak's
	// own budgets (a bot profile's budgets are its bot's, not the engine's).
	c, err := profile.Pick(profile.FileBudgets, os.Getenv("BUDGETS"), root, nil)
	if err != nil {
		return root, layers, nil, nil, err
	}
	set, err := budget.Load(c.Path)
	if err != nil {
		return root, layers, nil, nil, err
	}
	loaded, err := config.Load(layers.Paths...)
	if err != nil {
		return root, layers, set, nil, fmt.Errorf("load config: %w", err)
	}
	return root, layers, set, loaded, nil
}
