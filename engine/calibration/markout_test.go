package calibration_test

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/calibration"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/marketdata"
)

// marketMids replays rec and returns the mid of the book as of each time in
// ts (any order): the market's mid, independently of the engine.
func marketMids(rec *marketdata.Recording, ts []int64) map[int64]float64 {
	sorted := append([]int64(nil), ts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	feed := rec.Replay()
	out := map[int64]float64{}
	for _, t := range sorted {
		b, _ := feed.AdvanceTo(t)
		if b != nil && len(b.Bids) > 0 && len(b.Asks) > 0 {
			out[t] = (b.Bids[0].Price + b.Asks[0].Price) / 2
		}
	}
	return out
}

// recordRecording runs the test config over rec (simulated clock, clock time
// = market time) with a recorder and returns the dataset directory.
func recordRecording(t *testing.T, rec *marketdata.Recording, span time.Duration, plan *fault.Plan) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	r, err := calibration.New(calibration.Options{Dir: dir, Block: true})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(testConfig(), engine.Options{Feed: rec.Replay(), StartNs: rec.Manifest.StartNs, Observer: r, Faults: plan})
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	e.RunFor(span)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func side(m map[string]string) float64 {
	if m["side"] == "sell" {
		return -1
	}
	return 1
}

// TestMarkoutAtTheFillIsAgainstTheMarketMid: mid_0 is the market's mid at
// the fill (the venue's book at the tick that matched it, at most one tick
// interval after the fill: fills.csv's mid_time_ns), not the mid of the
// book the engine last priced on (with the pipeline and the cache, a book
// up to two intervals old). The review measured the mean maker markout_0
// at +0.90 bps against the engine's mid and -0.35 bps against the market's:
// the sign flips, and EDGE_REPORT's spread captured and adverse selection
// with it.
func TestMarkoutAtTheFillIsAgainstTheMarketMid(t *testing.T) {
	t.Parallel()
	rec, err := marketdata.Generate(marketdata.SyntheticOptions{Seed: 7, StartPrice: 10000}, 20*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	interval := testConfig().Tick.Interval
	dir := recordRecording(t, rec, 20*time.Minute, nil)
	marks := readCSV(t, filepath.Join(dir, calibration.MarkoutsFile))
	fills := readCSV(t, filepath.Join(dir, calibration.FillsFile))
	if len(marks) != len(fills) {
		t.Fatalf("%d markouts for %d fills", len(marks), len(fills))
	}
	var at, fillAt []int64
	for _, f := range fills {
		at = append(at, int64(num(t, f["mid_time_ns"])))
		fillAt = append(fillAt, int64(num(t, f["time_ns"])))
	}
	market, exact := marketMids(rec, at), marketMids(rec, fillAt)
	var got, want, atFill, engineMid, vol float64
	for i, m := range marks {
		f := fills[i]
		if lag := time.Duration(at[i] - fillAt[i]); lag < -interval || lag > interval {
			t.Errorf("fill %s: market mid taken %v after the fill, want within one tick interval (%v)", f["fill_id"], lag, interval)
		}
		lm, ok := market[at[i]]
		if !ok || m["mid_0"] == "" {
			t.Errorf("fill %s: mid_0 %q, market mid at %d: %v (ok %v); want both", f["fill_id"], m["mid_0"], at[i], lm, ok)
			continue
		}
		if mid := num(t, m["mid_0"]); mid != lm {
			t.Errorf("fill %s: mid_0 %v, want the market's mid at mid_time_ns %v", f["fill_id"], mid, lm)
		}
		if m["liquidity"] != "maker" {
			continue
		}
		px, size, s := num(t, m["price"]), num(t, m["size"]), side(m)
		got += num(t, m["markout_0_bps"]) * size
		want += s * (lm - px) / px * 1e4 * size
		atFill += s * (exact[fillAt[i]] - px) / px * 1e4 * size
		engineMid += s * (num(t, f["engine_mid"]) - px) / px * 1e4 * size
		vol += size
	}
	if vol == 0 {
		t.Fatal("no maker fills in 20 minutes")
	}
	got, want, atFill, engineMid = got/vol, want/vol, atFill/vol, engineMid/vol
	t.Logf("mean maker markout_0: dataset %+.3f bps; market mid at the matching tick %+.3f, at the fill's exact time %+.3f; the engine's priced mid %+.3f",
		got, want, atFill, engineMid)
	if d := got - want; d > 1e-9 || d < -1e-9 {
		t.Errorf("mean maker markout_0 %+.3f bps, want the market's %+.3f bps", got, want)
	}
	if got >= 0 || engineMid <= 0 {
		t.Errorf("mean maker markout_0 %+.3f bps against the market, %+.3f against the engine's mid: want the market's negative, as measured (the engine's stale mid made it look positive)", got, engineMid)
	}
}

// TestHorizonsAreNeverSilentlyLate: during a 60 s feed stall the engine
// quotes nothing, so no market mid is observed; a horizon that falls in it
// used to be resolved by the first mid after the stall (a "1 s" markout
// taken 61.4 s late). Every horizon's mid must come from an observation
// within the manifest's tolerance of fill time + horizon; one that cannot
// is listed in the late column, its cells blank.
func TestHorizonsAreNeverSilentlyLate(t *testing.T) {
	t.Parallel()
	rec, err := marketdata.Generate(marketdata.SyntheticOptions{Seed: 7, StartPrice: 10000}, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	plan := &fault.Plan{Faults: []fault.Fault{{Kind: fault.FeedStall, Start: 5 * time.Minute, Duration: time.Minute, Magnitude: 50}}}
	dir := recordRecording(t, rec, 10*time.Minute, plan)
	m, err := calibration.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	tol := m.HorizonToleranceNs
	quotes := readCSV(t, filepath.Join(dir, calibration.QuotesFile))
	timeCol, midCol := "market_time_ns", "market_mid"
	if _, ok := quotes[0][timeCol]; !ok { // schema 1: the engine's mid after submit
		timeCol, midCol = "time_ns", "mid"
	}
	var qt []int64
	for _, q := range quotes {
		qt = append(qt, int64(num(t, q[timeCol])))
	}
	var worst time.Duration
	late := 0
	for _, mk := range readCSV(t, filepath.Join(dir, calibration.MarkoutsFile)) {
		ft := int64(num(t, mk["time_ns"]))
		lateSet := map[string]bool{}
		for _, h := range strings.Split(mk["late"], ";") {
			lateSet[h] = h != ""
		}
		for _, h := range []string{"1s", "5s", "30s"} {
			d, _ := time.ParseDuration(h)
			target := ft + int64(d)
			if lateSet[h] {
				late++
				if mk["mid_"+h] != "" || mk["markout_"+h+"_bps"] != "" {
					t.Errorf("fill %s: horizon %s marked late but has a mid %q", mk["fill_id"], h, mk["mid_"+h])
				}
				continue
			}
			if mk["mid_"+h] == "" {
				continue // the run ended first
			}
			i := sort.Search(len(qt), func(i int) bool { return qt[i] >= target })
			if i == len(qt) {
				t.Fatalf("fill %s: mid_%s %s with no observation after +%s", mk["fill_id"], h, mk["mid_"+h], h)
			}
			lag := time.Duration(qt[i] - target)
			worst = max(worst, lag)
			if tol == 0 || int64(lag) > tol {
				t.Errorf("fill %s: mid_%s taken %v after fill + %s, want within the tolerance %v", mk["fill_id"], h, lag, h, time.Duration(tol))
			}
			if got, want := mk["mid_"+h], quotes[i][midCol]; got != want {
				t.Errorf("fill %s: mid_%s = %s, want the first market mid observed at or after +%s: %s", mk["fill_id"], h, got, h, want)
			}
		}
	}
	t.Logf("worst horizon lag %v, %d horizons marked late (tolerance %v)", worst, late, time.Duration(tol))
	if late == 0 {
		t.Error("no horizon marked late across a 60 s feed stall")
	}
}
