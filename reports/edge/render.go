package edge

import (
	"encoding/json"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The report's files under the output directory.
const (
	ReportFile = "EDGE_REPORT.md"
	JSONFile   = "edge_report.json"
	CurveFile  = "markout_curve.csv"
)

// Report is edge_report.json.
type Report struct {
	Version  int    `json:"version"`
	Datasets string `json:"datasets"`
	Runs     []Run  `json:"runs"`
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func chartName(kind, run string) string {
	return kind + "_" + unsafeName.ReplaceAllString(run, "_") + ".svg"
}

// Files renders the report: file name -> content. datasets names where the
// data came from (shown as given).
func Files(datasets string, runs []Run) map[string][]byte {
	out := map[string][]byte{}
	for _, r := range runs {
		out[chartName("markout", r.Name)] = MarkoutChart(r).SVG()
		out[chartName("inventory", r.Name)] = InventoryChart(r).SVG()
	}
	js, _ := json.MarshalIndent(Report{Version: 1, Datasets: datasets, Runs: runs}, "", "  ") // Number marshals NaN as null: cannot fail
	out[JSONFile] = append(js, '\n')
	out[CurveFile] = []byte(curveCSV(runs))
	out[ReportFile] = []byte(Markdown(datasets, runs))
	return out
}

// Write renders the report into dir, each file atomically, and returns the
// paths written (the Markdown first).
func Write(dir, datasets string, runs []Run) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write edge report: %w", err)
	}
	files := Files(datasets, runs)
	paths := []string{filepath.Join(dir, ReportFile)}
	for name := range files {
		if name != ReportFile {
			paths = append(paths, filepath.Join(dir, name))
		}
	}
	sort.Strings(paths[1:])
	for _, p := range paths[1:] {
		if err := atomicfile.WriteFile(p, files[filepath.Base(p)]); err != nil {
			return nil, fmt.Errorf("write edge report: %w", err)
		}
	}
	if err := atomicfile.WriteFile(paths[0], files[ReportFile]); err != nil { // last: it links the others
		return nil, fmt.Errorf("write edge report: %w", err)
	}
	return paths, nil
}

// MarkoutChart is the run's markout curve against the horizon.
func MarkoutChart(r Run) Chart {
	s := Series{Name: "markout (bps, volume-weighted)", Points: true}
	for _, p := range r.Markouts {
		s.X = append(s.X, float64(p.HorizonNs)/1e9)
		s.Y = append(s.Y, float64(p.Bps))
	}
	return Chart{Title: "Markout curve — " + r.Name, XLabel: "seconds after the fill", YLabel: "bps", Series: []Series{s}, HLines: []HLine{{Y: 0, Label: "0"}}}
}

// InventoryChart is the run's position over time.
func InventoryChart(r Run) Chart {
	return Chart{Title: "Inventory — " + r.Name, XLabel: "seconds since the first event", YLabel: "inventory (base units)",
		Series: []Series{{Name: "inventory", X: r.invT, Y: r.invV}}, HLines: []HLine{{Y: 0, Label: "flat"}}}
}

func f(n Number, format string) string {
	if !n.OK() {
		return "n/a"
	}
	return fmt.Sprintf(format, float64(n))
}

// Markdown is EDGE_REPORT.md.
func Markdown(datasets string, runs []Run) string {
	var b strings.Builder
	b.WriteString("# Edge report\n\n")
	fmt.Fprintf(&b, "Computed from the calibration datasets in `%s` alone (%d run(s)); re-run with `presoak edge-report -datasets %s`.\n", datasets, len(runs), datasets)
	b.WriteString("The numbers behind every chart are in `" + JSONFile + "` and `" + CurveFile + "`. Definitions at the end.\n\n")
	b.WriteString("## Summary\n\n")
	b.WriteString("| run | span | fills (maker/taker) | spread captured (bps) | markout 1s / 5s / 30s (bps) | adverse selection (bps) | fill ratio | taker share | inventory excursion (max abs) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		var mk []string
		for _, p := range r.Markouts[1:] {
			mk = append(mk, f(p.Bps, "%.3f"))
		}
		fmt.Fprintf(&b, "| %s | %s | %d (%d/%d) | %s | %s | %s | %s | %s | %s |\n", r.Name, time.Duration(r.SpanNs).Round(time.Second), r.Fills, r.MakerFills, r.TakerFills,
			f(r.SpreadCapturedBps, "%.3f"), strings.Join(mk, " / "), f(r.AdverseSelectionBps, "%.3f"),
			f(r.FillRatioPct, "%.2f%%"), f(r.TakerSharePct, "%.2f%%"), f(r.InventoryMaxAbs, "%.4g"))
	}
	for _, r := range runs {
		fmt.Fprintf(&b, "\n## %s\n\n", r.Name)
		state := "complete"
		if !r.Complete {
			state = "**incomplete** (the run was interrupted or is still going: the numbers cover what was collected)"
		}
		fmt.Fprintf(&b, "- dataset: `%s` (%s)\n", r.Dir, state)
		fmt.Fprintf(&b, "- symbol %s, clock %s, seed %d, config hash `%s`\n", orNA(r.Symbol), orNA(r.Clock), r.Seed, orNA(r.ConfigHash))
		fmt.Fprintf(&b, "- %d quotes, %d orders placed (%.6g base units), %d fills: %.6g maker + %.6g taker base units\n", r.Quotes, r.PlacedOrders, r.PlacedVolume, r.Fills, r.MakerVolume, r.TakerVolume)
		if r.Dropped > 0 || r.RotatedAway > 0 {
			fmt.Fprintf(&b, "- **partial data**: %d events dropped (recorder buffer full), %d rows rotated off disk\n", r.Dropped, r.RotatedAway)
		}
		if !r.HasFills {
			b.WriteString("- no fills: spread captured, markouts, adverse selection and taker share cannot be computed\n")
		}
		fmt.Fprintf(&b, "- spread captured: %s bps (%s in quote currency)\n", f(r.SpreadCapturedBps, "%.4f"), f(r.SpreadCapturedQuote, "%.6g"))
		fmt.Fprintf(&b, "- adverse selection: %s bps; fill ratio %s; taker share %s\n", f(r.AdverseSelectionBps, "%.4f"), f(r.FillRatioPct, "%.3f%%"), f(r.TakerSharePct, "%.3f%%"))
		fmt.Fprintf(&b, "- inventory: min %s, max %s, max |inventory| %s\n\n", f(r.InventoryMin, "%.6g"), f(r.InventoryMax, "%.6g"), f(r.InventoryMaxAbs, "%.6g"))
		if r.SchemaVersion < 2 {
			b.WriteString("- **mids are the engine's**: this dataset (schema 1) took markouts against the mid the engine last priced on, resolved with no bound on lateness; record it again for markouts against the market\n")
		}
		b.WriteString("| horizon | markout (bps) | fills | volume | late |\n|---|---|---|---|---|\n")
		for _, p := range r.Markouts {
			fmt.Fprintf(&b, "| %s | %s | %d | %.6g | %d |\n", p.Horizon, f(p.Bps, "%.4f"), p.Fills, p.Volume, p.Late)
		}
		fmt.Fprintf(&b, "\n![markout curve](%s)\n\n![inventory](%s)\n", chartName("markout", r.Name), chartName("inventory", r.Name))
	}
	b.WriteString("\n## Definitions\n\n")
	b.WriteString("Volume-weighted over fills; bps of the fill price; s = +1 for a buy, -1 for a sell; mids are the market's (the venue's book), not the book the bot priced on.\n\n")
	b.WriteString("- **spread captured**: s·(market mid at the fill − price)/price (the mid taken when the venue matched the fill, within one tick of it)\n")
	b.WriteString("- **markout at h**: s·(first market mid observed at or after fill + h − price)/price, over the fills whose horizon the run reached; **late**: no market mid observed within the dataset's tolerance of fill + h (e.g. a feed stall): left out, never taken from a later mid\n")
	b.WriteString("- **adverse selection**: markout at the fill − 30 s markout, over the fills with both (positive: the market took the edge back)\n")
	b.WriteString("- **fill ratio**: filled volume / volume of the orders placed\n")
	b.WriteString("- **taker share**: taker volume / filled volume\n")
	b.WriteString("- **inventory excursion**: the extremes of the position over the run\n")
	return b.String()
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

// curveCSV is every run's markout curve.
func curveCSV(runs []Run) string {
	var b strings.Builder
	b.WriteString("run,horizon,horizon_ns,markout_bps,fills,volume\n")
	for _, r := range runs {
		for _, p := range r.Markouts {
			fmt.Fprintf(&b, "%s,%s,%d,%s,%d,%g\n", r.Name, p.Horizon, p.HorizonNs, f(p.Bps, "%.10g"), p.Fills, p.Volume)
		}
	}
	return b.String()
}
