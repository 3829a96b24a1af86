package signal

// Name is a signal the criteria and budgets can refer to.
type Name string

// The signals. Ratios are in percent (0..100) so that thresholds read as the
// seed writes them ("deadline_miss > 5%").
const (
	DeadlineMissPct      Name = "deadline_miss_pct"         // misses / ticks over the window, %
	MDCacheHitPct        Name = "md_cache_hit_pct"          // hits / (hits+misses) over the window, %
	TakerSharePct        Name = "taker_share_pct"           // taker / (maker+taker) volume over the window, %
	ErrorPct             Name = "error_pct"                 // tick errors / ticks over the window, %
	MemoryGrowthMBPerH   Name = "memory_growth_mb_per_hour" // robust slope of resident memory over the window, MB/h
	ResidentMemoryMB     Name = "resident_memory_mb"        // most resident memory in the window (newest without one), MB
	CriticalBreakersOpen Name = "critical_breakers_open"    // critical breakers open now (count)
	P95RegressionPct     Name = "p95_regression_pct"        // worst stage p95 over the frozen baseline's, % above it
	TargetDown           Name = "target_down"               // 1 when the target could not be read, else 0
	ScrapeFailurePct     Name = "scrape_failure_pct"        // failed reads of the bot / all reads over the window, %
)

// MetricNames maps the signals onto a bot's Prometheus metric names. The zero
// value is not useful: start from DefaultMetricNames and change what differs.
type MetricNames struct {
	TickDuration   string `yaml:"tick_duration"`   // histogram, seconds
	StageDuration  string `yaml:"stage_duration"`  // histogram with label "stage", seconds
	Ticks          string `yaml:"ticks"`           // counter
	DeadlineMisses string `yaml:"deadline_misses"` // counter
	CacheRequests  string `yaml:"cache_requests"`  // counter with label result=hit|miss
	FillVolume     string `yaml:"fill_volume"`     // counter with label liquidity=maker|taker
	BreakerOpen    string `yaml:"breaker_open"`    // gauge 0/1 with labels breaker, critical
	TickErrors     string `yaml:"tick_errors"`     // counter with label stage
	ResidentMemory string `yaml:"resident_memory"` // gauge, bytes
	FeatureFlag    string `yaml:"feature_flag"`    // gauge 0/1 with label flag
}

// DefaultMetricNames are the reference engine's names (ARCHITECTURE.md).
func DefaultMetricNames() MetricNames {
	return MetricNames{
		TickDuration:   "mm_tick_duration_seconds",
		StageDuration:  "mm_stage_duration_seconds",
		Ticks:          "mm_ticks_total",
		DeadlineMisses: "mm_tick_deadline_misses_total",
		CacheRequests:  "mm_md_cache_requests_total",
		FillVolume:     "mm_fill_volume_total",
		BreakerOpen:    "mm_circuit_breaker_open",
		TickErrors:     "mm_tick_errors_total",
		ResidentMemory: "process_resident_memory_bytes",
		FeatureFlag:    "mm_feature_flag_enabled",
	}
}
