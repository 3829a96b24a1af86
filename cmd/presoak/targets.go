package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"
)

func init() {
	register("target-check", "read the bot(s) once through the harness target (TARGET=scrape|prometheus, SCRAPE_URL, PROMETHEUS_URL, SELECTOR; fixtures/presoak.yaml) and print what each signal sees; exit 1 when a bot is down", func(args []string) int {
		return runTargetCheck(args, "", os.Stdout, os.Stderr)
	})
	register("scrape-check", "scrape-check URL: read one bot's /metrics through the scrape target and print what each signal sees; exit 1 when it cannot be read", func(args []string) int {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			fmt.Fprintln(os.Stderr, "presoak scrape-check: usage: presoak scrape-check URL [-every 1s]")
			return 2
		}
		return runTargetCheck(args[1:], args[0], os.Stdout, os.Stderr)
	})
}

// runTargetCheck samples the target twice, every apart, and prints one block
// per instance. scrapeURL, when set, overrides the harness with a scrape of it.
func runTargetCheck(args []string, scrapeURL string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("target-check", flag.ContinueOnError)
	fs.SetOutput(errOut)
	every := fs.Duration("every", 0, "time between the two reads (default: the harness interval)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	wd, _ := os.Getwd()
	root, err := checklist.ModuleRoot(wd)
	if err != nil {
		root = wd
	}
	getenv := os.Getenv
	if scrapeURL != "" {
		getenv = func(k string) string {
			switch k {
			case target.EnvTarget:
				return string(target.KindScrape)
			case target.EnvScrapeURL:
				return scrapeURL
			}
			return os.Getenv(k)
		}
	}
	h, err := target.LoadHarnessEnv(root, getenv)
	if err != nil {
		fmt.Fprintf(errOut, "presoak target-check: %v\n", err)
		return 2
	}
	if h.Kind == target.KindEmbedded {
		fmt.Fprintln(errOut, "presoak target-check: TARGET is embedded (the reference engine in-process): nothing to read; set TARGET=scrape SCRAPE_URL=... or TARGET=prometheus PROMETHEUS_URL=... SELECTOR=...")
		return 2
	}
	tg, err := h.Open(nil)
	if err != nil {
		fmt.Fprintf(errOut, "presoak target-check: %v\n", err)
		return 2
	}
	defer tg.Close()
	if *every <= 0 {
		*every = h.Interval()
	}
	fmt.Fprintf(out, "presoak target-check: %s\n", h.Describe())
	ctx := context.Background()
	first, err := tg.Sample(ctx)
	if err != nil {
		fmt.Fprintf(errOut, "presoak target-check: %v\n", err)
		return 1
	}
	time.Sleep(*every)
	second, err := tg.Sample(ctx)
	if err != nil {
		fmt.Fprintf(errOut, "presoak target-check: %v\n", err)
		return 1
	}
	before := map[string]signal.Sample{}
	for _, s := range first {
		before[s.Instance] = s
	}
	down := 0
	for _, s := range second {
		if !s.Up {
			down++
		}
		printInstance(out, before[s.Instance], s)
	}
	fmt.Fprintf(out, "presoak target-check: %d instance(s), %d down\n", len(second), down)
	if down > 0 {
		return 1
	}
	return 0
}

func printInstance(w io.Writer, a, b signal.Sample) {
	if !b.Up {
		fmt.Fprintf(w, "%s  DOWN  %s\n", b.Instance, b.Fault)
		return
	}
	pct := func(num, den float64) string {
		if den <= 0 {
			return "no data"
		}
		return fmt.Sprintf("%.2f%%", 100*num/den)
	}
	fmt.Fprintf(w, "%s  up  (ratios since the bot started)\n", b.Instance)
	rate := "no earlier read"
	if a.Up && b.At.After(a.At) {
		rate = fmt.Sprintf("%.1f/s", (b.Ticks-a.Ticks)/b.At.Sub(a.At).Seconds())
	}
	fmt.Fprintf(w, "  ticks %.0f (%s)  deadline misses %s  errors %s  md cache hits %s  taker share %s\n",
		b.Ticks, rate, pct(b.DeadlineMisses, b.Ticks), pct(b.TickErrors, b.Ticks),
		pct(b.CacheHits, b.CacheHits+b.CacheMisses), pct(b.TakerVolume, b.MakerVolume+b.TakerVolume))
	fmt.Fprintf(w, "  critical breakers open %d  resident memory %.1f MB\n", b.CriticalBreakersOpen, b.ResidentBytes/1e6)
	stages := make([]string, 0, len(b.Stages))
	for st := range b.Stages {
		stages = append(stages, st)
	}
	sort.Strings(stages)
	for _, st := range stages {
		h := b.Stages[st]
		var parts []string
		for _, q := range []float64{0.5, 0.95, 0.99} {
			e, ok := target.EstimateQuantile(h, q)
			if !ok {
				parts = append(parts, "no observations")
				break
			}
			parts = append(parts, e.String())
		}
		fmt.Fprintf(w, "  %-11s %s\n", st, strings.Join(parts, "; "))
	}
	flags := make([]string, 0, len(b.Flags))
	for f, on := range b.Flags {
		flags = append(flags, fmt.Sprintf("%s=%v", f, on))
	}
	sort.Strings(flags)
	if len(flags) == 0 {
		flags = []string{"none exposed"}
	}
	fmt.Fprintf(w, "  flags: %s\n", strings.Join(flags, " "))
}
