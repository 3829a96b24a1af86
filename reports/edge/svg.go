package edge

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Chart is a line chart: one or more series against a shared x axis, with
// optional horizontal reference lines (a threshold, zero).
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
	HLines                []HLine
	VLines                []VLine
}

// Series is one line; X and Y have the same length. NaN points are skipped.
type Series struct {
	Name string
	X, Y []float64
	// Points draws a marker at each point.
	Points bool
}

// HLine is a horizontal line at Y labelled Label.
type HLine struct {
	Y     float64
	Label string
}

// VLine is a vertical line at X labelled Label (an event: went pending, fired).
type VLine struct {
	X     float64
	Label string
}

var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"}

// SVG renders the chart. The output depends only on the chart.
func (c Chart) SVG() []byte {
	const w, h, left, right, top, bottom = 720.0, 360.0, 70.0, 20.0, 40.0, 50.0
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for i := range s.X {
			if i < len(s.Y) && !math.IsNaN(s.Y[i]) && !math.IsNaN(s.X[i]) {
				xmin, xmax = min(xmin, s.X[i]), max(xmax, s.X[i])
				ymin, ymax = min(ymin, s.Y[i]), max(ymax, s.Y[i])
			}
		}
	}
	for _, l := range c.HLines {
		ymin, ymax = min(ymin, l.Y), max(ymax, l.Y)
	}
	if xmin > xmax {
		xmin, xmax = 0, 1
	}
	for _, l := range c.VLines {
		xmin, xmax = min(xmin, l.X), max(xmax, l.X)
	}
	if ymin > ymax {
		ymin, ymax = 0, 1
	}
	if xmax == xmin {
		xmax = xmin + 1
	}
	if ymax == ymin {
		ymin, ymax = ymin-1, ymax+1
	}
	pad := (ymax - ymin) * 0.08
	ymin, ymax = ymin-pad, ymax+pad
	px := func(x float64) float64 { return left + (x-xmin)/(xmax-xmin)*(w-left-right) }
	py := func(y float64) float64 { return h - bottom - (y-ymin)/(ymax-ymin)*(h-top-bottom) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%g" height="%g" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%g" y="22" font-size="15">%s</text>`+"\n", left, esc(c.Title))
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="black"/>`+"\n", left, h-bottom, w-right, h-bottom)
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="black"/>`+"\n", left, top, left, h-bottom)
	for i := 0; i <= 4; i++ {
		yv := ymin + (ymax-ymin)*float64(i)/4
		xv := xmin + (xmax-xmin)*float64(i)/4
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, py(yv)+4, tick(yv))
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#ddd"/>`+"\n", left, py(yv), w-right, py(yv))
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`+"\n", px(xv), h-bottom+16, tick(xv))
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%s</text>`+"\n", (left+w-right)/2, h-10, esc(c.XLabel))
	fmt.Fprintf(&b, `<text x="14" y="%g" text-anchor="middle" transform="rotate(-90 14 %g)">%s</text>`+"\n", (top+h-bottom)/2, (top+h-bottom)/2, esc(c.YLabel))
	for _, l := range c.HLines {
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#d62728" stroke-dasharray="6 4"/>`+"\n", left, py(l.Y), w-right, py(l.Y))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end" fill="#d62728">%s</text>`+"\n", w-right-4, py(l.Y)-4, esc(l.Label))
	}
	for i, l := range c.VLines {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#7f7f7f" stroke-dasharray="2 3"/>`+"\n", px(l.X), top, px(l.X), h-bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="end" fill="#7f7f7f">%s</text>`+"\n", px(l.X)-3, top+12+14*float64(i), esc(l.Label))
	}
	for i, s := range c.Series {
		col := palette[i%len(palette)]
		var pts []string
		for j := range s.X {
			if j < len(s.Y) && !math.IsNaN(s.Y[j]) && !math.IsNaN(s.X[j]) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(s.X[j]), py(s.Y[j])))
			}
		}
		if len(pts) > 0 {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n", col, strings.Join(pts, " "))
		}
		if s.Points {
			for _, p := range pts {
				xy := strings.SplitN(p, ",", 2)
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", xy[0], xy[1], col)
			}
		}
		fmt.Fprintf(&b, `<text x="%g" y="%g" fill="%s">%s</text>`+"\n", w-right-200, top+14*float64(i+1), col, esc(s.Name))
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

func tick(v float64) string { return fmt.Sprintf("%.4g", v) }

func esc(s string) string { return html.EscapeString(s) }
