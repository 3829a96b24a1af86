package edge

import (
	"fmt"
	"math"
	"time"
)

var nan = math.NaN()

// Run is one dataset's numbers.
type Run struct {
	Name          string `json:"run"`
	SchemaVersion int    `json:"schema_version"`
	Dir           string `json:"dir"`
	Symbol        string `json:"symbol,omitempty"`
	Clock         string `json:"clock,omitempty"`
	ConfigHash    string `json:"config_hash"`
	Seed          int64  `json:"seed"`
	SpanNs        int64  `json:"span_ns"`
	Complete      bool   `json:"complete"`
	Dropped       uint64 `json:"dropped_events"`
	// RotatedAway counts rows rotated off disk (the numbers cover the rest).
	RotatedAway int64 `json:"rotated_away_rows"`

	Quotes       int     `json:"quotes"`
	Fills        int     `json:"fills"`
	MakerFills   int     `json:"maker_fills"`
	TakerFills   int     `json:"taker_fills"`
	MakerVolume  float64 `json:"maker_volume"`
	TakerVolume  float64 `json:"taker_volume"`
	PlacedOrders int     `json:"placed_orders"`
	PlacedVolume float64 `json:"placed_volume"`

	// HasFills is false when there were no fills: the markout numbers are
	// then not computed (NaN, written as null).
	HasFills bool `json:"has_fills"`
	// FillRatioPct = filled / placed volume; TakerSharePct = taker / filled volume.
	FillRatioPct  Number `json:"fill_ratio_pct"`
	TakerSharePct Number `json:"taker_share_pct"`
	// SpreadCapturedBps is the volume-weighted markout at the fill;
	// SpreadCapturedQuote the same in quote currency (sum of s*(mid-price)*size).
	SpreadCapturedBps   Number `json:"spread_captured_bps"`
	SpreadCapturedQuote Number `json:"spread_captured_quote"`
	// Markouts is the markout curve: at the fill, then each horizon.
	Markouts []MarkoutPoint `json:"markouts"`
	// AdverseSelectionBps is the markout at the fill minus the last
	// horizon's, over the fills with both.
	AdverseSelectionBps Number `json:"adverse_selection_bps"`
	// Inventory excursion over quotes and fills.
	InventoryMin    Number `json:"inventory_min"`
	InventoryMax    Number `json:"inventory_max"`
	InventoryMaxAbs Number `json:"inventory_max_abs"`

	// inventory is the chart's series (seconds since the start, position).
	invT, invV []float64
}

// MarkoutPoint is one point of the markout curve.
type MarkoutPoint struct {
	// Horizon is "0" (at the fill), "1s", "5s", "30s".
	Horizon   string `json:"horizon"`
	HorizonNs int64  `json:"horizon_ns"`
	// Bps is the volume-weighted markout over Fills fills (Volume base units).
	Bps    Number  `json:"bps"`
	Fills  int     `json:"fills"`
	Volume float64 `json:"volume"`
	// Late counts the fills whose mid at this horizon is late (no market
	// mid observed within the dataset's tolerance): left out, never taken
	// from a later mid.
	Late int `json:"late"`
}

// Number is a float64 that marshals NaN as null.
type Number float64

// MarshalJSON writes null for NaN and infinities.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return []byte(fmt.Sprintf("%.10g", f)), nil
}

// OK reports whether the number was computed.
func (n Number) OK() bool { return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0) }

func markoutBps(side, price, mid float64) float64 { return side * (mid - price) / price * 1e4 }

// Compute is the dataset's numbers.
func Compute(d *Dataset) Run {
	m := d.Manifest
	r := Run{
		Name: m.Run, SchemaVersion: m.Version, Dir: d.Dir, Symbol: m.Symbol, Clock: m.Clock, ConfigHash: m.ConfigHash, Seed: m.Seed,
		SpanNs: m.SpanNs, Complete: m.Complete, Dropped: m.DroppedEvents, Quotes: len(d.Quotes), Fills: len(d.Fills),
	}
	for _, fi := range m.Files {
		r.RotatedAway += fi.RotatedAwayRows
	}
	invMin, invMax := math.Inf(1), math.Inf(-1)
	inv := func(v float64) {
		if !math.IsNaN(v) {
			invMin, invMax = min(invMin, v), max(invMax, v)
		}
	}
	start := m.StartNs
	step := max(1, len(d.Quotes)/500) // at most ~500 chart points
	for i, q := range d.Quotes {
		inv(q.Inventory)
		if q.Placed > 0 {
			for _, s := range [2]struct {
				act  string
				size float64
			}{{q.BidAction, q.BidSize}, {q.AskAction, q.AskSize}} {
				if s.act == "place" || s.act == "replace" {
					r.PlacedOrders++
					r.PlacedVolume += s.size
				}
			}
		}
		if i%step == 0 || i == len(d.Quotes)-1 {
			r.invT = append(r.invT, float64(q.TimeNs-start)/1e9)
			r.invV = append(r.invV, q.Inventory)
		}
	}
	var capW, capQ, capVol float64
	capN, late0 := 0, 0
	horizons := m.HorizonsNs
	if len(horizons) == 0 {
		horizons = []int64{int64(time.Second), int64(5 * time.Second), int64(30 * time.Second)}
	}
	sums := make([]float64, len(horizons))
	vols := make([]float64, len(horizons))
	counts := make([]int, len(horizons))
	lates := make([]int, len(horizons))
	var advSum, advVol float64
	// When quotes were rotated off disk, the fill ratio compares the placed
	// volume still on disk with the fills of the same span only.
	ratioFrom := int64(math.MinInt64)
	if m.Files[quotesFile].RotatedAwayRows > 0 && len(d.Quotes) > 0 {
		ratioFrom = d.Quotes[0].TimeNs
	}
	var ratioFilled float64
	for _, f := range d.Fills {
		if f.TimeNs >= ratioFrom {
			ratioFilled += f.Size
		}
		inv(f.Inventory)
		if f.Taker {
			r.TakerFills++
			r.TakerVolume += f.Size
		} else {
			r.MakerFills++
			r.MakerVolume += f.Size
		}
		if f.Late0 {
			late0++
		}
		m0 := markoutBps(f.Side, f.Price, f.Mid0) // NaN when mid_0 is late
		if !math.IsNaN(m0) {
			capW += m0 * f.Size
			capQ += f.Side * (f.Mid0 - f.Price) * f.Size
			capVol += f.Size
			capN++
		}
		for h := range horizons {
			if h < len(f.Late) && f.Late[h] {
				lates[h]++
			}
			if h >= len(f.Mids) || math.IsNaN(f.Mids[h]) {
				continue
			}
			mh := markoutBps(f.Side, f.Price, f.Mids[h])
			sums[h] += mh * f.Size
			vols[h] += f.Size
			counts[h]++
			if h == len(horizons)-1 && !math.IsNaN(m0) {
				advSum += (m0 - mh) * f.Size
				advVol += f.Size
			}
		}
	}
	filled := r.MakerVolume + r.TakerVolume
	r.HasFills = len(d.Fills) > 0 && filled > 0
	r.FillRatioPct = div(ratioFilled*100, r.PlacedVolume)
	r.TakerSharePct = div(r.TakerVolume*100, filled)
	r.SpreadCapturedBps = div(capW, capVol)
	r.SpreadCapturedQuote = Number(nan)
	if capN > 0 {
		r.SpreadCapturedQuote = Number(capQ)
	}
	r.Markouts = append(r.Markouts, MarkoutPoint{Horizon: "0", Bps: r.SpreadCapturedBps, Fills: capN, Volume: capVol, Late: late0})
	for h, ns := range horizons {
		r.Markouts = append(r.Markouts, MarkoutPoint{Horizon: time.Duration(ns).String(), HorizonNs: ns, Bps: div(sums[h], vols[h]), Fills: counts[h], Volume: vols[h], Late: lates[h]})
	}
	r.AdverseSelectionBps = div(advSum, advVol)
	r.InventoryMin, r.InventoryMax, r.InventoryMaxAbs = Number(nan), Number(nan), Number(nan)
	if invMin <= invMax {
		r.InventoryMin, r.InventoryMax = Number(invMin), Number(invMax)
		r.InventoryMaxAbs = Number(max(math.Abs(invMin), math.Abs(invMax)))
	}
	return r
}

// div is a/b, NaN when b is 0.
func div(a, b float64) Number {
	if b == 0 {
		return Number(nan)
	}
	return Number(a / b)
}
