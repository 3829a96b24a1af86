package editdist

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"deadline", "deadline", 0},
		{"deadline", "deadlne", 1},   // a deletion
		{"deadline", "deadlinee", 1}, // an insertion
		{"deadline", "deadlime", 1},  // a substitution
		{"deadline", "daedline", 1},  // a transposition
		{"mm_ticks_total", "hb_ticks_total", 2},
		{"kitten", "sitting", 3},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q): got %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
