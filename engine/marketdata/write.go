package marketdata

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// Header is the first line of every recording CSV.
const Header = "time_ns,kind,side,price,size"

// sideName is the side column's text: bid/ask for book rows, buy/sell for trades.
func sideName(kind EventKind, s Side) string {
	switch {
	case kind == KindTrade && s == Buy:
		return "buy"
	case kind == KindTrade:
		return "sell"
	case s == Buy:
		return "bid"
	}
	return "ask"
}

// appendFixed appends units as a decimal with dec decimals (units >= 0).
func appendFixed(b []byte, units int64, dec int) []byte {
	if dec == 0 {
		return strconv.AppendInt(b, units, 10)
	}
	p := int64(pow10[dec])
	b = strconv.AppendInt(b, units/p, 10)
	b = append(b, '.')
	frac := units % p
	for q := p / 10; q > frac && q > 1; q /= 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, frac, 10)
}

// appendRow appends one CSV row (with its newline).
func (sc *scale) appendRow(b []byte, ev *Event) []byte {
	b = strconv.AppendInt(b, ev.TimeNs, 10)
	b = append(b, ',', byte(ev.Kind), ',')
	b = append(b, sideName(ev.Kind, ev.Side)...)
	b = append(b, ',')
	b = appendFixed(b, ev.Ticks*sc.tickUnits, sc.priceDec)
	b = append(b, ',')
	b = appendFixed(b, ev.Lots*sc.lotUnits, sc.sizeDec)
	return append(b, '\n')
}

// WriteCSV writes the recording's CSV (header and one row per event) to w.
func (r *Recording) WriteCSV(w io.Writer) error {
	sc, err := r.Manifest.scale()
	if err != nil {
		return fmt.Errorf("write recording csv: %w", err)
	}
	buf := make([]byte, 0, min(64<<10, 48*len(r.Events)+64))
	buf = append(buf, Header+"\n"...)
	for i := range r.Events {
		buf = sc.appendRow(buf, &r.Events[i])
		if len(buf) > 60<<10 {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("write recording csv: %w", err)
			}
			buf = buf[:0]
		}
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write recording csv: %w", err)
	}
	return nil
}

// csvSHA256 is the hex sha256 of the CSV WriteCSV writes ("" when it cannot).
func (r *Recording) csvSHA256() string {
	h := sha256.New()
	if err := r.WriteCSV(h); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Write writes the recording as dir/name.csv and dir/name.manifest.json,
// each atomically (temporary file, then rename). The manifest written has
// csv = name.csv and the rows and sha256 of the CSV written; r.Manifest is
// updated to match.
func (r *Recording) Write(dir, name string) error {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return fmt.Errorf("write recording: name %q, want a plain file name", name)
	}
	var csv bytes.Buffer
	if err := r.WriteCSV(&csv); err != nil {
		return fmt.Errorf("write recording: %w", err)
	}
	sum := sha256.Sum256(csv.Bytes())
	m := r.Manifest
	m.CSV = name + ".csv"
	m.Rows = len(r.Events)
	m.SHA256 = hex.EncodeToString(sum[:])
	if err := m.Validate(); err != nil {
		return fmt.Errorf("write recording: %w", err)
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write recording: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, m.CSV), csv.Bytes()); err != nil {
		return fmt.Errorf("write recording: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, name+".manifest.json"), append(mj, '\n')); err != nil {
		return fmt.Errorf("write recording: %w", err)
	}
	r.Manifest = m
	return nil
}

// ManifestPath is where Write puts the manifest of recording name in dir.
func ManifestPath(dir, name string) string { return filepath.Join(dir, name+".manifest.json") }
