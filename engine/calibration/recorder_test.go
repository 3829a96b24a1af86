package calibration_test

import (
	"github.com/presoak/presoak/internal/csvtable"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/calibration"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/marketdata"
)

func testConfig() *config.Config {
	return &config.Config{
		Symbols:        []string{"BTCUSDT"},
		Tick:           config.TickConfig{Interval: 100 * time.Millisecond, Deadline: 150 * time.Millisecond},
		Pipeline:       config.PipelineConfig{Enabled: true},
		MDCache:        config.MDCacheConfig{Enabled: true, TTL: 100 * time.Millisecond, Capacity: 64},
		TakerCap:       config.TakerCapConfig{MaxTakerSharePct: 9, Window: 5 * time.Minute},
		AdaptiveSpread: config.AdaptiveSpreadConfig{Enabled: true, MinSpreadBps: 2, MaxSpreadBps: 25, VolHalfLife: 30 * time.Second, VolMultiplier: 1.5},
		QueueAware:     config.QueueAwareConfig{Enabled: true, MaxQueueAheadLots: 50, RequoteThresholdBps: 0.5},
		Quoting:        config.QuotingConfig{FairValue: "microprice", BaseSpreadBps: 6, OrderSize: 0.01, InventorySkewBps: 1.5},
		Risk:           config.RiskConfig{MaxInventory: 0.5, MaxOrderSize: 0.05},
		Venue:          config.VenueConfig{Name: "sim", Seed: 42},
	}
}

// runSim records span of the simulated engine into a fresh dataset dir.
func runSim(t *testing.T, span time.Duration, o calibration.Options) (string, engine.Stats) {
	t.Helper()
	if o.Dir == "" {
		o.Dir = filepath.Join(t.TempDir(), "sim-run")
	}
	rec, err := calibration.New(o)
	if err != nil {
		t.Fatal(err)
	}
	feed := marketdata.NewSynthetic(marketdata.SyntheticOptions{Seed: 7, StartPrice: 10000})
	e, err := engine.New(testConfig(), engine.Options{Feed: feed, Observer: rec})
	if err != nil {
		rec.Close()
		t.Fatal(err)
	}
	e.RunFor(span)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	return o.Dir, e.Stats()
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	rows, err := csvtable.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func TestDatasetMatchesTheEngine(t *testing.T) {
	dir, st := runSim(t, 20*time.Minute, calibration.Options{ConfigHash: "abc", Seed: 42, Clock: "simulated", Symbol: "BTCUSDT"})
	m, err := calibration.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Complete || m.Version != calibration.SchemaVersion || m.ConfigHash != "abc" || m.Seed != 42 || m.DroppedEvents != 0 {
		t.Errorf("manifest %+v: want complete, version %d, hash abc, seed 42, nothing dropped", m, calibration.SchemaVersion)
	}
	if m.SpanNs < int64(19*time.Minute) || m.SpanNs != m.EndNs-m.StartNs {
		t.Errorf("span %v (start %d end %d), want ~20m", time.Duration(m.SpanNs), m.StartNs, m.EndNs)
	}
	quotes := readCSV(t, filepath.Join(dir, calibration.QuotesFile))
	fills := readCSV(t, filepath.Join(dir, calibration.FillsFile))
	marks := readCSV(t, filepath.Join(dir, calibration.MarkoutsFile))
	if got := m.Files[calibration.QuotesFile].Rows; got != int64(len(quotes)) {
		t.Errorf("manifest says %d quote rows, file has %d", got, len(quotes))
	}
	if uint64(len(fills)) != st.MakerFills+st.TakerFills || len(fills) == 0 {
		t.Fatalf("%d fill rows, engine made %d maker + %d taker fills", len(fills), st.MakerFills, st.TakerFills)
	}
	if len(marks) != len(fills) {
		t.Fatalf("%d markout rows for %d fills, want one each", len(marks), len(fills))
	}
	var maker, placed float64
	for _, f := range fills {
		if f["liquidity"] == "maker" {
			maker += num(t, f["size"])
		}
	}
	for _, q := range quotes {
		placed += num(t, q["placed"])
	}
	if math.Abs(maker-st.MakerVolume) > 1e-9 || placed != float64(st.OrdersPlaced) {
		t.Errorf("maker volume %g, placed %g; engine says %g, %d", maker, placed, st.MakerVolume, st.OrdersPlaced)
	}
	// Every markout recomputed from quotes.csv: the first market mid
	// observed at or after the fill's time plus the horizon, when it was
	// observed within the tolerance (else the horizon is late: blank).
	horizon := map[string]time.Duration{"mid_1s": time.Second, "mid_5s": 5 * time.Second, "mid_30s": 30 * time.Second}
	qt := make([]int64, len(quotes))
	for i, q := range quotes {
		qt[i] = int64(num(t, q["market_time_ns"]))
	}
	checked := 0
	for _, mk := range marks {
		ft := int64(num(t, mk["time_ns"]))
		for col, d := range horizon {
			want := ""
			if i := sort.Search(len(qt), func(i int) bool { return qt[i] >= ft+int64(d) }); i < len(qt) && qt[i]-ft-int64(d) <= m.HorizonToleranceNs {
				want = quotes[i]["market_mid"]
			}
			if mk[col] != want {
				t.Fatalf("fill %s %s = %q, want %q (first market mid at or after +%v, within %v)", mk["fill_id"], col, mk[col], want, d, time.Duration(m.HorizonToleranceNs))
			}
			if want != "" {
				checked++
				side := 1.0
				if mk["side"] == "sell" {
					side = -1
				}
				px := num(t, mk["price"])
				wantBps := side * (num(t, want) - px) / px * 1e4
				bcol := "markout_" + col[len("mid_"):] + "_bps"
				if got := num(t, mk[bcol]); math.Abs(got-wantBps) > 1e-9 {
					t.Fatalf("fill %s %s = %g, want %g", mk["fill_id"], bcol, got, wantBps)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no markout horizon was reached in 20 minutes")
	}
}

func TestRotationBoundsTheDataset(t *testing.T) {
	dir, _ := runSim(t, 10*time.Minute, calibration.Options{MaxFileBytes: 8 << 10, MaxSegments: 2})
	m, err := calibration.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	q := m.Files[calibration.QuotesFile]
	if len(q.Segments) != 3 || q.RotatedAwayRows == 0 {
		t.Fatalf("quotes segments %v, rotated away %d rows: want 2 rotated + the live file, some rows rotated away", q.Segments, q.RotatedAwayRows)
	}
	var onDisk int64
	for _, s := range q.Segments {
		fi, err := os.Stat(filepath.Join(dir, s))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 8<<10+512 {
			t.Errorf("%s is %d bytes, want about 8 KiB at most", s, fi.Size())
		}
		onDisk += int64(len(readCSV(t, filepath.Join(dir, s))))
	}
	if onDisk+q.RotatedAwayRows != q.Rows {
		t.Errorf("rows on disk %d + rotated away %d != written %d", onDisk, q.RotatedAwayRows, q.Rows)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) > 3*3+1 {
		t.Errorf("%d files in the dataset, want at most 10", len(entries))
	}
}

func TestInterruptedRunKeepsWhatItCollected(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "live")
	rec, err := calibration.New(calibration.Options{Dir: dir, FlushEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	for i := range 50 {
		rec.OnQuote(engine.QuoteEvent{TimeNs: int64(i) * 1e8, Mid: 100, BidPrice: 99.9, AskPrice: 100.1})
	}
	rec.OnFill(engine.FillEvent{TimeNs: 1e8, Side: 1, Price: 99.9, Size: 0.01, Mid: 100})
	deadline := time.Now().Add(5 * time.Second)
	for {
		m, err := calibration.ReadManifest(dir)
		if err == nil && m.Files[calibration.QuotesFile].Rows == 50 && m.Files[calibration.FillsFile].Rows == 1 {
			if m.Complete {
				t.Fatal("manifest complete before Close")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rows not flushed while running: manifest %+v, %v", m, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := len(readCSV(t, filepath.Join(dir, calibration.QuotesFile))); got != 50 {
		t.Errorf("quotes.csv has %d rows on disk before Close, want 50", got)
	}
}

func TestObserverCallsDoNotAllocate(t *testing.T) {
	rec, err := calibration.New(calibration.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	q := engine.QuoteEvent{TimeNs: 1, Mid: 100}
	f := engine.FillEvent{TimeNs: 1, Side: -1, Price: 100, Size: 1}
	if n := testing.AllocsPerRun(1000, func() { rec.OnQuote(q); rec.OnFill(f) }); n != 0 {
		t.Errorf("OnQuote+OnFill allocate %.1f times, want 0", n)
	}
}

func TestFullBufferDropsAndCounts(t *testing.T) {
	dir := t.TempDir()
	rec, err := calibration.New(calibration.Options{Dir: dir, Buffer: 1, FlushEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10000 {
		rec.OnQuote(engine.QuoteEvent{TimeNs: int64(i), Mid: 100})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := calibration.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := int64(m.DroppedEvents) + m.Files[calibration.QuotesFile].Rows; got != 10000 {
		t.Errorf("dropped %d + written %d = %d, want 10000", m.DroppedEvents, m.Files[calibration.QuotesFile].Rows, got)
	}
}

func TestNewFailsOnABadDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := calibration.New(calibration.Options{Dir: filepath.Join(file, "sub")}); err == nil {
		t.Fatal("New under a regular file succeeded, want an error")
	}
	if _, err := calibration.New(calibration.Options{}); err == nil {
		t.Fatal("New without a directory succeeded, want an error")
	}
}

func TestAttachNamesTheRunAndRecords(t *testing.T) {
	root := t.TempDir()
	l := &config.Loaded{Config: *testConfig()}
	var opts engine.Options
	rec, err := calibration.Attach(root, "soak", l, &opts)
	if err != nil {
		t.Fatal(err)
	}
	rec2, err := calibration.Attach(root, "soak", l, &engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rec2.Dir() == rec.Dir() {
		t.Errorf("two runs in one second share %s", rec.Dir())
	}
	rec2.Close()
	if opts.Observer != rec {
		t.Fatal("Attach did not set opts.Observer")
	}
	opts.Feed = marketdata.NewSynthetic(marketdata.SyntheticOptions{Seed: 7, StartPrice: 10000})
	e, err := engine.New(&l.Config, opts)
	if err != nil {
		t.Fatal(err)
	}
	e.RunFor(time.Minute)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(rec.Dir()) != filepath.Join(root, "artifacts", "edge", "datasets") {
		t.Errorf("dataset at %s, want under artifacts/edge/datasets", rec.Dir())
	}
	m, err := calibration.ReadManifest(rec.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if m.Seed != 42 || m.Symbol != "BTCUSDT" || m.Clock != "simulated" || m.ConfigHash != l.Hash() || m.Files[calibration.QuotesFile].Rows == 0 {
		t.Errorf("manifest %+v: want seed 42, BTCUSDT, simulated, the config's hash and quotes", m)
	}
}

func TestBlockKeepsEveryEvent(t *testing.T) {
	dir := t.TempDir()
	rec, err := calibration.New(calibration.Options{Dir: dir, Buffer: 1, Block: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10000 {
		rec.OnQuote(engine.QuoteEvent{TimeNs: int64(i), Mid: 100})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := calibration.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.DroppedEvents != 0 || m.Files[calibration.QuotesFile].Rows != 10000 {
		t.Errorf("dropped %d, wrote %d; want 0 and 10000", m.DroppedEvents, m.Files[calibration.QuotesFile].Rows)
	}
	rec.OnQuote(engine.QuoteEvent{}) // after Close: dropped, never stuck
}
