package breaker

import (
	"testing"
	"time"
)

func TestStateMachine(t *testing.T) {
	t.Parallel()
	type step struct {
		at      int64 // ms
		call    bool  // Allow then Record(ok)
		ok      bool
		allowed bool
		want    State
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"stays closed below threshold", []step{
			{0, true, false, true, Closed}, {1, true, false, true, Closed}, {2, true, true, true, Closed},
			{3, true, false, true, Closed}, {4, true, false, true, Closed},
		}},
		{"opens after three consecutive failures", []step{
			{0, true, false, true, Closed}, {1, true, false, true, Closed}, {2, true, false, true, Open},
		}},
		{"open refuses until cooldown", []step{
			{0, true, false, true, Closed}, {1, true, false, true, Closed}, {2, true, false, true, Open},
			{500, false, false, false, Open}, {1001, false, false, false, Open},
		}},
		{"half-open probe success closes", []step{
			{0, true, false, true, Closed}, {1, true, false, true, Closed}, {2, true, false, true, Open},
			{1002, true, true, true, Closed}, {1003, true, false, true, Closed},
		}},
		{"half-open probe failure reopens for another cooldown", []step{
			{0, true, false, true, Closed}, {1, true, false, true, Closed}, {2, true, false, true, Open},
			{1002, true, false, true, Open}, {1500, false, false, false, Open}, {2002, true, true, true, Closed},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := New("order_entry", 3, time.Second, true)
			for i, s := range tt.steps {
				now := s.at * int64(time.Millisecond)
				allowed := b.Allow(now)
				if allowed != s.allowed {
					t.Fatalf("step %d: Allow = %v, want %v", i, allowed, s.allowed)
				}
				if allowed && s.call {
					b.Record(s.ok, now)
				}
				if b.State() != s.want {
					t.Fatalf("step %d: state %v, want %v", i, b.State(), s.want)
				}
			}
		})
	}
}

func TestHalfOpenAllowsOneProbe(t *testing.T) {
	t.Parallel()
	b := New("venue_md", 1, 0, false)
	b.Allow(0)
	b.Record(false, 0)
	if !b.IsOpen() || b.Trips() != 1 {
		t.Fatalf("got open %v trips %d, want open after one failure", b.IsOpen(), b.Trips())
	}
	if !b.Allow(1) {
		t.Fatal("first probe refused")
	}
	if b.Allow(1) {
		t.Fatal("second concurrent probe allowed")
	}
	if b.State().String() != "half-open" || b.Name() != "venue_md" || b.Critical() {
		t.Fatalf("got %v %q %v", b.State(), b.Name(), b.Critical())
	}
}
