package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/presoak/presoak/internal/csvtable"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/calibration"
	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/safety"
)

// edgeRoot is the module root.
func edgeRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := safety.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestShortRealClockRunEdgeReport: a few seconds of the engine on the real
// clock with a calibration recorder leave a dataset; presoak edge-report
// turns it into EDGE_REPORT.md, whose numbers are recomputed here from the
// CSV files independently.
func TestShortRealClockRunEdgeReport(t *testing.T) {
	root := edgeRoot(t)
	l, err := config.Load(filepath.Join(root, "fixtures/config.yaml"), filepath.Join(root, "fixtures/config.soak_overrides.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Many ticks in a short run, quoting at the touch so the few seconds of
	// market fill some orders.
	l.Config.Tick.Interval = 10 * time.Millisecond
	l.Config.AdaptiveSpread.Enabled = false
	l.Config.Quoting.BaseSpreadBps = 0.01
	opts, err := engine.Setup(l, engine.Options{Clock: clock.NewReal()})
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	rec, err := calibration.Attach(work, "shadow", l, &opts)
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(&l.Config, opts)
	if err != nil {
		rec.Close()
		t.Fatal(err)
	}
	// Three seconds, longer (up to 15 s) on a loaded machine until a few fills came.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	start := time.Now()
	for ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
		if s := e.Stats(); time.Since(start) >= 3*time.Second && s.MakerFills+s.TakerFills >= 5 {
			cancel()
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if st.MakerFills+st.TakerFills == 0 {
		t.Fatalf("no fills in %s of real clock (%d ticks): nothing to report", time.Since(start).Round(time.Second), st.Ticks)
	}

	datasets := filepath.Join(work, "artifacts", "edge", "datasets")
	out := filepath.Join(work, "artifacts", "edge", "reports")
	var stdout, stderr bytes.Buffer
	if code := runEdgeReport([]string{"-datasets", datasets, "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("edge-report exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "EDGE_REPORT.md") {
		t.Errorf("edge-report does not say where it wrote:\n%s", stdout.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "EDGE_REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Runs []struct {
			Fills               int      `json:"fills"`
			TakerSharePct       *float64 `json:"taker_share_pct"`
			FillRatioPct        *float64 `json:"fill_ratio_pct"`
			SpreadCapturedBps   *float64 `json:"spread_captured_bps"`
			InventoryMaxAbs     *float64 `json:"inventory_max_abs"`
			AdverseSelectionBps *float64 `json:"adverse_selection_bps"`
			Markouts            []struct {
				Horizon string   `json:"horizon"`
				Bps     *float64 `json:"bps"`
				Fills   int      `json:"fills"`
			} `json:"markouts"`
		} `json:"runs"`
	}
	js, err := os.ReadFile(filepath.Join(out, "edge_report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 1 {
		t.Fatalf("%d runs in the report, want 1", len(rep.Runs))
	}
	r := rep.Runs[0]

	// Independent recomputation from the CSV files.
	dir := rec.Dir()
	marks := csvRows(t, filepath.Join(dir, calibration.MarkoutsFile))
	quotes := csvRows(t, filepath.Join(dir, calibration.QuotesFile))
	var vol, taker, cap0, cap1, vol1, invMax, placedVol float64
	n1 := 0
	for _, m := range marks {
		size := pf(t, m["size"])
		px := pf(t, m["price"])
		s := 1.0
		if m["side"] == "sell" {
			s = -1
		}
		vol += size
		if m["liquidity"] == "taker" {
			taker += size
		}
		cap0 += s * (pf(t, m["mid_0"]) - px) / px * 1e4 * size
		if m["mid_1s"] != "" {
			cap1 += s * (pf(t, m["mid_1s"]) - px) / px * 1e4 * size
			vol1 += size
			n1++
		}
	}
	for _, q := range quotes {
		invMax = math.Max(invMax, math.Abs(pf(t, q["inventory"])))
		if q["placed"] != "0" {
			for _, side := range []string{"bid", "ask"} {
				if a := q[side+"_action"]; a == "place" || a == "replace" {
					placedVol += pf(t, q[side+"_size"])
				}
			}
		}
	}
	for _, f := range csvRows(t, filepath.Join(dir, calibration.FillsFile)) {
		invMax = math.Max(invMax, math.Abs(pf(t, f["inventory"])))
	}
	if r.Fills != len(marks) || uint64(len(marks)) != st.MakerFills+st.TakerFills {
		t.Errorf("report says %d fills, markouts.csv has %d, the engine made %d", r.Fills, len(marks), st.MakerFills+st.TakerFills)
	}
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: report %v, recomputed from the CSV %g", name, deref(got), want)
		}
	}
	check("taker share", r.TakerSharePct, taker/vol*100)
	check("spread captured", r.SpreadCapturedBps, cap0/vol)
	check("fill ratio", r.FillRatioPct, vol/placedVol*100)
	check("inventory max abs", r.InventoryMaxAbs, invMax)
	if n1 > 0 {
		check("markout 1s", r.Markouts[1].Bps, cap1/vol1)
	}
	if r.Markouts[1].Fills != n1 {
		t.Errorf("1s markout over %d fills, %d reached it in the CSV", r.Markouts[1].Fills, n1)
	}
	if r.AdverseSelectionBps != nil {
		t.Errorf("adverse selection %v in a 3 s run: no fill can have a 30 s mid", *r.AdverseSelectionBps)
	}
	for _, want := range []string{"# Edge report", "spread captured", "markout_", ".svg", strconv.Itoa(r.Fills)} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("EDGE_REPORT.md lacks %q", want)
		}
	}
}

func TestEdgeReportWithoutDatasets(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runEdgeReport([]string{"-datasets", t.TempDir(), "-out", t.TempDir()}, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d with no datasets, want 1", code)
	}
	if !strings.Contains(stderr.String(), "no calibration datasets") {
		t.Errorf("stderr %q does not say why", stderr.String())
	}
}

func deref(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

func csvRows(t *testing.T, path string) []map[string]string {
	t.Helper()
	rows, err := csvtable.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func pf(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}
