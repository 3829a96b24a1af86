package edge

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The dataset files (engine/calibration's names; reports never import the engine).
const (
	quotesFile   = "quotes.csv"
	fillsFile    = "fills.csv"
	markoutsFile = "markouts.csv"
	manifestFile = "manifest.json"
)

// Manifest is the part of a dataset's manifest.json the report uses.
type Manifest struct {
	Version       int                 `json:"version"`
	Run           string              `json:"run"`
	Symbol        string              `json:"symbol"`
	Clock         string              `json:"clock"`
	ConfigHash    string              `json:"config_hash"`
	Seed          int64               `json:"seed"`
	StartNs       int64               `json:"start_ns"`
	EndNs         int64               `json:"end_ns"`
	SpanNs        int64               `json:"span_ns"`
	HorizonsNs    []int64             `json:"horizons_ns"`
	Files         map[string]fileInfo `json:"files"`
	DroppedEvents uint64              `json:"dropped_events"`
	Complete      bool                `json:"complete"`
}

type fileInfo struct {
	Segments        []string `json:"segments"`
	Rows            int64    `json:"rows"`
	RotatedAwayRows int64    `json:"rotated_away_rows"`
}

// Quote is a quotes.csv row (the columns the report uses).
type Quote struct {
	TimeNs               int64
	Mid                  float64
	BidSize, AskSize     float64
	BidAction, AskAction string
	Placed               int
	Inventory            float64
}

// Fill is a markouts.csv row: a fill and the mids after it.
type Fill struct {
	ID     int64
	TimeNs int64
	Side   float64 // +1 buy, -1 sell
	Price  float64
	Size   float64
	Taker  bool
	Mid0   float64   // NaN when blank (late: no market mid within the tolerance)
	Mids   []float64 // at the manifest's horizons; NaN where not reached or late
	// Late0 and Late say which of mid_0 and the horizons are late (the
	// dataset's late column, schema 2): no market mid was observed within
	// the manifest's tolerance, so the cell is blank.
	Late0     bool
	Late      []bool
	Inventory float64 // from fills.csv; NaN when the fill row is missing
}

// Dataset is one run's data.
type Dataset struct {
	Dir      string
	Manifest Manifest
	Quotes   []Quote
	Fills    []Fill
}

// ErrNoDatasets: the directory holds no dataset.
var ErrNoDatasets = errors.New("no calibration datasets")

// LoadAll loads dir when it is a dataset, else every dataset directly under
// it, in name order.
func LoadAll(dir string) ([]*Dataset, error) {
	if _, err := os.Stat(filepath.Join(dir, manifestFile)); err == nil {
		d, err := Load(dir)
		if err != nil {
			return nil, err
		}
		return []*Dataset{d}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load datasets: %w", err)
	}
	var out []*Dataset
	var errs []error
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(sub, manifestFile)); err != nil {
			continue
		}
		d, err := Load(sub)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, d)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("load datasets: %w under %s (a dataset is a directory with manifest.json; shadow and soak runs with a calibration recorder write them to artifacts/edge/datasets/<run>/)", ErrNoDatasets, dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	return out, nil
}

// Load reads one dataset directory: its manifest and every segment of its
// files, oldest first.
func Load(dir string) (*Dataset, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, fmt.Errorf("load dataset: %w", err)
	}
	d := &Dataset{Dir: dir}
	if err := json.Unmarshal(b, &d.Manifest); err != nil {
		return nil, fmt.Errorf("load dataset %s: manifest: %w", dir, err)
	}
	if d.Manifest.Run == "" {
		d.Manifest.Run = filepath.Base(dir)
	}
	var errs []error
	inv := map[int64]float64{}
	err = d.each(fillsFile, func(r row) error {
		id, err := r.int("fill_id")
		if err != nil {
			return err
		}
		v, err := r.float("inventory")
		inv[id] = v
		return err
	})
	errs = append(errs, err)
	errs = append(errs, d.each(quotesFile, func(r row) error {
		q, err := parseQuote(r)
		d.Quotes = append(d.Quotes, q)
		return err
	}))
	errs = append(errs, d.each(markoutsFile, func(r row) error {
		f, err := parseFill(r, len(d.Manifest.HorizonsNs))
		if v, ok := inv[f.ID]; ok {
			f.Inventory = v
		} else {
			f.Inventory = nan
		}
		d.Fills = append(d.Fills, f)
		return err
	}))
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load dataset %s: %w", dir, err)
	}
	sort.SliceStable(d.Fills, func(i, j int) bool { return d.Fills[i].ID < d.Fills[j].ID })
	return d, nil
}

// segments is the file's segments, oldest first.
func (d *Dataset) segments(name string) []string {
	if fi, ok := d.Manifest.Files[name]; ok && len(fi.Segments) > 0 {
		return fi.Segments
	}
	return []string{name}
}

// each calls fn for every data row of every segment of name.
func (d *Dataset) each(name string, fn func(row) error) error {
	for _, seg := range d.segments(name) {
		f, err := os.Open(filepath.Join(d.Dir, seg))
		if err != nil {
			return fmt.Errorf("read %s: %w", seg, err)
		}
		err = eachRow(f, seg, fn)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func eachRow(r io.Reader, name string, fn func(row) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read %s: header: %w", name, err)
	}
	cols := map[string]int{}
	for i, h := range head {
		cols[h] = i
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount && cr.InputOffset() > 0 {
				// A torn last line of a killed run: keep what came before.
				if _, next := cr.Read(); errors.Is(next, io.EOF) {
					return nil
				}
			}
			return fmt.Errorf("read %s: %w", name, err)
		}
		if err := fn(row{cols: cols, rec: rec}); err != nil {
			return fmt.Errorf("read %s:%d: %w", name, line, err)
		}
	}
}

// row is one CSV record addressed by column name.
type row struct {
	cols map[string]int
	rec  []string
}

var errMissing = errors.New("missing column")

func (r row) str(col string) (string, error) {
	i, ok := r.cols[col]
	if !ok || i >= len(r.rec) {
		return "", fmt.Errorf("%w %s", errMissing, col)
	}
	return r.rec[i], nil
}

func (r row) float(col string) (float64, error) {
	s, err := r.str(col)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", col, err)
	}
	return v, nil
}

// optFloat is NaN for a blank cell.
func (r row) optFloat(col string) (float64, error) {
	if s, err := r.str(col); err != nil || s == "" {
		return nan, err
	}
	return r.float(col)
}

func (r row) int(col string) (int64, error) {
	s, err := r.str(col)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", col, err)
	}
	return v, nil
}

func parseQuote(r row) (Quote, error) {
	var q Quote
	var errs [8]error
	q.TimeNs, errs[0] = r.int("time_ns")
	q.Mid, errs[1] = r.float("mid")
	q.BidSize, errs[2] = r.float("bid_size")
	q.AskSize, errs[3] = r.float("ask_size")
	q.BidAction, errs[4] = r.str("bid_action")
	q.AskAction, errs[5] = r.str("ask_action")
	var placed int64
	placed, errs[6] = r.int("placed")
	q.Placed = int(placed)
	q.Inventory, errs[7] = r.float("inventory")
	return q, errors.Join(errs[:]...)
}

// horizonCols are markouts.csv's mid columns after mid_0, in horizon order.
var horizonCols = []string{"mid_1s", "mid_5s", "mid_30s"}

func parseFill(r row, horizons int) (Fill, error) {
	var f Fill
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	var err error
	f.ID, err = r.int("fill_id")
	add(err)
	f.TimeNs, err = r.int("time_ns")
	add(err)
	side, err := r.str("side")
	add(err)
	switch side {
	case "buy":
		f.Side = 1
	case "sell":
		f.Side = -1
	default:
		add(fmt.Errorf("side %q, want buy or sell", side))
	}
	f.Price, err = r.float("price")
	add(err)
	f.Size, err = r.float("size")
	add(err)
	liq, err := r.str("liquidity")
	add(err)
	f.Taker = liq == "taker"
	f.Mid0, err = r.optFloat("mid_0")
	add(err)
	if horizons == 0 {
		horizons = len(horizonCols)
	}
	late := map[string]bool{}
	if _, ok := r.cols["late"]; ok { // schema 2
		s, _ := r.str("late")
		for _, h := range strings.Split(s, ";") {
			switch h {
			case "":
			case "0", "1s", "5s", "30s":
				late[h] = true
			default:
				add(fmt.Errorf("late %q: want horizons 0, 1s, 5s, 30s separated by ';'", s))
			}
		}
	}
	f.Late0 = late["0"]
	if math.IsNaN(f.Mid0) && !f.Late0 {
		add(fmt.Errorf("mid_0 blank and not listed late"))
	}
	for _, col := range horizonCols[:min(horizons, len(horizonCols))] {
		v, err := r.optFloat(col)
		add(err)
		f.Mids = append(f.Mids, v)
		f.Late = append(f.Late, late[strings.TrimPrefix(col, "mid_")])
	}
	return f, errors.Join(errs...)
}
