package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/checklist"
)

func init() {
	register("baseline", "shadow baseline: freeze (keep the current one as reference), compare (with the frozen one), timeout DURATION", runBaseline)
}

// shadowTimeoutMargin is added to a shadow run's DURATION for go test -timeout:
// warm-up, build and writing artifacts fit in it.
const shadowTimeoutMargin = 5 * time.Minute

func runBaseline(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: presoak baseline freeze [-allow-partial] | compare | timeout DURATION")
		return 2
	}
	switch args[0] {
	case "timeout":
		return baselineTimeout(args[1:])
	case "freeze":
		return baselineFreeze(args[1:])
	case "compare":
		return baselineCompare(args[1:])
	}
	fmt.Fprintf(os.Stderr, "presoak baseline: unknown subcommand %q (want freeze, compare or timeout)\n", args[0])
	return 2
}

// baselineTimeout prints the go test -timeout of a shadow run of DURATION.
func baselineTimeout(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: presoak baseline timeout DURATION (e.g. 60m)")
		return 2
	}
	d, err := time.ParseDuration(args[0])
	if err != nil || d <= 0 {
		fmt.Fprintf(os.Stderr, "presoak baseline timeout: DURATION %q: want a positive Go duration such as 60m\n", args[0])
		return 2
	}
	fmt.Println(d + shadowTimeoutMargin)
	return 0
}

func baselineDir(dir string) (string, checklist.Layers, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", checklist.Layers{}, err
	}
	root, err := checklist.ModuleRoot(wd)
	if err != nil {
		return "", checklist.Layers{}, err
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	return dir, checklist.Layers{Root: root}, nil
}

func baselineFreeze(args []string) int {
	fs := flag.NewFlagSet("baseline freeze", flag.ContinueOnError)
	allowPartial := fs.Bool("allow-partial", false, "freeze a baseline of an interrupted run too")
	dirFlag := fs.String("dir", "artifacts/baseline", "baseline directory (relative to the module root)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dir, l, err := baselineDir(*dirFlag)
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak baseline freeze: %v\n", err)
		return 2
	}
	dst, b, err := baseline.Freeze(dir, *allowPartial)
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak baseline freeze: %v\n", err)
		return 1
	}
	fmt.Printf("froze %s -> %s (%s clock, %d ticks over %.0fs, config %s, commit %s)\n",
		l.Display(filepath.Join(dir, baseline.StageBudgetsFile)), l.Display(dst), b.Clock, b.Ticks, b.DurationSeconds, short(b.ConfigHash), b.GitCommit)
	return 0
}

func baselineCompare(args []string) int {
	fs := flag.NewFlagSet("baseline compare", flag.ContinueOnError)
	dirFlag := fs.String("dir", "artifacts/baseline", "baseline directory (relative to the module root)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dir, l, err := baselineDir(*dirFlag)
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak baseline compare: %v\n", err)
		return 2
	}
	frozen, ok, err := baseline.ReadFrozen(dir)
	if err != nil || !ok {
		fmt.Fprintf(os.Stderr, "presoak baseline compare: no frozen baseline in %s (run make baseline-freeze): %v\n", l.Display(dir), err)
		return 2
	}
	current, err := baseline.Read(filepath.Join(dir, baseline.StageBudgetsFile))
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak baseline compare: %v\n", err)
		return 2
	}
	rs, err := baseline.CompareBaselines(frozen, current, baseline.CompareOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak baseline compare: %v\n", err)
		return 2
	}
	warn := 0
	for _, r := range rs {
		fmt.Printf("%-13s %s\n", r.Status, r.Reason)
		if r.Status == baseline.Regressed {
			warn++
		}
	}
	if warn > 0 {
		fmt.Printf("WARNING: %d of %d latency targets regressed over +10%% (significant) against the frozen baseline\n", warn, len(rs))
	}
	return 0
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
