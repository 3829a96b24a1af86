package marketdata

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
)

// decoder reads rows of a recording CSV one at a time without allocating
// per row: bufio.Reader.ReadSlice and hand-written field parsing. It checks
// each row on its own and against the previous row's time; crossed books
// are checkedBook's business.
type decoder struct {
	file   string
	r      *bufio.Reader
	sc     scale
	start  int64
	end    int64
	line   int // line number of the last line read
	rows   int // data rows read
	lastT  int64
	header bool
}

const readBufSize = 64 << 10

func newDecoder(file string, r io.Reader, m *Manifest, sc scale) *decoder {
	return &decoder{file: file, r: bufio.NewReaderSize(r, readBufSize), sc: sc, start: m.StartNs, end: m.EndNs}
}

func (d *decoder) errorf(column string, sentinel error, format string, args ...any) error {
	return &ParseError{File: d.file, Line: d.line, Column: column,
		Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}

// readLine returns the next line without its line end, or io.EOF.
func (d *decoder) readLine() ([]byte, error) {
	b, err := d.r.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		d.line++
		return nil, d.errorf("", ErrColumnCount, "line longer than %d bytes", readBufSize)
	case err == io.EOF && len(b) == 0:
		return nil, io.EOF
	case err != nil && err != io.EOF:
		return nil, fmt.Errorf("read %s: %w", d.file, err)
	}
	d.line++
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, nil
}

// readHeader reads and checks line 1.
func (d *decoder) readHeader() error {
	d.header = true
	b, err := d.readLine()
	if err == io.EOF {
		d.line = 1
		return d.errorf("", ErrHeader, "empty file, want header %q", Header)
	}
	if err != nil {
		return err
	}
	if string(b) != Header {
		return d.errorf("", ErrHeader, "got %q, want %q", clip(b), Header)
	}
	return nil
}

// next parses the next data row into ev; io.EOF after the last one.
func (d *decoder) next(ev *Event) error {
	if !d.header {
		if err := d.readHeader(); err != nil {
			return err
		}
	}
	b, err := d.readLine()
	if err != nil {
		return err
	}
	if err := d.parseRow(b, ev); err != nil {
		return err
	}
	d.rows++
	d.lastT = ev.TimeNs
	return nil
}

var columns = [5]string{"time_ns", "kind", "side", "price", "size"}

func (d *decoder) parseRow(b []byte, ev *Event) error {
	var f [5][]byte
	n := 0
	for rest := b; ; n++ {
		i := bytes.IndexByte(rest, ',')
		if i < 0 {
			if n < len(f) {
				f[n] = rest
			}
			n++
			break
		}
		if n < len(f) {
			f[n] = rest[:i]
		}
		rest = rest[i+1:]
	}
	if n != len(f) {
		return d.errorf("", ErrColumnCount, "got %d columns, want %d (%s)", n, len(f), Header)
	}

	t, ok := parseUint(f[0])
	if !ok {
		return d.errorf(columns[0], ErrBadNumber, "%q is not a non-negative integer of nanoseconds", clip(f[0]))
	}
	if d.rows > 0 && t < d.lastT {
		return d.errorf(columns[0], ErrNonMonotonic, "%d after %d", t, d.lastT)
	}
	if t < d.start || t > d.end {
		return d.errorf(columns[0], ErrTimeRange, "%d outside [%d, %d]", t, d.start, d.end)
	}
	ev.TimeNs = t

	if len(f[1]) != 1 || (f[1][0] != 'S' && f[1][0] != 'D' && f[1][0] != 'T') {
		return d.errorf(columns[1], ErrUnknownKind, "%q, want S, D or T", clip(f[1]))
	}
	ev.Kind = EventKind(f[1][0])

	switch side := string(f[2]); { // no allocation: compared, not kept
	case ev.Kind == KindTrade && side == "buy", ev.Kind != KindTrade && side == "bid":
		ev.Side = Buy
	case ev.Kind == KindTrade && side == "sell", ev.Kind != KindTrade && side == "ask":
		ev.Side = Sell
	case ev.Kind == KindTrade:
		return d.errorf(columns[2], ErrBadSide, "%q, want buy or sell for a trade", clip(f[2]))
	default:
		return d.errorf(columns[2], ErrBadSide, "%q, want bid or ask for a book row", clip(f[2]))
	}

	units, st := parseFixed(f[3], d.sc.priceDec)
	switch {
	case st == fixedBad:
		return d.errorf(columns[3], ErrBadNumber, "%q is not a decimal price", clip(f[3]))
	case st == fixedNegative || (st == fixedOK && units == 0):
		return d.errorf(columns[3], ErrBadNumber, "price %q, want > 0", clip(f[3]))
	case st == fixedTooFine || units%d.sc.tickUnits != 0:
		return d.errorf(columns[3], ErrOffTick, "%q is not a multiple of %s", clip(f[3]), appendFixed(nil, d.sc.tickUnits, d.sc.priceDec))
	}
	ev.Ticks = units / d.sc.tickUnits

	units, st = parseFixed(f[4], d.sc.sizeDec)
	switch {
	case st == fixedBad:
		return d.errorf(columns[4], ErrBadNumber, "%q is not a decimal size", clip(f[4]))
	case st == fixedNegative:
		return d.errorf(columns[4], ErrNegativeSize, "%q", clip(f[4]))
	case st == fixedTooFine || units%d.sc.lotUnits != 0:
		return d.errorf(columns[4], ErrOffLot, "%q is not a multiple of %s", clip(f[4]), appendFixed(nil, d.sc.lotUnits, d.sc.sizeDec))
	case units == 0 && ev.Kind != KindDiff:
		return d.errorf(columns[4], ErrZeroSize, "size 0 in a %c row, want > 0 (only a D row removes a level)", ev.Kind)
	}
	ev.Lots = units / d.sc.lotUnits
	return nil
}

// clip bounds a value quoted in an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// parseUint parses decimal digits into an int64.
func parseUint(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v uint64 // 19 digits fit in a uint64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

type fixedStatus int8

const (
	fixedOK       fixedStatus = iota
	fixedBad                  // not a decimal, or too large
	fixedNegative             // a valid decimal with a leading '-'
	fixedTooFine              // nonzero digits beyond dec decimals
)

// maxFixedUnits keeps every price and size exactly representable as a float64.
const maxFixedUnits = 1 << 53

// parseFixed parses "123", "123.45" (no sign, no exponent) into an integer
// number of 10^-dec units.
func parseFixed(b []byte, dec int) (int64, fixedStatus) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var v int64
	digits, frac, point := 0, 0, false
	fine := false
	for _, c := range b {
		switch {
		case c == '.' && !point:
			if digits == 0 {
				return 0, fixedBad
			}
			point = true
			continue
		case c < '0' || c > '9':
			return 0, fixedBad
		}
		if point {
			frac++
			if frac > dec {
				if c != '0' {
					fine = true
				}
				continue
			}
		}
		digits++
		v = v*10 + int64(c-'0')
		if v > maxFixedUnits {
			return 0, fixedBad
		}
	}
	if digits == 0 || (point && frac == 0) {
		return 0, fixedBad
	}
	for i := frac; i < dec; i++ {
		v *= 10
		if v > maxFixedUnits {
			return 0, fixedBad
		}
	}
	switch {
	case neg:
		return 0, fixedNegative
	case fine:
		return 0, fixedTooFine
	}
	return v, fixedOK
}

// checkedBook is a book that rejects being crossed after the last row of a time.
type checkedBook struct {
	bookState
	file      string
	sc        *scale
	dirty     bool // rows applied since the last check
	groupT    int64
	groupLine int
}

func newCheckedBook(file string, sc *scale) checkedBook {
	return checkedBook{bookState: newBookState(*sc), file: file, sc: sc}
}

// apply applies ev (read from line), first checking the previous time's
// book when ev starts a new time.
func (c *checkedBook) apply(ev *Event, line int) error {
	if c.dirty && ev.TimeNs != c.groupT {
		if err := c.endGroup(); err != nil {
			return err
		}
	}
	c.bookState.apply(ev)
	c.dirty, c.groupT, c.groupLine = true, ev.TimeNs, line
	return nil
}

// endGroup checks the book after the last row of a time.
func (c *checkedBook) endGroup() error {
	c.dirty = false
	if !c.crossed() {
		return nil
	}
	return &ParseError{File: c.file, Line: c.groupLine, Column: columns[3],
		Err: fmt.Errorf("%w: best bid %s >= best ask %s after the rows at time_ns %d", ErrCrossedBook,
			appendFixed(nil, c.bids.lv[0].ticks*c.sc.tickUnits, c.sc.priceDec),
			appendFixed(nil, c.asks.lv[0].ticks*c.sc.tickUnits, c.sc.priceDec), c.groupT)}
}

// Parse reads a recording CSV from r, naming it file in errors, with the
// manifest's tick_size, lot_size and span. It checks every row but not the
// manifest's rows and sha256 (Load does). It never panics.
func Parse(file string, r io.Reader, m Manifest) (*Recording, error) {
	rec, err := parse(file, r, m)
	if err != nil {
		return nil, fmt.Errorf("parse recording: %w", err)
	}
	return rec, nil
}

func parse(file string, r io.Reader, m Manifest) (*Recording, error) {
	sc, err := m.scale()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	d := newDecoder(file, r, &m, sc)
	book := newCheckedBook(file, &sc)
	var evs []Event
	for {
		var ev Event
		err := d.next(&ev)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if err := book.apply(&ev, d.line); err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	if err := book.endGroup(); err != nil {
		return nil, err
	}
	return &Recording{Manifest: m, Events: evs}, nil
}
