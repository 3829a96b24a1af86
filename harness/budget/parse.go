package budget

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors a caller (or a test) can branch on with errors.Is.
var (
	ErrUnknownTarget = errors.New("unknown target")
	ErrSignalKind    = errors.New("not a histogram signal")
	ErrAggregate     = errors.New("bad aggregate")
	ErrPercentile    = errors.New("percentile outside 0-100")
	ErrOperator      = errors.New("bad operator")
	ErrUnit          = errors.New("bad unit")
	ErrValue         = errors.New("bad value")
	ErrSyntax        = errors.New("syntax error")
)

// Op is a comparison; the budget holds when `observed Op threshold`.
type Op string

// The operators.
const (
	Less         Op = "<"
	LessEqual    Op = "<="
	Greater      Op = ">"
	GreaterEqual Op = ">="
)

// Holds reports whether `observed op threshold` is true.
func (o Op) Holds(observed, threshold float64) bool {
	switch o {
	case Less:
		return observed < threshold
	case LessEqual:
		return observed <= threshold
	case Greater:
		return observed > threshold
	case GreaterEqual:
		return observed >= threshold
	}
	return false
}

// Aggregate is how a target's observations are reduced to one number.
type Aggregate struct {
	// Func is "p" (percentile), "avg", "min", "max" or "rate".
	Func string
	// Percentile is N of p(N), 0..100; med is p(50).
	Percentile float64
}

// String renders the aggregate as written in the grammar.
func (a Aggregate) String() string {
	if a.Func == "p" {
		return "p(" + strconv.FormatFloat(a.Percentile, 'f', -1, 64) + ")"
	}
	return a.Func
}

// Budget is one parsed, validated expression on one target.
type Budget struct {
	// Target is a stage, tick_total, deadline_miss or md_cache_hit_ratio,
	// or (Signal) a histogram signal the bot profile declares.
	Target string
	// Signal is true when Target is a histogram signal the bot profile
	// declares (ParseFileFor): a latency target read from the bot's
	// histogram of that name, aggregated over every matching series.
	Signal bool
	// Expr is the expression as written, for messages.
	Expr string
	// Kind is the target's kind.
	Kind Kind
	// Agg reduces the observations; for ratio targets it is "rate".
	Agg Aggregate
	// Op compares the aggregate with Threshold.
	Op Op
	// Threshold is nanoseconds for latency targets and percent for ratios.
	Threshold float64
	// Line is the line of the budgets file the expression came from (0 if none).
	Line int
	// Blocking is true when the budgets file lists Target under blocking:
	// its failure blocks readiness, as the seed's four budgets' do.
	Blocking bool
}

// String renders the budget as "target: expression".
func (b Budget) String() string { return b.Target + ": " + b.Expr }

// Limit is the threshold of a latency budget as a duration.
func (b Budget) Limit() time.Duration { return time.Duration(b.Threshold) }

// FormatThreshold renders the threshold with its unit ("35ms", "2%").
func (b Budget) FormatThreshold() string {
	if b.Kind == Latency {
		return strconv.FormatFloat(b.Threshold/1e6, 'f', -1, 64) + "ms"
	}
	return strconv.FormatFloat(b.Threshold, 'f', -1, 64) + "%"
}

// Parse parses and validates one expression for target. The error names the
// expression: `failed parsing budget "fetch_md: p(95) < 35ms": ...`.
func Parse(target, expr string) (Budget, error) {
	b, err := parse(target, expr)
	if err != nil {
		return Budget{}, fmt.Errorf("failed parsing budget %q: %w", target+": "+expr, err)
	}
	return b, nil
}

func parse(target, expr string) (Budget, error) {
	kind, ok := KindOf(target)
	if !ok {
		return Budget{}, fmt.Errorf("%w %q (want one of %s, or a histogram signal of the bot profile)", ErrUnknownTarget, target, strings.Join(Targets, ", "))
	}
	return parseKind(target, expr, kind)
}

// parseKind parses expr as a budget of the given kind on target.
func parseKind(target, expr string, kind Kind) (Budget, error) {
	s := strings.Join(strings.Fields(expr), "")
	if s == "" {
		return Budget{}, fmt.Errorf("%w: empty expression", ErrSyntax)
	}
	b := Budget{Target: target, Expr: strings.TrimSpace(expr), Kind: kind}

	agg, rest, err := parseAggregate(s)
	if err != nil {
		return Budget{}, err
	}
	if err := checkAggregate(kind, agg); err != nil {
		return Budget{}, err
	}
	if agg.Func == "" {
		agg.Func = "rate"
	}
	b.Agg = agg

	b.Op, rest, err = parseOp(rest)
	if err != nil {
		return Budget{}, err
	}
	b.Threshold, err = parseValue(kind, rest)
	if err != nil {
		return Budget{}, err
	}
	return b, nil
}

// parseAggregate reads an optional aggregate at the start of s.
func parseAggregate(s string) (Aggregate, string, error) {
	if strings.HasPrefix(s, "p(") {
		end := strings.IndexByte(s, ')')
		if end < 0 {
			return Aggregate{}, "", fmt.Errorf("%w: p( without closing parenthesis", ErrSyntax)
		}
		n, err := strconv.ParseFloat(s[2:end], 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return Aggregate{}, "", fmt.Errorf("%w: percentile %q is not a number", ErrPercentile, s[2:end])
		}
		if n < 0 || n > 100 {
			return Aggregate{}, "", fmt.Errorf("%w: got %g", ErrPercentile, n)
		}
		return Aggregate{Func: "p", Percentile: n}, s[end+1:], nil
	}
	i := 0
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	name := s[:i]
	switch name {
	case "":
		return Aggregate{}, s, nil
	case "med":
		return Aggregate{Func: "p", Percentile: 50}, s[i:], nil
	case "avg", "min", "max", "rate":
		return Aggregate{Func: name}, s[i:], nil
	}
	return Aggregate{}, "", fmt.Errorf("%w %q (want p(N), med, avg, min, max or rate)", ErrAggregate, name)
}

func checkAggregate(kind Kind, agg Aggregate) error {
	switch kind {
	case Latency:
		if agg.Func == "" {
			return fmt.Errorf("%w: a latency budget needs p(N), med, avg, min or max", ErrAggregate)
		}
		if agg.Func == "rate" {
			return fmt.Errorf("%w: rate applies to deadline_miss and md_cache_hit_ratio, not to a latency", ErrAggregate)
		}
	case Ratio:
		if agg.Func != "" && agg.Func != "rate" {
			return fmt.Errorf("%w %q: a ratio takes rate or no aggregate", ErrAggregate, agg.String())
		}
	}
	return nil
}

func parseOp(s string) (Op, string, error) {
	for _, op := range []Op{LessEqual, GreaterEqual, Less, Greater} {
		if strings.HasPrefix(s, string(op)) {
			rest := s[len(op):]
			if strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, "<") || strings.HasPrefix(rest, ">") {
				return "", "", fmt.Errorf("%w %q (want <, <=, > or >=)", ErrOperator, string(op)+rest[:1])
			}
			return op, rest, nil
		}
	}
	i := 0
	for i < len(s) && strings.IndexByte("=!<>~", s[i]) >= 0 {
		i++
	}
	if i > 0 {
		return "", "", fmt.Errorf("%w %q (want <, <=, > or >=)", ErrOperator, s[:i])
	}
	return "", "", fmt.Errorf("%w: missing operator before %q (want <, <=, > or >=)", ErrOperator, s)
}

func parseValue(kind Kind, s string) (float64, error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || (i == 0 && (s[i] == '-' || s[i] == '+'))) {
		i++
	}
	num, unit := s[:i], s[i:]
	if num == "" {
		return 0, fmt.Errorf("%w: missing number in %q", ErrValue, s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%w %q: %w", ErrValue, num, err)
	}
	if v < 0 {
		return 0, fmt.Errorf("%w: %s is negative", ErrValue, num)
	}
	switch kind {
	case Latency:
		scale, ok := timeUnits[unit]
		if !ok {
			return 0, fmt.Errorf("%w %q for a latency (want ns, us, µs, ms or s)", ErrUnit, unit)
		}
		return v * scale, nil
	default:
		if unit != "%" {
			return 0, fmt.Errorf("%w %q for a ratio (want %%)", ErrUnit, unit)
		}
		if v > 100 {
			return 0, fmt.Errorf("%w: %s%% is over 100%%", ErrValue, num)
		}
		return v, nil
	}
}

var timeUnits = map[string]float64{
	"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9,
}
