// Package edge renders artifacts/edge/reports/EDGE_REPORT.md from calibration
// datasets (engine/calibration's CSV and manifest; the schema is documented
// there) and nothing else, so it can be re-run on any dataset:
// `presoak edge-report -datasets DIR`.
//
// Load reads one dataset directory, LoadAll every dataset under a
// directory; Compute turns a dataset into a Run's numbers; Write renders the
// Markdown, the SVG charts (markout curve and inventory per run) and the
// numbers behind them (edge_report.json, markout_curve.csv). Every step is a
// pure function of its input: no clock, no engine.
//
// The numbers, per run (volume-weighted over fills; bps = 1e-4 of the fill
// price; s = +1 for a buy, -1 for a sell):
//
//	spread captured      mean of s*(mid_0 - price)/price: the edge at the fill against the
//	                     market's mid (schema 2; schema 1 datasets used the engine's mid)
//	markout at h         mean of s*(mid_h - price)/price over fills whose horizon h was reached
//	                     within the dataset's tolerance; a horizon the dataset marks late
//	                     (its late column) is left out and counted, never filled in
//	adverse selection    markout at the fill minus the 30 s markout, over fills with both:
//	                     how much of the edge the market took back (positive = adverse)
//	fill ratio           filled volume / volume of orders placed (quotes' place/replace sides
//	                     on ticks whose orders were accepted), percent; when quotes were
//	                     rotated off disk, over the span of the quotes kept
//	taker share          taker volume / filled volume, percent
//	inventory excursion  min, max and max |inventory| over quotes and fills
//
// A run without fills has no markout numbers; the report says so instead of
// printing zeros.
package edge
