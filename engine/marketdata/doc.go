// Package marketdata is the reference engine's market data: order books and
// trades of one symbol, from a recording or from a seeded synthetic market,
// delivered as a Feed that the engine advances on its clock.
//
// # Feeds
//
//   - (*Recording).Replay: a pre-parsed recording (Load or Generate);
//     AdvanceTo never allocates.
//   - OpenStream: replay straight from the CSV, parsing rows as they are
//     needed, without allocating per row; verifies the sha256 and row count
//     when it reaches the end (Err reports a problem; Done is then true).
//   - NewSynthetic: the seeded synthetic market, endless, allocation-free in
//     steady state (for 24-72 h soaks that need no file).
//
// A Feed's book and trades are only valid until the next AdvanceTo: copy
// what you keep. A Feed is not safe for concurrent use; replays are cheap,
// take one per goroutine.
//
// # Recording format (version 1)
//
// A recording is two files: name.csv and name.manifest.json.
//
// The CSV is UTF-8 text, "\n" line ends ("\r\n" accepted), no quoting. Line 1
// is the header, exactly
//
//	time_ns,kind,side,price,size
//
// and every other line is one row of five columns:
//
//   - time_ns: Unix time in nanoseconds, decimal digits, non-decreasing from
//     row to row and within the manifest's [start_ns, end_ns].
//   - kind: S (book snapshot level), D (book diff: a level update) or T (trade).
//   - side: bid or ask for S and D rows; buy or sell (the aggressor) for T rows.
//   - price: a positive decimal (digits, optional point and digits; no sign,
//     no exponent), a multiple of the manifest's tick_size.
//   - size: a decimal, a multiple of lot_size; never negative; positive for S
//     and T rows; 0 in a D row removes the level.
//
// A maximal run of consecutive S rows with the same time_ns is one snapshot:
// it replaces the whole book. A D row sets one level's size. T rows do not
// change the book: the venue's diffs that follow a trade do. A book keeps the
// best MaxDepth levels per side; a level pushed beyond them is forgotten,
// removing an absent level is a no-op. After the last row of each time_ns
// the book must not be crossed or locked (best bid >= best ask). A feed
// applies every row with time_ns <= t when advanced to t.
//
// Example:
//
//	time_ns,kind,side,price,size
//	1767225600000000000,S,bid,97000.4,0.311
//	1767225600000000000,S,ask,97000.5,0.402
//	1767225600031000000,T,buy,97000.5,0.020
//	1767225600031000000,D,ask,97000.5,0.382
//	1767225600052000000,D,bid,97000.4,0
//
// The manifest is a JSON object (unknown keys are errors):
//
//	{
//	  "format_version": 1,          // FormatVersion
//	  "symbol": "BTCUSDT",
//	  "tick_size": 0.1,             // price increment, at most 9 decimals
//	  "lot_size": 0.001,            // size increment, at most 9 decimals
//	  "start_ns": 1767225600000000000,
//	  "end_ns": 1767225900000000000, // inclusive bounds of every row's time_ns
//	  "rows": 12345,                // data rows, header not counted
//	  "csv": "btcusdt-5m.csv",      // data file, next to the manifest
//	  "sha256": "…",                // hex sha256 of the CSV's bytes
//	  "seed": 42,                   // generator seed (0 for a venue capture)
//	  "generator": "presoak-synthetic/4 …" // what produced it, with its options
//	}
//
// Load verifies the sha256 and the row count against the manifest and rejects
// a malformed row with a *ParseError naming file:line and the column (bad
// number, time going backwards or outside the span, unknown kind, bad side,
// wrong column count, negative or zero size, price off tick, size off lot,
// crossed book). Parsing never panics (FuzzParse).
//
// # How not to use it
//
// Do not keep the *Book or []Trade a Feed returns across AdvanceTo calls, do
// not use floats from a Book as map keys for price levels (work in ticks:
// Event), and do not treat the synthetic market as a model of any real
// venue's microstructure: it is a stylized, seeded generator for load and
// behaviour tests (see generator.go for its model).
package marketdata
