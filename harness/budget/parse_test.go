package budget

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target, expr string
		wantAgg      Aggregate
		wantOp       Op
		wantThr      float64
	}{
		{"fetch_md", "p(95) < 35ms", Aggregate{"p", 95}, Less, 35e6},
		{"fetch_md", "p(95)<35ms", Aggregate{"p", 95}, Less, 35e6},
		{"tick_total", "p(99.9) <= 0.25s", Aggregate{"p", 99.9}, LessEqual, 250e6},
		{"submit", "med < 800us", Aggregate{"p", 50}, Less, 800e3},
		{"quote", "max < 2µs", Aggregate{"max", 0}, Less, 2e3},
		{"risk", "avg < 100ns", Aggregate{"avg", 0}, Less, 100},
		{"spread", "p(0) > 0ns", Aggregate{"p", 0}, Greater, 0},
		{"fair_value", "p(100) < 1s", Aggregate{"p", 100}, Less, 1e9},
		{"deadline_miss", "rate < 2%", Aggregate{"rate", 0}, Less, 2},
		{"deadline_miss", "< 0.5%", Aggregate{"rate", 0}, Less, 0.5},
		{"md_cache_hit_ratio", ">= 70%", Aggregate{"rate", 0}, GreaterEqual, 70},
		{"md_cache_hit_ratio", "rate>=70%", Aggregate{"rate", 0}, GreaterEqual, 70},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+tt.expr, func(t *testing.T) {
			t.Parallel()
			b, err := Parse(tt.target, tt.expr)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if b.Agg != tt.wantAgg || b.Op != tt.wantOp || b.Threshold != tt.wantThr {
				t.Errorf("got agg %+v op %q threshold %g, want %+v %q %g", b.Agg, b.Op, b.Threshold, tt.wantAgg, tt.wantOp, tt.wantThr)
			}
			if b.String() != tt.target+": "+tt.expr {
				t.Errorf("String() = %q", b.String())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target, expr string
		want         error
	}{
		{"fetch_mdx", "p(95) < 35ms", ErrUnknownTarget},
		{"", "p(95) < 35ms", ErrUnknownTarget},
		{"fetch_md", "p(101) < 35ms", ErrPercentile},
		{"fetch_md", "p(-1) < 35ms", ErrPercentile},
		{"fetch_md", "p(x) < 35ms", ErrPercentile},
		{"fetch_md", "p(95 < 35ms", ErrSyntax},
		{"fetch_md", "", ErrSyntax},
		{"fetch_md", "p(95) < 35", ErrUnit},
		{"fetch_md", "p(95) < 35m", ErrUnit},
		{"fetch_md", "p(95) < 35%", ErrUnit},
		{"deadline_miss", "rate < 2ms", ErrUnit},
		{"deadline_miss", "rate < 2", ErrUnit},
		{"deadline_miss", "rate < 120%", ErrValue},
		{"fetch_md", "p(95) == 35ms", ErrOperator},
		{"fetch_md", "p(95) = 35ms", ErrOperator},
		{"fetch_md", "p(95) != 35ms", ErrOperator},
		{"fetch_md", "p(95) <> 35ms", ErrOperator},
		{"fetch_md", "p(95) 35ms", ErrOperator},
		{"fetch_md", "p(95) < ms", ErrValue},
		{"fetch_md", "p(95) < -3ms", ErrValue},
		{"fetch_md", "< 35ms", ErrAggregate},
		{"fetch_md", "rate < 35ms", ErrAggregate},
		{"fetch_md", "p95 < 35ms", ErrAggregate},
		{"md_cache_hit_ratio", "p(95) >= 70%", ErrAggregate},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+tt.expr, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.target, tt.expr)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q, %q) error = %v, want %v", tt.target, tt.expr, err, tt.want)
			}
			prefix := `failed parsing budget "` + tt.target + ": " + tt.expr + `": `
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
		})
	}
}
