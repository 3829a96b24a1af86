package baseline

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"os"
	"time"

	"github.com/presoak/presoak/harness/budget"
)

// SchemaVersion is the stage_budgets.json format written by this package.
const SchemaVersion = 1

// The sources of a baseline's percentiles (Baseline.Source).
const (
	// SourceExact: the embedded engine's exact per-stage recorder (within 0.4%).
	SourceExact = "embedded exact recorder"
	// SourceBuckets: interpolated inside Prometheus histogram buckets, as
	// histogram_quantile does; StageStats.BucketError bounds each value.
	SourceBuckets = "histogram buckets (bucket error stated)"
)

// SourceOf is b's Source; a baseline written before the field existed was
// measured by the embedded engine.
func SourceOf(b *Baseline) string {
	if b.Source == "" {
		return SourceExact
	}
	return b.Source
}

// The clocks a baseline can be measured on.
const (
	// SimulatedClock: stage latencies are modeled by the engine from its latency profile.
	SimulatedClock = "simulated"
	// RealClock: stage latencies are measured with the wall clock.
	RealClock = "real"
)

// Baseline is artifacts/baseline/stage_budgets.json: what one shadow run
// measured, per stage and for the whole tick, with enough of each
// distribution (Sketch) to compare a later run against it.
type Baseline struct {
	SchemaVersion int `json:"schema_version"`
	// SlowestSeries names, per latency target, the bot's slowest series
	// when its histogram has several (a running bot read through its
	// profile): a failing budget names it.
	SlowestSeries map[string]string `json:"slowest_series,omitempty"`
	// Partial is true when the run ended early (Ctrl-C, timeout); PartialReason says why.
	Partial       bool   `json:"partial"`
	PartialReason string `json:"partial_reason,omitempty"`
	// Clock is "simulated" or "real"; LatencySource says what the latencies are.
	Clock         string `json:"clock"`
	LatencySource string `json:"latency_source"`
	// Source is how the percentiles were computed: SourceExact (the
	// embedded engine's exact recorder) or SourceBuckets (histogram bucket
	// deltas read from a bot's /metrics or a Prometheus server, each
	// percentile with its bucket error in StageStats.BucketError).
	Source string `json:"source"`
	// Target says where a bot read through a target was reached (scrape URL
	// or Prometheus server and selector, no passwords); Instance names the
	// bot. Both empty for the embedded engine.
	Target   string `json:"target,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Samples is how many reads of the target were taken and SamplesDown
	// how many of them found the bot down (target runs only).
	Samples     int `json:"samples,omitempty"`
	SamplesDown int `json:"samples_down,omitempty"`
	// Start and End of the run on Clock; DurationSeconds is End - Start.
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	DurationSeconds float64   `json:"duration_seconds"`
	// PlannedSeconds is the duration the run was asked for.
	PlannedSeconds float64 `json:"planned_seconds"`
	// Ticks and DeadlineMisses, and their ratio in percent.
	Ticks           int64   `json:"ticks"`
	DeadlineMisses  int64   `json:"deadline_misses"`
	DeadlineMissPct float64 `json:"deadline_miss_pct"`
	// CacheHits and CacheMisses of the MD cache, and the hit ratio in percent.
	CacheHits   int64   `json:"cache_hits"`
	CacheMisses int64   `json:"cache_misses"`
	HitRatioPct float64 `json:"hit_ratio_pct"`
	// ConfigHash is the effective config's hash; ConfigLayers the files it came from.
	ConfigHash   string   `json:"config_hash"`
	ConfigLayers []string `json:"config_layers"`
	// GitCommit of the harness that measured ("unknown" outside a work tree).
	GitCommit string `json:"git_commit"`
	// Feed is the market data replayed: a recording's manifest path, or the seeded synthetic feed.
	Feed string `json:"feed"`
	// Seed of the simulated venue (its latency and error draws).
	Seed int64 `json:"venue_seed"`
	// Stages by name (fetch_md ... submit), and TickTotal for the whole tick.
	Stages    map[string]StageStats `json:"stages"`
	TickTotal StageStats            `json:"tick_total"`
	// Signals are the bot profile's own histogram signals the budgets
	// name (e.g. order_ack_latency), read like a stage from the bot's
	// histogram; absent for the embedded engine, whose profile declares
	// none.
	Signals map[string]StageStats `json:"signals,omitempty"`
	// Budgets evaluated on this run, in budgets-file order.
	Budgets []BudgetVerdict `json:"budgets,omitempty"`
}

// StageStats is one latency target's distribution. Latencies are milliseconds.
type StageStats struct {
	Count int     `json:"count"`
	P50Ms float64 `json:"p50_ms"`
	P95Ms float64 `json:"p95_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	// P95CIMs is the 95% distribution-free interval of p95 ([low, high]); absent when too few samples.
	P95CIMs []float64 `json:"p95_ci_ms,omitempty"`
	// BudgetMs is the p95 budget (0 without one); Confidence labels the p95 verdict against it.
	BudgetMs         float64    `json:"p95_budget_ms,omitempty"`
	Confidence       Confidence `json:"confidence"`
	ConfidenceReason string     `json:"confidence_reason"`
	// Sketch keeps the distribution for regression comparisons.
	Sketch Sketch `json:"sketch"`
	// BucketError is the bucket each percentile lies in and the most it can
	// be off (SourceBuckets only; nil for the exact recorder).
	BucketError *BucketError `json:"bucket_error,omitempty"`
}

// BudgetVerdict is one budget evaluated on the run.
type BudgetVerdict struct {
	Budget   string  `json:"budget"`
	Observed string  `json:"observed"`
	Samples  int     `json:"samples"`
	Pass     bool    `json:"pass"`
	Error    string  `json:"error,omitempty"`
	Value    float64 `json:"value"`
}

// Stage returns a latency target's stats: a stage name or "tick_total".
func (b *Baseline) Stage(name string) (StageStats, bool) {
	if name == budget.TickTotal {
		return b.TickTotal, b.TickTotal.Count > 0
	}
	s, ok := b.Stages[name]
	if !ok {
		s, ok = b.Signals[name]
	}
	return s, ok && s.Count > 0
}

// NewStageStats describes one latency target's sample, judging its p95
// confidence against the p95 budget of set (set may be nil).
func NewStageStats(name string, d budget.Distribution, set *budget.Set) StageStats {
	sum := Summarize(d)
	st := StageStats{
		Count:  sum.Count,
		P50Ms:  ms(sum.P50),
		P95Ms:  ms(sum.P95),
		P99Ms:  ms(sum.P99),
		MaxMs:  ms(sum.Max),
		Sketch: NewSketch(d),
	}
	if sum.P95CIOK {
		st.P95CIMs = []float64{ms(sum.P95CI.Low), ms(sum.P95CI.High)}
	}
	var limit time.Duration
	if set != nil {
		for _, b := range set.For(name) {
			if b.Agg.Func == "p" && b.Agg.Percentile == 95 {
				limit = b.Limit()
				st.BudgetMs = ms(limit)
				break
			}
		}
	}
	st.Confidence, st.ConfidenceReason = Assess(sum.P95CI, sum.P95CIOK, sum.Count, limit)
	return st
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// ErrSchema is returned by Read for a file of another schema version.
var ErrSchema = errors.New("unsupported schema version")

// Read loads a stage_budgets.json.
func Read(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("read baseline %s: %w", path, err)
	}
	if b.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("read baseline %s: %w %d, want %d", path, ErrSchema, b.SchemaVersion, SchemaVersion)
	}
	return &b, nil
}

// Write stores b as indented JSON at path atomically (temp file, rename).
func Write(path string, b *Baseline) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	return atomicfile.WriteFile(path, append(data, '\n'))
}

// P95Seconds maps every latency target of b with samples to its p95 in
// seconds: what harness/signal's Options.BaselineP95 takes for the soak's
// p95_regression_pct signal.
func (b *Baseline) P95Seconds() map[string]float64 {
	out := map[string]float64{}
	for _, name := range budget.LatencyTargets {
		if s, ok := b.Stage(name); ok && s.P95Ms > 0 {
			out[name] = s.P95Ms / 1e3
		}
	}
	return out
}
