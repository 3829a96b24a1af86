package edge_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/reports/edge"
)

// writeDataset writes a hand-made dataset: files maps names to contents.
func writeDataset(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const manifest = `{"version":1,"run":"hand","symbol":"BTCUSDT","clock":"simulated","config_hash":"h","seed":7,
"start_ns":0,"end_ns":40000000000,"span_ns":40000000000,"horizons_ns":[1000000000,5000000000,30000000000],
"files":{"quotes.csv":{"segments":["quotes.000001.csv","quotes.csv"],"rows":3}},"complete":true}`

const quotesHead = "time_ns,mid,fair,spread_bps,bid_price,bid_size,bid_action,ask_price,ask_size,ask_action,placed,inventory\n"

// Two fills: a maker buy of 1 at 99 (mid 100), then a taker sell of 3 at 101
// (mid 100). Mids after: buy 100, 101, 102; sell 100, 99, (not reached).
var handFiles = map[string]string{
	"manifest.json":     manifest,
	"quotes.000001.csv": quotesHead + "0,100,100,2,99,1,place,101,1,place,2,0\n",
	"quotes.csv": quotesHead + "1000000000,100,100,2,99,1,keep,101,1,replace,1,1\n" +
		"2000000000,100,100,2,99,1,place,101,1,none,0,-2\n",
	"fills.csv": "fill_id,time_ns,side,price,size,liquidity,queue_ahead,mid,inventory\n" +
		"1,0,buy,99,1,maker,3,100,1\n2,1,sell,101,3,taker,0,100,-2\n",
	"markouts.csv": "fill_id,time_ns,side,price,size,liquidity,mid_0,mid_1s,mid_5s,mid_30s,markout_0_bps,markout_1s_bps,markout_5s_bps,markout_30s_bps\n" +
		"1,0,buy,99,1,maker,100,100,101,102,0,0,0,0\n2,1,sell,101,3,taker,100,100,99,,0,0,0,\n",
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestComputeHandDataset(t *testing.T) {
	d, err := edge.Load(writeDataset(t, filepath.Join(t.TempDir(), "hand"), handFiles))
	if err != nil {
		t.Fatal(err)
	}
	r := edge.Compute(d)
	buy0, sell0 := 1e4/99, 1e4/101 // both captured 1 against the mid
	want := map[string][2]float64{
		"spread captured bps":   {float64(r.SpreadCapturedBps), (buy0*1 + sell0*3) / 4},
		"spread captured quote": {float64(r.SpreadCapturedQuote), 1*1 + 1*3},
		"markout 1s":            {float64(r.Markouts[1].Bps), (buy0 + 3*sell0) / 4},
		"markout 5s":            {float64(r.Markouts[2].Bps), (2e4/99*1 + 2e4/101*3) / 4},
		"markout 30s":           {float64(r.Markouts[3].Bps), 3e4 / 99},
		"adverse selection":     {float64(r.AdverseSelectionBps), buy0 - 3e4/99},
		"taker share":           {float64(r.TakerSharePct), 75},
		"fill ratio":            {float64(r.FillRatioPct), 4.0 / 3 * 100}, // placed: 2 (tick 1) + 1 (tick 2); tick 3 sent nothing
		"inventory max abs":     {float64(r.InventoryMaxAbs), 2},
		"inventory min":         {float64(r.InventoryMin), -2},
		"inventory max":         {float64(r.InventoryMax), 1},
	}
	for name, gw := range want {
		if !near(gw[0], gw[1]) {
			t.Errorf("%s = %g, want %g", name, gw[0], gw[1])
		}
	}
	if r.Quotes != 3 || r.Fills != 2 || r.MakerFills != 1 || r.TakerFills != 1 || r.PlacedOrders != 3 || r.Markouts[3].Fills != 1 {
		t.Errorf("counts %+v", r)
	}
}

func TestNoFillsSaysSo(t *testing.T) {
	files := map[string]string{
		"manifest.json": `{"version":1,"run":"quiet","complete":false}`,
		"quotes.csv":    quotesHead + "0,100,100,2,99,1,place,101,1,place,2,0\n",
		"fills.csv":     "fill_id,time_ns,side,price,size,liquidity,queue_ahead,mid,inventory\n",
		"markouts.csv":  "fill_id,time_ns,side,price,size,liquidity,mid_0,mid_1s,mid_5s,mid_30s,markout_0_bps,markout_1s_bps,markout_5s_bps,markout_30s_bps\n",
	}
	dir := t.TempDir()
	writeDataset(t, filepath.Join(dir, "quiet"), files)
	runs, err := edge.LoadAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := edge.Compute(runs[0])
	if r.HasFills || r.SpreadCapturedBps.OK() || r.TakerSharePct.OK() || !r.FillRatioPct.OK() || float64(r.FillRatioPct) != 0 {
		t.Errorf("no-fill run: %+v, want no markout numbers and a 0%% fill ratio", r)
	}
	md := edge.Markdown(dir, []edge.Run{r})
	for _, want := range []string{"no fills", "**incomplete**", "n/a"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	js := edge.Files(dir, []edge.Run{r})[edge.JSONFile]
	var back map[string]any
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("edge_report.json does not parse: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := edge.LoadAll(t.TempDir()); !errors.Is(err, edge.ErrNoDatasets) {
		t.Errorf("empty dir: %v, want ErrNoDatasets", err)
	}
	bad := map[string]string{}
	for k, v := range handFiles {
		bad[k] = v
	}
	bad["markouts.csv"] = "fill_id,time_ns,side\n1,0,up\n"
	_, err := edge.Load(writeDataset(t, t.TempDir(), bad))
	if err == nil || !strings.Contains(err.Error(), "markouts.csv:2") || !strings.Contains(err.Error(), "missing column price") || !strings.Contains(err.Error(), `side "up"`) {
		t.Errorf("bad markouts: %v, want every problem with file and line", err)
	}
	bad["markouts.csv"] = handFiles["markouts.csv"]
	delete(bad, "quotes.000001.csv")
	if _, err := edge.Load(writeDataset(t, t.TempDir(), bad)); err == nil || !strings.Contains(err.Error(), "quotes.000001.csv") {
		t.Errorf("missing segment: %v, want it named", err)
	}
}

func TestTornLastLineIsTolerated(t *testing.T) {
	files := map[string]string{}
	for k, v := range handFiles {
		files[k] = v
	}
	files["quotes.csv"] += "3000000000,100,1"
	d, err := edge.Load(writeDataset(t, t.TempDir(), files))
	if err != nil {
		t.Fatalf("a killed run's torn last line: %v", err)
	}
	if len(d.Quotes) != 3 {
		t.Errorf("%d quotes, want the 3 complete rows", len(d.Quotes))
	}
}

func TestWriteIsReproducible(t *testing.T) {
	d, err := edge.Load(writeDataset(t, filepath.Join(t.TempDir(), "hand"), handFiles))
	if err != nil {
		t.Fatal(err)
	}
	runs := []edge.Run{edge.Compute(d)}
	out := t.TempDir()
	paths, err := edge.Write(out, "datasets", runs)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(paths[0]) != edge.ReportFile || len(paths) != 5 {
		t.Errorf("wrote %v, want the report first, then 2 charts, the JSON and the curve", paths)
	}
	first, _ := os.ReadFile(paths[0])
	if _, err := edge.Write(out, "datasets", runs); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(paths[0])
	if string(first) != string(again) {
		t.Error("the report differs between two renders of the same data")
	}
	svg, _ := os.ReadFile(filepath.Join(out, "markout_hand.svg"))
	if !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "polyline") {
		t.Errorf("markout chart is not an SVG line chart:\n%.300s", svg)
	}
}

func TestFillRatioOverTheQuotesKept(t *testing.T) {
	files := map[string]string{}
	for k, v := range handFiles {
		files[k] = v
	}
	// The first quote segment was rotated away: only the last two quotes
	// (1 order placed, at t=1s) and the fills from t=1s on count.
	delete(files, "quotes.000001.csv")
	files["manifest.json"] = strings.Replace(manifest, `"segments":["quotes.000001.csv","quotes.csv"],"rows":3}`, `"segments":["quotes.csv"],"rows":3,"rotated_away_rows":1}`, 1)
	d, err := edge.Load(writeDataset(t, t.TempDir(), files))
	if err != nil {
		t.Fatal(err)
	}
	r := edge.Compute(d)
	if r.RotatedAway != 1 || r.PlacedVolume != 1 || !near(float64(r.FillRatioPct), 0) {
		t.Errorf("rotated %d, placed %g, fill ratio %g; want 1, 1 and 0 (both fills precede the quotes kept)", r.RotatedAway, r.PlacedVolume, float64(r.FillRatioPct))
	}
	if !near(float64(r.TakerSharePct), 75) {
		t.Errorf("taker share %g, want 75 over every fill", float64(r.TakerSharePct))
	}
}

// TestLateHorizonsAreLeftOutAndCounted: a schema-2 dataset marks horizons
// with no market mid within its tolerance late (blank cells, the late
// column); the report leaves them out of the markouts, counts them, and
// never reads a blank mid_0 as a number.
func TestLateHorizonsAreLeftOutAndCounted(t *testing.T) {
	files := map[string]string{}
	for k, v := range handFiles {
		files[k] = v
	}
	files["manifest.json"] = strings.Replace(manifest, `"version":1`, `"version":2`, 1)
	files["markouts.csv"] = "fill_id,time_ns,side,price,size,liquidity,mid_0,mid_1s,mid_5s,mid_30s,markout_0_bps,markout_1s_bps,markout_5s_bps,markout_30s_bps,late\n" +
		"1,0,buy,99,1,maker,100,,101,,,,,,1s;30s\n2,1,sell,101,3,taker,,100,,,,,,,0;5s\n"
	d, err := edge.Load(writeDataset(t, filepath.Join(t.TempDir(), "late"), files))
	if err != nil {
		t.Fatal(err)
	}
	r := edge.Compute(d)
	late := []int{r.Markouts[0].Late, r.Markouts[1].Late, r.Markouts[2].Late, r.Markouts[3].Late}
	if late[0] != 1 || late[1] != 1 || late[2] != 1 || late[3] != 1 {
		t.Errorf("late counts %v, want 1 at each horizon", late)
	}
	if r.Markouts[0].Fills != 1 || !near(float64(r.SpreadCapturedBps), 1e4/99) {
		t.Errorf("spread captured %g over %d fills, want %g over the one fill with a mid_0", float64(r.SpreadCapturedBps), r.Markouts[0].Fills, 1e4/99)
	}
	if r.Markouts[1].Fills != 1 || !near(float64(r.Markouts[1].Bps), 1e4/101) {
		t.Errorf("1s markout %g over %d fills, want %g over the sell alone", float64(r.Markouts[1].Bps), r.Markouts[1].Fills, 1e4/101)
	}
	if r.AdverseSelectionBps.OK() || r.Markouts[3].Fills != 0 {
		t.Errorf("adverse selection %g with no fill having both mid_0 and a 30s mid, want n/a", float64(r.AdverseSelectionBps))
	}
	if md := edge.Markdown("x", []edge.Run{r}); !strings.Contains(md, "| late |") || strings.Contains(md, "mids are the engine's**") {
		t.Errorf("report lacks the late column or calls schema-2 mids the engine's:\n%s", md)
	}
	files["markouts.csv"] = strings.Replace(files["markouts.csv"], ",0;5s\n", ",5s\n", 1)
	if _, err := edge.Load(writeDataset(t, filepath.Join(t.TempDir(), "bad"), files)); err == nil || !strings.Contains(err.Error(), "mid_0 blank and not listed late") {
		t.Errorf("blank mid_0 not listed late: %v, want an error", err)
	}
}
