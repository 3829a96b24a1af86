package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is what every *Error matches with errors.Is: the configuration
// could not be loaded. Use errors.As(err, &*Error) for the problems.
var ErrInvalid = errors.New("invalid config")

// Problem is one thing wrong with a configuration: where (file and line; Line
// is 0 for a problem with the whole file, such as a missing file), which
// dotted key (empty when no key can be named, such as an empty file) and what.
// Msg never contains a secret's value.
type Problem struct {
	File string
	Line int
	Key  string
	Msg  string
	// Err is the underlying cause when there is one (for example
	// fs.ErrNotExist for a missing file); errors.Is sees through it.
	Err error
}

// String renders the problem as "file:line: dotted.key: message", leaving out
// the line when it is 0 and the key when it is empty.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error is every problem found while loading a configuration, in layer order
// then line order. Load returns all of them at once, not only the first.
type Error struct {
	Problems []Problem
}

// maxRendered is how many problems Error() spells out; Problems holds all.
const maxRendered = 100

// Error renders "load config: " and then one problem per line (the first
// maxRendered of them, then a count of the rest).
func (e *Error) Error() string {
	switch len(e.Problems) {
	case 0:
		return "load config: invalid config"
	case 1:
		return "load config: " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "load config: %d problems:", len(e.Problems))
	for i, p := range e.Problems {
		if i == maxRendered {
			fmt.Fprintf(&b, "\n... and %d more problems", len(e.Problems)-maxRendered)
			break
		}
		b.WriteString("\n")
		b.WriteString(p.String())
	}
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the underlying causes of the problems that have one.
func (e *Error) Unwrap() []error {
	var errs []error
	for _, p := range e.Problems {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errs
}

// problems collects Problems while a load runs.
type problems struct {
	list []Problem
}

func (ps *problems) add(file string, line int, key, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) addErr(file string, line int, key string, err error, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...), Err: err})
}
