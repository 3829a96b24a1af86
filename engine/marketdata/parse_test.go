package marketdata

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the manifests of testdata/bad from their CSVs")

// TestLoadRejectsBadRecordings loads each bad recording under testdata/bad
// and checks the error: its sentinel, and for row errors file:line and column.
func TestLoadRejectsBadRecordings(t *testing.T) {
	tests := []struct {
		name   string
		want   error
		line   int
		column string
		tweak  func(*Manifest) // applied to the manifest -update writes
	}{
		{name: "bad_time", want: ErrBadNumber, line: 4, column: "time_ns"},
		{name: "bad_price", want: ErrBadNumber, line: 4, column: "price"},
		{name: "bad_size", want: ErrBadNumber, line: 4, column: "size"},
		{name: "exponent_price", want: ErrBadNumber, line: 4, column: "price"},
		{name: "zero_price", want: ErrBadNumber, line: 4, column: "price"},
		{name: "non_monotonic", want: ErrNonMonotonic, line: 5, column: "time_ns"},
		{name: "before_start", want: ErrTimeRange, line: 2, column: "time_ns"},
		{name: "after_end", want: ErrTimeRange, line: 4, column: "time_ns"},
		{name: "unknown_kind", want: ErrUnknownKind, line: 4, column: "kind"},
		{name: "bad_book_side", want: ErrBadSide, line: 4, column: "side"},
		{name: "bad_trade_side", want: ErrBadSide, line: 4, column: "side"},
		{name: "too_few_columns", want: ErrColumnCount, line: 4},
		{name: "too_many_columns", want: ErrColumnCount, line: 4},
		{name: "blank_line", want: ErrColumnCount, line: 4},
		{name: "negative_size", want: ErrNegativeSize, line: 4, column: "size"},
		{name: "zero_size_trade", want: ErrZeroSize, line: 4, column: "size"},
		{name: "zero_size_snapshot", want: ErrZeroSize, line: 4, column: "size"},
		{name: "off_tick", want: ErrOffTick, line: 4, column: "price"},
		{name: "off_lot", want: ErrOffLot, line: 4, column: "size"},
		{name: "crossed", want: ErrCrossedBook, line: 7, column: "price"},
		{name: "crossed_at_end", want: ErrCrossedBook, line: 4, column: "price"},
		{name: "bad_header", want: ErrHeader, line: 1},
		{name: "empty", want: ErrHeader, line: 1},
		{name: "checksum", want: ErrChecksum, tweak: func(m *Manifest) { m.SHA256 = strings.Repeat("ab", 32) }},
		{name: "row_count", want: ErrRowCount, tweak: func(m *Manifest) { m.Rows++ }},
	}
	dir := filepath.Join("testdata", "bad")
	for _, tt := range tests {
		if *update {
			csv, err := os.ReadFile(filepath.Join(dir, tt.name+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			writeRecording(t, dir, tt.name, string(csv), tt.tweak)
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, err := Load(ManifestPath(dir, tt.name))
			if err == nil {
				t.Fatalf("load %s: got %d events and no error, want %v", tt.name, len(rec.Events), tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("load %s: got %v, want an error wrapping %v", tt.name, err, tt.want)
			}
			if tt.line == 0 {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("load %s: got %T %v, want a *ParseError", tt.name, err, err)
			}
			wantFile := filepath.Join(dir, tt.name+".csv")
			if pe.File != wantFile || pe.Line != tt.line || pe.Column != tt.column {
				t.Errorf("load %s: got %s:%d column %q, want %s:%d column %q (%v)", tt.name, pe.File, pe.Line, pe.Column, wantFile, tt.line, tt.column, err)
			}
		})
	}
	if *update {
		t.Log("rewrote the manifests under", dir)
	}
}

func TestParseAcceptsValidRows(t *testing.T) {
	t.Parallel()
	csv := "time_ns,kind,side,price,size\r\n" +
		"1767225600000000000,S,bid,97000,0.5\r\n" + // fewer decimals than the tick
		"1767225600000000000,S,ask,97000.10,0.4000\r\n" + // trailing zeros beyond the tick
		"1767225600000000000,T,sell,97000.0,0.001\r\n" +
		"1767225601000000000,D,bid,97000.0,0\n" +
		"1767225601000000000,D,bid,96999.9,1" // no final newline
	rec := parseString(t, csv)
	want := []Event{
		{TimeNs: 1767225600000000000, Kind: KindSnapshot, Side: Buy, Ticks: 970000, Lots: 500},
		{TimeNs: 1767225600000000000, Kind: KindSnapshot, Side: Sell, Ticks: 970001, Lots: 400},
		{TimeNs: 1767225600000000000, Kind: KindTrade, Side: Sell, Ticks: 970000, Lots: 1},
		{TimeNs: 1767225601000000000, Kind: KindDiff, Side: Buy, Ticks: 970000, Lots: 0},
		{TimeNs: 1767225601000000000, Kind: KindDiff, Side: Buy, Ticks: 969999, Lots: 1000},
	}
	if len(rec.Events) != len(want) {
		t.Fatalf("got %d events, want %d", len(rec.Events), len(want))
	}
	for i := range want {
		if rec.Events[i] != want[i] {
			t.Errorf("event %d: got %+v, want %+v", i, rec.Events[i], want[i])
		}
	}
}

func TestParseFixed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		dec   int
		units int64
		st    fixedStatus
	}{
		{"0", 3, 0, fixedOK},
		{"1.5", 3, 1500, fixedOK},
		{"1.500000", 3, 1500, fixedOK},
		{"1.5001", 3, 0, fixedTooFine},
		{"-1.5", 3, 0, fixedNegative},
		{"-", 3, 0, fixedBad},
		{"", 3, 0, fixedBad},
		{".5", 3, 0, fixedBad},
		{"5.", 3, 0, fixedBad},
		{"1e3", 3, 0, fixedBad},
		{"+1", 3, 0, fixedBad},
		{"1.2.3", 3, 0, fixedBad},
		{"99999999999999999999", 0, 0, fixedBad},
		{"9007199254740992", 0, 9007199254740992, fixedOK},
		{"9007199254740993", 0, 0, fixedBad},
	}
	for _, tt := range tests {
		units, st := parseFixed([]byte(tt.in), tt.dec)
		if units != tt.units || st != tt.st {
			t.Errorf("parseFixed(%q, %d): got %d, %d, want %d, %d", tt.in, tt.dec, units, st, tt.units, tt.st)
		}
	}
}

func TestReadManifestReportsEveryProblem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.manifest.json")
	bad := `{"format_version": 2, "symbol": "", "tick_size": 0.30000000000000004, "lot_size": -1,
		"start_ns": 10, "end_ns": 5, "rows": -1, "csv": "../x.csv", "sha256": "xyz", "seed": 0, "generator": ""}`
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadManifest(path)
	if !errors.Is(err, ErrManifest) {
		t.Fatalf("got %v, want an error wrapping ErrManifest", err)
	}
	for _, want := range []string{"format_version", "symbol", "tick_size", "lot_size", "end_ns", "rows", "csv", "sha256"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if err := os.WriteFile(path, []byte(`{"format_version": 1, "unknown": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadManifest(path); !errors.Is(err, ErrManifest) || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("unknown key: got %v, want an error naming it", err)
	}
}

func TestParseUint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1767225600000000000", 1767225600000000000, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false},
		{"99999999999999999999", 0, false},
		{"", 0, false},
		{"-1", 0, false},
		{"12a", 0, false},
		{" 1", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseUint([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseUint(%q): got %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
