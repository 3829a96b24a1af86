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

import "time"

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
}

// Histogram is a cumulative latency histogram in seconds, as Prometheus
// exposes it: Counts[i] is the number of observations <= UpperBounds[i].
type Histogram struct {
	UpperBounds []float64 `json:"le"`
	Counts      []float64 `json:"counts"`
	Count       float64   `json:"count"`
	Sum         float64   `json:"sum"`
}
