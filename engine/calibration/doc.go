// Package calibration records the data a soak or shadow run exists to
// collect: the engine's quotes, its fills and the markout of each fill, as
// CSV under one directory per run (artifacts/edge/datasets/<run>/), with a
// manifest. reports/edge turns datasets into EDGE_REPORT.md.
//
// A Recorder is an engine.Observer. Its OnQuote and OnFill copy the event
// into a buffered channel and return (no allocation, never blocking: when
// the buffer is full the event is dropped and counted in the manifest; with
// Options.Block, for simulated-clock replays, they wait instead); one
// writer goroutine appends the rows, flushes them and rewrites the manifest
// every FlushEvery, so an interrupted run keeps what it collected. Each file
// rotates at MaxFileBytes into numbered segments and only the newest
// MaxSegments are kept, so a 72-hour run stays bounded in size. Close stops
// the writer, writes the markouts of fills whose horizons the run did not
// reach (blank cells) and marks the manifest complete.
//
// # Schema (version 2)
//
// All times are the engine clock's Unix nanoseconds; prices in quote
// currency, sizes and inventory in base units; bps = 1e-4. "The market's
// mid" is the mid of the venue's book (the simulated venue's truth, not the
// book the bot priced on), blank when the venue's book had no bid or ask.
//
// quotes.csv, one row per tick whose quote stage ran:
//
//	time_ns     engine time after submit
//	mid         mid of the book the tick computed on (with the pipeline and
//	            the cache, a book up to two intervals old)
//	fair        fair value (microprice, inventory skew)
//	spread_bps  quoted spread
//	bid_price, bid_size, bid_action    the bid as decided (after risk)
//	ask_price, ask_size, ask_action    the ask
//	                                   action: none|keep|place|replace|cancel
//	placed      orders the venue accepted this tick (0: submit failed or nothing sent)
//	inventory   position after the tick
//	market_time_ns, market_mid         the market's mid at the tick's start:
//	                                   the observations horizons resolve on
//
// fills.csv, one row per fill:
//
//	fill_id      1, 2, ... in fill order
//	time_ns      when the fill happened: the trade's time for a resting order
//	             a trade filled, the time the book came through it, or the
//	             order's entry for a taker fill
//	side         buy (our bid filled) or sell (our ask filled)
//	price, size  of the fill
//	liquidity    maker or taker
//	queue_ahead  visible size ahead of the order at its price when it was placed (0 for taker)
//	mid          the market's mid when the venue matched the fill
//	mid_time_ns  when that mid was taken: the start of the tick that matched
//	             the fill, at most one tick interval after time_ns
//	engine_mid   the mid of the book the engine last priced on (what the bot
//	             believed; version 1 wrote it as mid)
//	inventory    position after the fill
//
// markouts.csv, one row per fill once each horizon is resolved or late (or
// at Close):
//
//	fill_id, time_ns, side, price, size, liquidity   as in fills.csv
//	mid_0                   fills.csv's mid, when taken within the tolerance
//	mid_1s, mid_5s, mid_30s the first market mid observed (quotes.csv's
//	                        market_mid) at or after time_ns + horizon, when
//	                        observed within manifest.json's
//	                        horizon_tolerance_ns of it; blank when the run
//	                        ended first or the horizon is late
//	markout_0_bps, markout_1s_bps, markout_5s_bps, markout_30s_bps
//	                        s * (mid_h - price) / price * 1e4 with s = +1 for a buy,
//	                        -1 for a sell: positive is money made against the mid;
//	                        markout_0_bps is the spread captured at the fill
//	late                    the horizons ("0", "1s", "5s", "30s", ';'-separated)
//	                        with no market mid within the tolerance (no tick
//	                        observed the market, e.g. in a feed stall): their
//	                        cells are blank, never filled from a later mid
//
// manifest.json: Manifest (version, run, symbol, clock, config hash, seed,
// first and last event time and span, the horizons and their tolerance, per file its segments
// in order and its rows written and rows rotated away, dropped events,
// whether the run closed cleanly).
//
// Do not point two Recorders at one directory, and do not call OnQuote or
// OnFill from more than one goroutine at a time (the engine calls them under
// its lock, which is what they are for).
package calibration
