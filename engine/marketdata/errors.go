package marketdata

import (
	"errors"
	"fmt"
)

// Sentinel errors: every error of Load, Parse and a Stream wraps one of them,
// so callers (and tests) branch with errors.Is.
var (
	ErrManifest     = errors.New("invalid manifest")
	ErrChecksum     = errors.New("sha256 mismatch")
	ErrRowCount     = errors.New("row count mismatch")
	ErrHeader       = errors.New("bad header")
	ErrColumnCount  = errors.New("wrong column count")
	ErrBadNumber    = errors.New("bad number")
	ErrNonMonotonic = errors.New("time goes backwards")
	ErrTimeRange    = errors.New("time outside the manifest's span")
	ErrUnknownKind  = errors.New("unknown row kind")
	ErrBadSide      = errors.New("bad side")
	ErrNegativeSize = errors.New("negative size")
	ErrZeroSize     = errors.New("zero size")
	ErrOffTick      = errors.New("price not a multiple of tick_size")
	ErrOffLot       = errors.New("size not a multiple of lot_size")
	ErrCrossedBook  = errors.New("crossed book")
)

// ParseError is a malformed row: the file, its 1-based line, the column
// (header name) at fault when one is, and the reason.
type ParseError struct {
	File   string
	Line   int
	Column string // "" when the row as a whole is at fault
	Err    error  // wraps one of the sentinel errors
}

func (e *ParseError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: column %s: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }
