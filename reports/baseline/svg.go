package baseline

import (
	"bufio"
	"fmt"
	"html"
	"io"

	"github.com/presoak/presoak/internal/durfmt"
)

// SVG geometry.
const (
	svgLabelW = 110 // stage names
	svgPlotW  = 460 // the plot
	svgRowH   = 34
	svgTop    = 40
	svgMaxPct = 200 // the x axis runs from 0 to 200% of budget
)

// WriteSVG renders a chart of every stage's percentiles as a share of its p95
// budget (so stages of very different size share one axis): a bar to p95,
// its 95% interval as a whisker, ticks at p50 and p99, and the budget as the
// 100% line. Values beyond 200% are drawn at the edge with an arrow. Stages
// without a budget are scaled to their own p99 and drawn grey.
func WriteSVG(w io.Writer, v View) error {
	bw := bufio.NewWriter(w)
	height := svgTop + svgRowH*len(v.Stages) + 40
	width := svgLabelW + svgPlotW + 90
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	title := v.Title
	if v.Partial {
		title += " (PARTIAL)"
	}
	p(`<text x="8" y="18" font-weight="bold">%s — p95 as %% of budget (%s clock, %s)</text>`+"\n", html.EscapeString(title), html.EscapeString(v.Clock), html.EscapeString(v.LatencySource))
	x := func(pct float64) float64 { return svgLabelW + min(pct, svgMaxPct)/svgMaxPct*svgPlotW }
	bottom := svgTop + svgRowH*len(v.Stages)
	for _, pct := range []float64{0, 50, 100, 150, 200} {
		stroke := "#ddd"
		if pct == 100 {
			stroke = "#c00"
		}
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>`+"\n", x(pct), svgTop-6, x(pct), bottom, stroke)
		p(`<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%.0f%%</text>`+"\n", x(pct), bottom+16, pct)
	}
	for i, s := range v.Stages {
		y := svgTop + i*svgRowH
		ref, color := s.Budget, "#2a7"
		if ref <= 0 {
			ref, color = max(s.P99, 1), "#999"
		} else if s.Over() {
			color = "#d33"
		}
		pct := func(d int64) float64 { return float64(d) / float64(ref) * 100 }
		p(`<text x="8" y="%d">%s</text>`+"\n", y+18, html.EscapeString(s.Name))
		p(`<rect x="%d" y="%d" width="%.1f" height="14" fill="%s"/>`+"\n", svgLabelW, y+7, x(pct(int64(s.P95)))-svgLabelW, color)
		if s.P95High > 0 {
			p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000"/>`+"\n", x(pct(int64(s.P95Low))), y+14, x(pct(int64(s.P95High))), y+14)
		}
		for _, d := range []int64{int64(s.P50), int64(s.P99)} {
			p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333" stroke-width="2"/>`+"\n", x(pct(d)), y+4, x(pct(d)), y+24)
		}
		if pct(int64(s.P99)) > svgMaxPct {
			p(`<text x="%.1f" y="%d" fill="#d33">▶</text>`+"\n", x(svgMaxPct)+2, y+18)
		}
		label := "p95 " + durfmt.Latency(s.P95)
		if s.Budget > 0 {
			label += " / " + durfmt.Latency(s.Budget)
		}
		p(`<text x="%d" y="%d" fill="#333">%s</text>`+"\n", svgLabelW+svgPlotW+14, y+18, html.EscapeString(label))
	}
	p(`<text x="8" y="%d" fill="#555">bar: p95, whisker: its 95%% CI, ticks: p50 and p99; red line: budget</text>`+"\n", bottom+34)
	p("</svg>\n")
	return bw.Flush()
}
