package marketdata

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// FormatVersion is the recording format this package reads and writes.
const FormatVersion = 1

// Manifest describes a recording: what the CSV holds and how to check it.
// It is stored as JSON next to the CSV (<name>.manifest.json).
type Manifest struct {
	// FormatVersion is the recording format, FormatVersion.
	FormatVersion int `json:"format_version"`
	// Symbol is the instrument, e.g. "BTCUSDT".
	Symbol string `json:"symbol"`
	// TickSize is the price increment; every price is a multiple of it. At most 9 decimals.
	TickSize float64 `json:"tick_size"`
	// LotSize is the size increment; every size is a multiple of it. At most 9 decimals.
	LotSize float64 `json:"lot_size"`
	// StartNs and EndNs bound the recording's event times (inclusive), in Unix nanoseconds.
	StartNs int64 `json:"start_ns"`
	EndNs   int64 `json:"end_ns"`
	// Rows is the number of data rows in the CSV (the header not counted).
	Rows int `json:"rows"`
	// CSV is the data file's name, relative to the manifest's directory.
	CSV string `json:"csv"`
	// SHA256 is the hex sha256 of the CSV file's bytes.
	SHA256 string `json:"sha256"`
	// Seed is the generator's seed (0 for recordings of a real venue).
	Seed int64 `json:"seed"`
	// Generator names what produced the data and with which options.
	Generator string `json:"generator"`
}

// ReadManifest reads and validates a manifest file.
func ReadManifest(path string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(path)
	if err != nil {
		return m, fmt.Errorf("read manifest: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("read manifest %s: %w: %w", path, ErrManifest, err)
	}
	if err := m.Validate(); err != nil {
		return m, fmt.Errorf("read manifest %s: %w", path, err)
	}
	return m, nil
}

// Validate reports every problem of the manifest in one error (wrapping ErrManifest).
func (m Manifest) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrManifest}, args...)...))
	}
	if m.FormatVersion != FormatVersion {
		bad("format_version = %d, want %d", m.FormatVersion, FormatVersion)
	}
	if m.Symbol == "" {
		bad("symbol is empty")
	}
	if _, err := m.scale(); err != nil {
		errs = append(errs, err)
	}
	if m.EndNs < m.StartNs {
		bad("end_ns %d is before start_ns %d", m.EndNs, m.StartNs)
	}
	if m.Rows < 0 {
		bad("rows = %d, want >= 0", m.Rows)
	}
	if m.CSV == "" || strings.ContainsAny(m.CSV, `/\`) {
		bad("csv = %q, want a file name in the manifest's directory", m.CSV)
	}
	if len(m.SHA256) != 64 || strings.Trim(m.SHA256, "0123456789abcdef") != "" {
		bad("sha256 = %q, want 64 lowercase hex digits", m.SHA256)
	}
	return errors.Join(errs...)
}

// scale converts between the manifest's decimal prices and sizes and the
// integer ticks and lots of an Event.
type scale struct {
	tickUnits int64 // tick_size in units of 10^-priceDec
	priceDec  int
	lotUnits  int64 // lot_size in units of 10^-sizeDec
	sizeDec   int
}

const maxDecimals = 9

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// decimalUnits splits a positive increment such as 0.1 into (1, 1 decimal).
func decimalUnits(name string, v float64) (int64, int, error) {
	if !(v > 0) || v > 1e9 {
		return 0, 0, fmt.Errorf("%w: %s = %v, want > 0 and <= 1e9", ErrManifest, name, v)
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	dec := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		dec = len(s) - i - 1
		s = s[:i] + s[i+1:]
	}
	if dec > maxDecimals {
		return 0, 0, fmt.Errorf("%w: %s = %v has more than %d decimals", ErrManifest, name, v, maxDecimals)
	}
	u, err := strconv.ParseInt(s, 10, 64)
	if err != nil || u <= 0 {
		return 0, 0, fmt.Errorf("%w: %s = %v is not a decimal increment", ErrManifest, name, v)
	}
	return u, dec, nil
}

func (m Manifest) scale() (scale, error) {
	tu, pd, err1 := decimalUnits("tick_size", m.TickSize)
	lu, sd, err2 := decimalUnits("lot_size", m.LotSize)
	if err := errors.Join(err1, err2); err != nil {
		return scale{}, err
	}
	return scale{tickUnits: tu, priceDec: pd, lotUnits: lu, sizeDec: sd}, nil
}

// price converts ticks to a price.
func (s *scale) price(ticks int64) float64 {
	return float64(ticks*s.tickUnits) / pow10[s.priceDec]
}

// size converts lots to a size.
func (s *scale) size(lots int64) float64 {
	return float64(lots*s.lotUnits) / pow10[s.sizeDec]
}
