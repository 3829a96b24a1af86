// Package engine is the reference market-making bot presoak checks: a
// shadow-mode tick pipeline that quotes, manages risk and gets simulated
// fills, and never sends a real order. It knows nothing of readiness; the
// harness reads it through Stats, Latencies and its Prometheus metrics.
//
// # The tick
//
// One tick per tick.interval, six timed stages:
//
//	fetch_md    the top FetchDepth levels of the book through the MD cache (hit:
//	            md_cache latency; miss or cache off: the venue's venue_md latency,
//	            guarded by the venue_md breaker)
//	fair_value  mid or microprice, skewed by inventory_skew_bps per unit of
//	            inventory away from target_inventory
//	spread      base_spread_bps, or with adaptive_spread: vol_multiplier x the
//	            mid's volatility over vol_horizon (default 1 s), in bps, clamped
//	            to [min_spread_bps, max_spread_bps]; the volatility is the square
//	            root of an EWMA (half-life vol_half_life) of the variance rate
//	            (squared return of the mid per second between samples) times
//	            the horizon, so it does not depend on tick.interval
//	quote       bid and ask at fair -/+ half the spread, rounded away from fair to the
//	            tick size; queue-aware keep-or-requote (queue position estimated
//	            with the re-read touch), or cancel-and-replace
//	risk        order size and inventory limits, the taker cap, and the crossing
//	            check on the re-read touch
//	submit      one order-entry round trip (order_entry latency, breaker) when there
//	            is anything to send; the simulated venue matches the orders
//
// # MD-cache reads
//
// The MD cache holds the instrument's latest book, fed two ways: the
// venue's market-data stream (each tick, a book that changed since the
// previous tick is cached as of the time it changed; no stream while a
// feed_stall fault holds) and fetch_md's venue round trips (cached as of
// the request). fetch_md asks the cache first: a book younger than
// md_cache.ttl is a hit, served without a venue round trip; a miss goes to
// the venue (venue_md latency, the venue_md breaker). Only fetch_md's
// requests are counted (mm_md_cache_requests_total{result}), so the hit
// ratio is the share of ticks that saved the venue round trip: with the
// stream updating the book every 40 ms on average (the synthetic market,
// and about the committed recording), a 100 ms TTL hits on ~90 % of ticks;
// a 1 ms TTL on ~3 %. The quote stage (queue position) and the risk stage
// (crossing check) re-read the touch through the cache without counting:
// a miss falls back to the tick's book, with no venue call. A
// cache_degradation fault makes fetch_md's request and either re-read miss
// with probability magnitude, so the hit ratio falls to about
// (1 - magnitude) of its healthy value. With the cache off there are no
// cache requests (hit ratio 0) and every tick fetches from the venue.
//
// A book inside the engine carries the engine-clock time from which it is
// known to be the venue's book (the request's time, or the time a streamed
// book changed); the cache's TTL counts from it, and so does
// mm_quoted_book_age_seconds, the age of the book each tick quotes on. The
// TTL bounds what the cache serves, not that age: with the pipeline a tick
// quotes on the book prefetched during the previous tick, so at ttl =
// tick.interval the quoted book is up to two intervals old.
//
// One simplification: with pipeline.enabled the book a tick fetches from the
// venue is stored in the cache when the request is issued, so the same
// tick's quote and risk re-reads are served it (the venue's book at the
// tick's start) although its answer is modeled to arrive a venue latency
// later. The risk stage uses the re-read touch only to hold back a
// passive quote it shows crossing (a stale quote the venue would reject as
// post-only: mm_risk_blocks_total{reason="stale_quote"}); whether an order is
// meant to take, and so falls under the taker cap, is judged on the book it
// was priced on.
//
// A tick longer than tick.deadline is a deadline miss, and so is a tick
// slot that never ran because the tick before overran it (with
// tick.deadline longer than tick.interval a tick can overrun its slot
// without missing its deadline): mm_ticks_total counts slots (run or
// skipped), mm_tick_slots_skipped_total the skipped ones.
//
// Every stage copes with any book: an empty, one-sided, locked or crossed
// book (or one with a non-positive price at the touch) is not priced on (a
// fair_value error); a re-read touch of that shape is not used (the tick's
// own book stands in). FuzzTickBookShapes runs whole ticks on such books. A stage that fails
// counts an error for that stage (mm_tick_errors_total{stage}) and ends the
// tick; the loop never stops on an error.
//
// With pipeline.enabled the book for tick n+1 is fetched while tick n
// computes: tick n quotes on the book prefetched during tick n-1, and the
// tick lasts max(fetch, compute) instead of fetch + compute.
//
// # Queue model (risk-averse)
//
// A new passive order joins the back of the visible size at its price (zero
// when it improves the price). The size ahead of it only shrinks by trades
// at its price (an aggressive trade through its price fills it entirely) and
// is capped by the visible size at its price: cancels are assumed to come
// from behind it until the visible size is smaller than the size ahead. The
// order fills as a maker once the size ahead is consumed; an order that
// crosses the book is a taker fill at the book's prices, its remainder rests.
// Queue-aware quoting keeps a resting order while it is within
// requote_threshold_bps of the new price and its queue ahead is at most
// max_queue_ahead_lots lots; otherwise, and always without queue_aware, it
// cancels and replaces (losing its place).
//
// # Taker cap and post-only
//
// An order that crosses the book as the bot sees it is a taker order; it is
// blocked (and counted) when its size would push the taker share of filled
// volume over taker_cap.window above max_taker_share_pct. Every other order
// is sent post-only: when the bot's book was stale (cache, pipeline) and the
// order would cross the live book, the venue rejects it (counted as
// post_only_reject) rather than filling it as a taker. The aggressive_quoting
// fault models a risk bug: its crossing orders skip the cap and fill as
// takers.
//
// # Clocks and modeled compute
//
// On the real clock (shadow and soak runs) the stages are timed with the
// machine's monotonic clock and I/O waits are real sleeps of the latency
// profile's samples (the venue is simulated); a pipelined fetch_md, which
// overlaps the compute, is recorded as the length of its overlapped wait. On the simulated clock nothing
// reads the machine's clock: I/O waits and compute both advance virtual
// time. Compute is MODELED, not measured: each stage charges the latency
// profile's compute cost (fixtures/latency/default.yaml, hundreds of ns), so
// that the same seed and the same market data give identical ticks, fills,
// latencies and counters on any machine.
//
// # Faults
//
// Options.Faults schedules faults (engine/fault, fixtures/faults/*.yaml) at
// offsets from New: venue latency spikes, error bursts, feed stalls, cache
// degradation, a bounded reversible memory leak (modeled on the simulated
// clock, a real allocation on the real one), aggressive quoting, a venue
// outage, a market trend (the venue's book and trades shifted down, in the
// engine's own buffers, and left where they fell) and one-sided quoting (the
// ask pulled). Stats.FaultsActive and mm_fault_active{kind} show which are on.
//
// # Desk signals
//
// What a market-making desk judges in a soak gate, each moved by a fault
// and steady without it (desk_test.go): the signed inventory and its limit
// (mm_inventory_base, mm_inventory_limit_base, and their ratio
// mm_inventory_limit_use; market_trend pins it), order
// rejects by reason (mm_order_rejects_total{reason}: post_only, venue,
// risk), the age of the newest book the bot has at the tick
// (mm_md_age_seconds; feed_stall makes it climb), the ticks that ran
// (mm_ticks_run_total; overrun slots are not in it), the sides quoted
// (mm_quote_sides, mm_quote_two_sided_ticks_total; one_sided_quoting) and
// the mark-to-market PnL, cash + inventory x the last priced mid
// (mm_pnl_mtm_quote) and its drawdown from the running peak
// (mm_pnl_drawdown_quote; market_trend draws it down). The per-instrument ones
// carry a symbol label.
//
// # Metrics
//
// The hot path records into preallocated fixed-bucket recorders (engine/hist)
// and counters guarded by one mutex per tick; a custom prometheus.Collector
// reads them on each scrape, so the tick pays no Prometheus cost. Register
// the engine on your own registry (Options.Registerer), never the global one.
package engine
