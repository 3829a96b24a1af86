package calibration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SchemaVersion is the datasets' schema version (see the package doc).
const SchemaVersion = 2

// The files of a dataset directory.
const (
	QuotesFile   = "quotes.csv"
	FillsFile    = "fills.csv"
	MarkoutsFile = "markouts.csv"
	ManifestFile = "manifest.json"
)

// Horizons are the markout horizons after each fill.
var Horizons = [3]time.Duration{time.Second, 5 * time.Second, 30 * time.Second}

// HorizonNames are the horizons as the late column and the headers name
// them: "0" (at the fill) and then Horizons.
var HorizonNames = [len(Horizons) + 1]string{"0", "1s", "5s", "30s"}

// DefaultHorizonTolerance is how late after fill time + horizon a market
// mid may be observed and still resolve the horizon (Options.HorizonTolerance).
const DefaultHorizonTolerance = 250 * time.Millisecond

// The CSV headers, in column order.
var (
	QuotesHeader   = []string{"time_ns", "mid", "fair", "spread_bps", "bid_price", "bid_size", "bid_action", "ask_price", "ask_size", "ask_action", "placed", "inventory", "market_time_ns", "market_mid"}
	FillsHeader    = []string{"fill_id", "time_ns", "side", "price", "size", "liquidity", "queue_ahead", "mid", "mid_time_ns", "engine_mid", "inventory"}
	MarkoutsHeader = []string{"fill_id", "time_ns", "side", "price", "size", "liquidity", "mid_0", "mid_1s", "mid_5s", "mid_30s", "markout_0_bps", "markout_1s_bps", "markout_5s_bps", "markout_30s_bps", "late"}
)

// Manifest is manifest.json.
type Manifest struct {
	Version int    `json:"version"`
	Run     string `json:"run"`
	Symbol  string `json:"symbol,omitempty"`
	// Clock is "real" or "simulated".
	Clock      string `json:"clock,omitempty"`
	ConfigHash string `json:"config_hash"`
	Seed       int64  `json:"seed"`
	// StartNs and EndNs are the first and last event's engine time; SpanNs
	// their difference.
	StartNs int64 `json:"start_ns"`
	EndNs   int64 `json:"end_ns"`
	SpanNs  int64 `json:"span_ns"`
	// HorizonsNs are the markout horizons; HorizonToleranceNs how late a
	// market mid may be observed after fill time + horizon and still
	// resolve it (later: the horizon is late).
	HorizonsNs         []int64 `json:"horizons_ns"`
	HorizonToleranceNs int64   `json:"horizon_tolerance_ns"`
	// Files are quotes, fills and markouts.
	Files map[string]FileInfo `json:"files"`
	// DroppedEvents counts events lost to a full buffer.
	DroppedEvents uint64 `json:"dropped_events"`
	// Complete is true once the recorder closed cleanly; false while the
	// run goes on or when it was killed.
	Complete bool      `json:"complete"`
	Updated  time.Time `json:"updated"`
}

// FileInfo is one CSV file's segments.
type FileInfo struct {
	// Segments are the file names, oldest first; the last is the live file.
	Segments []string `json:"segments"`
	// Rows counts the data rows written; RotatedAwayRows those in segments
	// deleted by rotation (no longer on disk).
	Rows            int64 `json:"rows"`
	RotatedAwayRows int64 `json:"rotated_away_rows"`
}

// ReadManifest reads dir's manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("read dataset manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read dataset manifest %s: %w", dir, err)
	}
	return &m, nil
}
