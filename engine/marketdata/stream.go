package marketdata

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
)

// Stream replays a recording straight from its CSV, parsing rows as
// AdvanceTo needs them, without allocating per row. It checks every row as
// Load does; the sha256 and row count can only be checked at the end, so a
// stream that was tampered with shows as Err at its end. After an error the
// stream stops: Done is true, AdvanceTo returns the last good book.
type Stream struct {
	m       Manifest
	f       *os.File
	h       hash.Hash
	dec     *decoder
	book    checkedBook
	sc      scale
	pend    Event
	hasPend bool
	eof     bool
	err     error
	last    int64
	trades  []Trade
	v       view
}

// OpenStream opens the recording whose manifest is at manifestPath for
// streaming. It reads the manifest and the CSV's header; Close releases the file.
func OpenStream(manifestPath string) (*Stream, error) {
	m, err := ReadManifest(manifestPath)
	if err != nil {
		return nil, fmt.Errorf("open stream: %w", err)
	}
	sc, err := m.scale()
	if err != nil {
		return nil, fmt.Errorf("open stream: %w", err)
	}
	csvPath := filepath.Join(filepath.Dir(manifestPath), m.CSV)
	f, err := os.Open(csvPath)
	if err != nil {
		return nil, fmt.Errorf("open stream: %w", err)
	}
	s := &Stream{m: m, f: f, h: sha256.New(), sc: sc, last: math.MinInt64, trades: make([]Trade, 0, 256)}
	s.dec = newDecoder(csvPath, io.TeeReader(f, s.h), &m, sc)
	s.book = newCheckedBook(csvPath, &s.sc)
	s.v.book.Symbol = m.Symbol
	if err := s.dec.readHeader(); err != nil {
		f.Close()
		return nil, fmt.Errorf("open stream: %w", err)
	}
	return s, nil
}

// Manifest returns the stream's manifest.
func (s *Stream) Manifest() Manifest { return s.m }

// AdvanceTo implements Feed.
func (s *Stream) AdvanceTo(tNs int64) (*Book, []Trade) {
	if tNs < s.last {
		return s.v.refresh(&s.book.bookState), nil
	}
	s.last = tNs
	s.trades = s.trades[:0]
	for s.err == nil {
		if !s.hasPend {
			if s.eof {
				break
			}
			err := s.dec.next(&s.pend)
			if errors.Is(err, io.EOF) {
				s.eof = true
				s.finish()
				break
			}
			if err != nil {
				s.fail(err)
				break
			}
			s.hasPend = true
		}
		if s.pend.TimeNs > tNs {
			if err := s.book.endGroup(); err != nil { // the rows of the last time applied are complete
				s.fail(err)
			}
			break
		}
		if err := s.book.apply(&s.pend, s.dec.line); err != nil {
			s.fail(err)
			break
		}
		if s.pend.Kind == KindTrade {
			s.trades = append(s.trades, s.sc.trade(&s.pend))
		}
		s.hasPend = false
	}
	return s.v.refresh(&s.book.bookState), s.trades
}

func (s *Stream) fail(err error) {
	s.err = fmt.Errorf("stream recording: %w", err)
	s.hasPend = false
}

// finish runs the end-of-file checks.
func (s *Stream) finish() {
	if err := s.book.endGroup(); err != nil {
		s.fail(err)
		return
	}
	if s.dec.rows != s.m.Rows {
		s.fail(fmt.Errorf("%s: %w: got %d rows, manifest says %d", s.dec.file, ErrRowCount, s.dec.rows, s.m.Rows))
		return
	}
	var sum [sha256.Size]byte
	if got := hex.EncodeToString(s.h.Sum(sum[:0])); got != s.m.SHA256 {
		s.fail(fmt.Errorf("%s: %w: got %s, manifest says %s", s.dec.file, ErrChecksum, got, s.m.SHA256))
	}
}

// Done reports that the stream has applied its last row or stopped on an error.
func (s *Stream) Done() bool { return s.err != nil || (s.eof && !s.hasPend) }

// Err returns the error that stopped the stream, or nil.
func (s *Stream) Err() error { return s.err }

// Close closes the CSV file.
func (s *Stream) Close() error {
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("close stream: %w", err)
	}
	return nil
}
