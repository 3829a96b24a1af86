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
