// Package config is the reference engine's configuration: the typed struct the
// engine runs on, and the layered YAML loader that builds it.
//
// A configuration is a base file and zero or more override files; later layers
// win, maps merge, scalars and lists replace. Every leaf remembers the file and
// line that set it (its provenance), so a check can say where a value came from
// and where to change it. Decoding is strict: unknown keys, wrong types and
// out-of-range values are errors that name file, line and dotted key, all of
// them in one error. Secrets are written as ${VAR} and taken from the
// environment; they never appear in Redacted output, in errors or in Hash input
// other than as a fixed placeholder.
//
// Secrets are written as ${VAR} (or ${VAR:-default}, used when VAR is unset
// or empty; the fixtures use it so a shadow run works with no credentials). A
// reference to an unset variable without a default is an error naming the key
// and the variable. Any key named like api_key, secret, token, password or
// passphrase must be such a reference; a value written inline is an error that
// does not repeat the value.
//
// Use Load (or Options.Load) and then Loaded.Source for provenance,
// Loaded.Leaves for every effective value, Loaded.Hash to identify the
// effective config and Loaded.Redacted for anything printed or stored. Never
// print Loaded.Config itself: it holds the resolved secrets. Do not mutate a
// Config the engine is running on; load a new one.
package config

import "time"

// Config is the effective configuration of the reference market-making engine.
// The yaml tags are the keys a user writes; the dotted path of a field (for
// example "md_cache.ttl") is how errors, provenance and checks name it.
type Config struct {
	// Symbols are the instruments the bot quotes, e.g. ["BTCUSDT"].
	Symbols []string `yaml:"symbols"`
	// Tick sets the loop's cadence and deadline.
	Tick TickConfig `yaml:"tick"`
	// Pipeline overlaps fetching the next tick's market data with the current tick's compute.
	Pipeline PipelineConfig `yaml:"pipeline"`
	// MDCache is the market-data (order book) cache in front of the venue.
	MDCache MDCacheConfig `yaml:"md_cache"`
	// TakerCap bounds the share of filled volume that may be taker volume.
	TakerCap TakerCapConfig `yaml:"taker_cap"`
	// AdaptiveSpread widens and narrows the quoted spread with realized volatility.
	AdaptiveSpread AdaptiveSpreadConfig `yaml:"adaptive_spread"`
	// QueueAware keeps resting quotes whose queue position is worth keeping.
	QueueAware QueueAwareConfig `yaml:"queue_aware"`
	// Quoting sets fair value, base spread, size and inventory skew.
	Quoting QuotingConfig `yaml:"quoting"`
	// Risk sets inventory and order-size limits.
	Risk RiskConfig `yaml:"risk"`
	// CircuitBreakers, one per dependency: "venue_md" and "order_entry".
	CircuitBreakers map[string]BreakerConfig `yaml:"circuit_breakers"`
	// Venue is the (simulated, in shadow mode) exchange and its credentials.
	Venue VenueConfig `yaml:"venue"`
	// Output names the directories the bot and the harness write to.
	Output OutputConfig `yaml:"output"`
}

// TickConfig is the tick loop's cadence.
type TickConfig struct {
	// Interval between tick starts, e.g. 100ms. Must be > 0.
	Interval time.Duration `yaml:"interval"`
	// Deadline is the longest a tick may take; a longer tick is a deadline miss. Must be > 0.
	Deadline time.Duration `yaml:"deadline"`
}

// PipelineConfig is the pipelined tick loop switch.
type PipelineConfig struct {
	// Enabled overlaps fetch_md of tick n+1 with the compute of tick n.
	Enabled bool `yaml:"enabled"`
}

// MDCacheConfig is the market-data cache.
type MDCacheConfig struct {
	// Enabled serves books from the cache while they are younger than TTL.
	Enabled bool `yaml:"enabled"`
	// TTL is the oldest book the cache serves. Must be > 0.
	TTL time.Duration `yaml:"ttl"`
	// Capacity is the number of books (symbols) kept. Must be > 0.
	Capacity int `yaml:"capacity"`
}

// TakerCapConfig bounds taker volume.
type TakerCapConfig struct {
	// MaxTakerSharePct is the highest rolling taker share of filled volume, in percent (0..100).
	MaxTakerSharePct float64 `yaml:"max_taker_share_pct"`
	// Window is the rolling window the share is computed over. Must be > 0.
	Window time.Duration `yaml:"window"`
}

// AdaptiveSpreadConfig adapts the spread to realized volatility (EWMA).
type AdaptiveSpreadConfig struct {
	// Enabled turns the adaptive spread on; off quotes Quoting.BaseSpreadBps.
	Enabled bool `yaml:"enabled"`
	// MinSpreadBps and MaxSpreadBps clamp the adapted spread (bps, > 0, min <= max).
	MinSpreadBps float64 `yaml:"min_spread_bps"`
	MaxSpreadBps float64 `yaml:"max_spread_bps"`
	// VolHalfLife is the EWMA half-life of realized volatility. Must be > 0.
	VolHalfLife time.Duration `yaml:"vol_half_life"`
	// VolMultiplier scales volatility (bps) into spread (bps). Must be > 0.
	VolMultiplier float64 `yaml:"vol_multiplier"`
	// VolHorizon is the horizon the volatility is taken over: the spread is
	// VolMultiplier x the mid's volatility over VolHorizon (bps). Optional:
	// unset means 1s (engine.DefaultVolHorizon); set, it must be > 0.
	VolHorizon time.Duration `yaml:"vol_horizon"`
}

// QueueAwareConfig keeps or requotes by estimated queue position.
type QueueAwareConfig struct {
	// Enabled keeps a resting quote while its estimated queue ahead is small enough.
	Enabled bool `yaml:"enabled"`
	// MaxQueueAheadLots: a quote with more queue ahead than this is requoted. Must be >= 0.
	MaxQueueAheadLots float64 `yaml:"max_queue_ahead_lots"`
	// RequoteThresholdBps: a quote within this distance of the new price is kept. Must be >= 0.
	RequoteThresholdBps float64 `yaml:"requote_threshold_bps"`
}

// QuotingConfig is how quotes are priced and sized.
type QuotingConfig struct {
	// FairValue is "mid" or "microprice".
	FairValue string `yaml:"fair_value"`
	// BaseSpreadBps is the full quoted spread when adaptive spread is off. Must be > 0.
	BaseSpreadBps float64 `yaml:"base_spread_bps"`
	// OrderSize is each quote's size in base units. Must be > 0.
	OrderSize float64 `yaml:"order_size"`
	// TargetInventory is the inventory (base units) the skew pulls toward.
	TargetInventory float64 `yaml:"target_inventory"`
	// InventorySkewBps shifts fair value per unit of inventory away from target. Must be >= 0.
	InventorySkewBps float64 `yaml:"inventory_skew_bps"`
}

// RiskConfig is the pre-trade risk limits.
type RiskConfig struct {
	// MaxInventory is the largest absolute inventory (base units). Must be > 0.
	MaxInventory float64 `yaml:"max_inventory"`
	// MaxOrderSize is the largest single order (base units). Must be > 0.
	MaxOrderSize float64 `yaml:"max_order_size"`
}

// BreakerConfig is one dependency's circuit breaker.
type BreakerConfig struct {
	// FailureThreshold consecutive failures open the breaker. Must be > 0.
	FailureThreshold int `yaml:"failure_threshold"`
	// Cooldown is how long an open breaker waits before half-open. Must be > 0.
	Cooldown time.Duration `yaml:"cooldown"`
	// Critical marks a breaker on the critical path: open for long stops a soak.
	Critical bool `yaml:"critical"`
}

// VenueConfig is the exchange connection. In shadow mode the venue is simulated
// and the credentials are only carried, never used to send an order.
type VenueConfig struct {
	// Name of the venue, e.g. "sim".
	Name string `yaml:"name"`
	// APIKey and APISecret come from the environment as ${VAR}; they are secrets.
	APIKey    string `yaml:"api_key"`
	APISecret string `yaml:"api_secret"`
	// LatencyProfile is a path to a latency profile (fixtures/latency/*.yaml),
	// relative to the config file that names it.
	LatencyProfile string `yaml:"latency_profile"`
	// Recording is a path to a market-data recording manifest, relative to the
	// config file that names it; empty means the seeded synthetic feed.
	Recording string `yaml:"recording"`
	// Seed seeds the synthetic feed and the simulated venue.
	Seed int64 `yaml:"seed"`
}

// OutputConfig names output directories, relative to the working directory.
type OutputConfig struct {
	// ArtifactsDir is the root of everything written, e.g. "artifacts".
	ArtifactsDir string `yaml:"artifacts_dir"`
	// LogDir is where the bot writes its logs, e.g. "artifacts/logs".
	LogDir string `yaml:"log_dir"`
}
