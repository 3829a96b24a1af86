package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/presoak/presoak/reports/edge"
)

func init() {
	register("edge-report", "EDGE_REPORT.md (spread captured, markouts, adverse selection, fill ratio, taker share, inventory) from calibration datasets", func(args []string) int {
		return runEdgeReport(args, os.Stdout, os.Stderr)
	})
}

// runEdgeReport renders the edge report from -datasets into -out.
func runEdgeReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edge-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	datasets := fs.String("datasets", filepath.Join("artifacts", "edge", "datasets"), "a dataset directory, or a directory of them (one per run)")
	out := fs.String("out", filepath.Join("artifacts", "edge", "reports"), "where EDGE_REPORT.md, its charts and numbers are written")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	sets, err := edge.LoadAll(*datasets)
	if err != nil {
		fmt.Fprintf(stderr, "presoak edge-report: %v\n", err)
		return 1
	}
	runs := make([]edge.Run, len(sets))
	for i, d := range sets {
		runs[i] = edge.Compute(d)
	}
	paths, err := edge.Write(*out, *datasets, runs)
	if err != nil {
		fmt.Fprintf(stderr, "presoak edge-report: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "edge-report: %d run(s) from %s\n", len(runs), *datasets)
	for _, r := range runs {
		fmt.Fprintf(stdout, "  %s: %d fills, spread captured %s bps, 30s markout %s bps, taker share %s%%\n", r.Name, r.Fills,
			edgeNum(r.SpreadCapturedBps), edgeNum(r.Markouts[len(r.Markouts)-1].Bps), edgeNum(r.TakerSharePct))
	}
	fmt.Fprintf(stdout, "edge-report: wrote %s (and %d charts/data files beside it)\n", paths[0], len(paths)-1)
	return 0
}

func edgeNum(n edge.Number) string {
	if !n.OK() {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", float64(n))
}
