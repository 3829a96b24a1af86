// Package signal turns what a target reads off a bot (its counters, gauges and
// histograms at a moment: a Sample) into the signals the checklist, the budgets
// and the soak's stop criteria talk about: deadline-miss share, MD-cache hit
// ratio, taker share, error share, memory growth, critical-breaker state and
// latency percentiles.
//
// Every signal is computed over a window of samples from counter increases,
// never from a single cumulative value, and survives counter resets. A window
// with no data yields no value (ok == false): callers must treat that as
// "cannot evaluate", never as healthy.
package signal

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Sample is the cumulative state of one bot instance at one moment, whatever
// the target (embedded engine, a scraped /metrics page, a Prometheus server).
// Counters are cumulative since the bot started (they may reset on restart).
type Sample struct {
	// At is when the sample was taken (simulated or real clock).
	At time.Time `json:"at"`
	// Instance names the bot (host:port, or "embedded").
	Instance string `json:"instance"`
	// Up is false when the target could not be read; Fault then says why.
	Up    bool   `json:"up"`
	Fault string `json:"fault,omitempty"`
	// SeriesFaults are faults of single series on a page that was otherwise
	// read (Up true): a NaN or infinite value, a malformed histogram (dropped
	// from Stages), a duplicate series. Each is bounded in length.
	SeriesFaults []string `json:"series_faults,omitempty"`

	// Ticks, DeadlineMisses and TickErrors are counters (mm_ticks_total,
	// mm_tick_deadline_misses_total, sum of mm_tick_errors_total over stages).
	Ticks          float64 `json:"ticks"`
	DeadlineMisses float64 `json:"deadline_misses"`
	TickErrors     float64 `json:"tick_errors"`
	// CacheHits and CacheMisses are mm_md_cache_requests_total{result}.
	CacheHits   float64 `json:"cache_hits"`
	CacheMisses float64 `json:"cache_misses"`
	// MakerVolume and TakerVolume are mm_fill_volume_total{liquidity}, base units.
	MakerVolume float64 `json:"maker_volume"`
	TakerVolume float64 `json:"taker_volume"`
	// Parts, when the target can tell series apart, holds the raw value of
	// every series summed into one of the counters above: by counter (the
	// Part names) and series (its label set, e.g. {symbol="BTC-USD"}). A
	// Series then handles counter resets per series, as Prometheus's
	// sum(increase(...)) does: a series that resets, goes stale or
	// disappears and reappears does not make the sum look reset. Without
	// Parts (or without a counter's entry) the counter is one series.
	// A target sets Parts for a counter in every sample or in none.
	Parts map[Part]map[string]float64 `json:"parts,omitempty"`
	// ResidentBytes is process_resident_memory_bytes (a gauge).
	ResidentBytes float64 `json:"resident_bytes"`
	// CriticalBreakersOpen counts mm_circuit_breaker_open{critical="true"} == 1 now.
	CriticalBreakersOpen int `json:"critical_breakers_open"`
	// Stages holds cumulative latency histograms by stage name (fetch_md,
	// fair_value, spread, quote, risk, submit) and "tick_total" for the tick.
	Stages map[string]Histogram `json:"stages,omitempty"`
	// Flags is mm_feature_flag_enabled{flag} (e.g. "pipeline.enabled").
	Flags map[string]bool `json:"flags,omitempty"`
	// Slowest names, per Stages key, the series with the highest cumulative
	// p95 when the bot's histogram has several (e.g. {symbol="ETHUSDT"}).
	Slowest map[string]string `json:"slowest,omitempty"`
	// StageSeries holds, per Stages key, the cumulative histogram of every
	// series summed into it, by label set ({symbol="ETHUSDT"}), when the
	// target can tell series apart: the shadow baseline takes its deltas
	// series by series (a series that stops or resets does not distort
	// the sum's) and names the slowest series over the window. Not
	// written to samples.jsonl (the soak's signals use Stages).
	StageSeries map[string]map[string]Histogram `json:"-"`
	// Declared holds the value now of every scalar signal the bot profile
	// declares beyond the engine's named ones (by signal name, aggregated
	// across its series as the expression says). A signal the target could
	// not read is absent: no data, never zero. Counters are raw cumulative
	// values (resets are handled by Series).
	Declared map[string]float64 `json:"declared,omitempty"`
}

// Histogram is a cumulative latency histogram in seconds, as Prometheus
// exposes it: Counts[i] is the number of observations <= UpperBounds[i].
type Histogram struct {
	UpperBounds []float64 `json:"le"`
	Counts      []float64 `json:"counts"`
	Count       float64   `json:"count"`
	Sum         float64   `json:"sum"`
}

// Part names one of a Sample's summed counters in Sample.Parts.
type Part string

// The summed counters of a Sample, as Sample.Parts keys.
const (
	PartTicks          Part = "ticks"
	PartDeadlineMisses Part = "deadline_misses"
	PartTickErrors     Part = "tick_errors"
	PartCacheHits      Part = "cache_hits"
	PartCacheMisses    Part = "cache_misses"
	PartMakerVolume    Part = "maker_volume"
	PartTakerVolume    Part = "taker_volume"
)

// Float is a float64 on the wire that may be NaN or infinite: JSON has no
// such numbers, so they are written as the strings "NaN", "+Inf" and "-Inf"
// (as the Prometheus text format spells them) and read back as such.
type Float float64

// MarshalJSON writes a finite value as a number, the others as strings.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number or one of "NaN", "+Inf", "-Inf".
func (f *Float) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch s {
		case "NaN":
			*f = Float(math.NaN())
		case "+Inf", "Inf":
			*f = Float(math.Inf(1))
		case "-Inf":
			*f = Float(math.Inf(-1))
		default:
			return fmt.Errorf("float: got %q, want a number, \"NaN\", \"+Inf\" or \"-Inf\"", s)
		}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// sampleJSON is Sample on the wire (see Float). Keep it field for field in
// step with Sample: TestSampleJSONCoversEveryField checks.
type sampleJSON struct {
	At                   time.Time                 `json:"at"`
	Instance             string                    `json:"instance"`
	Up                   bool                      `json:"up"`
	Fault                string                    `json:"fault,omitempty"`
	SeriesFaults         []string                  `json:"series_faults,omitempty"`
	Ticks                Float                     `json:"ticks"`
	DeadlineMisses       Float                     `json:"deadline_misses"`
	TickErrors           Float                     `json:"tick_errors"`
	CacheHits            Float                     `json:"cache_hits"`
	CacheMisses          Float                     `json:"cache_misses"`
	MakerVolume          Float                     `json:"maker_volume"`
	TakerVolume          Float                     `json:"taker_volume"`
	Parts                map[Part]map[string]Float `json:"parts,omitempty"`
	ResidentBytes        Float                     `json:"resident_bytes"`
	CriticalBreakersOpen int                       `json:"critical_breakers_open"`
	Stages               map[string]histogramJSON  `json:"stages,omitempty"`
	Flags                map[string]bool           `json:"flags,omitempty"`
	Slowest              map[string]string         `json:"slowest,omitempty"`
	StageSeries          struct{}                  `json:"-"`
	Declared             map[string]Float          `json:"declared,omitempty"`
}

type histogramJSON struct {
	UpperBounds []Float `json:"le"`
	Counts      []Float `json:"counts"`
	Count       Float   `json:"count"`
	Sum         Float   `json:"sum"`
}

func floats(in []float64) []Float {
	if in == nil {
		return nil
	}
	out := make([]Float, len(in))
	for i, v := range in {
		out[i] = Float(v)
	}
	return out
}

func float64s(in []Float) []float64 {
	if in == nil {
		return nil
	}
	out := make([]float64, len(in))
	for i, v := range in {
		out[i] = float64(v)
	}
	return out
}

// MarshalJSON writes the sample with NaN and infinities as strings (a bot
// may expose them; they are recorded, never a write error).
func (s Sample) MarshalJSON() ([]byte, error) {
	w := sampleJSON{At: s.At, Instance: s.Instance, Up: s.Up, Fault: s.Fault, SeriesFaults: s.SeriesFaults,
		Ticks: Float(s.Ticks), DeadlineMisses: Float(s.DeadlineMisses), TickErrors: Float(s.TickErrors),
		CacheHits: Float(s.CacheHits), CacheMisses: Float(s.CacheMisses), MakerVolume: Float(s.MakerVolume),
		TakerVolume: Float(s.TakerVolume), ResidentBytes: Float(s.ResidentBytes),
		CriticalBreakersOpen: s.CriticalBreakersOpen, Flags: s.Flags, Slowest: s.Slowest}
	if s.Parts != nil {
		w.Parts = make(map[Part]map[string]Float, len(s.Parts))
		for p, series := range s.Parts {
			m := make(map[string]Float, len(series))
			for k, v := range series {
				m[k] = Float(v)
			}
			w.Parts[p] = m
		}
	}
	if s.Declared != nil {
		w.Declared = make(map[string]Float, len(s.Declared))
		for k, v := range s.Declared {
			w.Declared[k] = Float(v)
		}
	}
	if s.Stages != nil {
		w.Stages = make(map[string]histogramJSON, len(s.Stages))
		for k, h := range s.Stages {
			w.Stages[k] = histogramJSON{UpperBounds: floats(h.UpperBounds), Counts: floats(h.Counts), Count: Float(h.Count), Sum: Float(h.Sum)}
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Sample) UnmarshalJSON(b []byte) error {
	var w sampleJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Sample{At: w.At, Instance: w.Instance, Up: w.Up, Fault: w.Fault, SeriesFaults: w.SeriesFaults,
		Ticks: float64(w.Ticks), DeadlineMisses: float64(w.DeadlineMisses), TickErrors: float64(w.TickErrors),
		CacheHits: float64(w.CacheHits), CacheMisses: float64(w.CacheMisses), MakerVolume: float64(w.MakerVolume),
		TakerVolume: float64(w.TakerVolume), ResidentBytes: float64(w.ResidentBytes),
		CriticalBreakersOpen: w.CriticalBreakersOpen, Flags: w.Flags, Slowest: w.Slowest}
	if w.Parts != nil {
		s.Parts = make(map[Part]map[string]float64, len(w.Parts))
		for p, series := range w.Parts {
			m := make(map[string]float64, len(series))
			for k, v := range series {
				m[k] = float64(v)
			}
			s.Parts[p] = m
		}
	}
	if w.Declared != nil {
		s.Declared = make(map[string]float64, len(w.Declared))
		for k, v := range w.Declared {
			s.Declared[k] = float64(v)
		}
	}
	if w.Stages != nil {
		s.Stages = make(map[string]Histogram, len(w.Stages))
		for k, h := range w.Stages {
			s.Stages[k] = Histogram{UpperBounds: float64s(h.UpperBounds), Counts: float64s(h.Counts), Count: float64(h.Count), Sum: float64(h.Sum)}
		}
	}
	return nil
}
