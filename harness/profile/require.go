package profile

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Requirement is what a config value must be: Op and a value.
//
// Grammar: op value, op one of == != <= < >= >; value a number (9, 0.5),
// true/false, a Go duration (500ms) or a word (compared as text, == and !=
// only). Numbers compare with numbers and durations with durations.
type Requirement struct {
	Text string
	Op   string
	// Kind is "number", "bool", "duration" or "text".
	Kind string
	Num  float64 // number, or a duration in seconds
	Bool bool
	Word string
}

func (r Requirement) String() string { return r.Text }

// ParseRequirement parses "== true", "<= 9", "<= 500ms".
func ParseRequirement(s string) (Requirement, error) {
	r := Requirement{Text: strings.TrimSpace(s)}
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if rest, ok := strings.CutPrefix(r.Text, op); ok {
			r.Op = op
			r.Word = strings.TrimSpace(rest)
			break
		}
	}
	if r.Op == "" {
		return r, fmt.Errorf("failed parsing requirement %q: want an operator (== != <= < >= >) then a value", s)
	}
	if r.Word == "" {
		return r, fmt.Errorf("failed parsing requirement %q: no value after %s", s, r.Op)
	}
	switch {
	case r.Word == "true" || r.Word == "false":
		r.Kind, r.Bool = "bool", r.Word == "true"
	default:
		if f, err := strconv.ParseFloat(r.Word, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			r.Kind, r.Num = "number", f
		} else if d, err := time.ParseDuration(r.Word); err == nil {
			r.Kind, r.Num = "duration", d.Seconds()
		} else {
			r.Kind = "text"
		}
	}
	if (r.Kind == "bool" || r.Kind == "text") && r.Op != "==" && r.Op != "!=" {
		return r, fmt.Errorf("failed parsing requirement %q: %s compares numbers and durations; a %s takes == or !=", s, r.Op, r.Kind)
	}
	return r, nil
}

// Check compares a config value (its scalar text and YAML tag) with the
// requirement, after multiplying a number by scale. It returns the value as
// compared (for messages) and whether it meets the requirement; err says a
// value of the wrong type.
func (r Requirement) Check(text, tag string, scale float64) (got string, ok bool, err error) {
	switch r.Kind {
	case "bool":
		if tag != "!!bool" {
			return text, false, fmt.Errorf("got %q, want true or false", text)
		}
		b := strings.EqualFold(text, "true")
		return strconv.FormatBool(b), (b == r.Bool) == (r.Op == "=="), nil
	case "text":
		return text, (text == r.Word) == (r.Op == "=="), nil
	case "duration":
		var v float64
		if d, derr := time.ParseDuration(text); derr == nil {
			v = d.Seconds()
		} else if f, ferr := strconv.ParseFloat(text, 64); ferr == nil && (tag == "!!int" || tag == "!!float") {
			// a bare number next to a duration requirement: the bot's
			// seconds (say so in the message).
			v, text = f, text+"s"
		} else {
			return text, false, fmt.Errorf("got %q, want a duration such as 500ms", text)
		}
		return text, compare(v, r.Op, r.Num), nil
	}
	if tag != "!!int" && tag != "!!float" {
		return text, false, fmt.Errorf("got %q, want a number", text)
	}
	f, perr := strconv.ParseFloat(text, 64)
	if perr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return text, false, fmt.Errorf("got %q, want a finite number", text)
	}
	v := f * scale
	got = strconv.FormatFloat(v, 'g', -1, 64)
	if scale != 1 {
		got = fmt.Sprintf("%s (%s stored as a fraction)", got, text)
	}
	return got, compare(v, r.Op, r.Num), nil
}

func compare(v float64, op string, want float64) bool {
	const eps = 1e-9
	switch op {
	case "==":
		return math.Abs(v-want) <= eps
	case "!=":
		return math.Abs(v-want) > eps
	case "<=":
		return v <= want+eps
	case "<":
		return v < want
	case ">=":
		return v >= want-eps
	case ">":
		return v > want
	}
	return false
}
