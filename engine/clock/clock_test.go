package clock

import (
	"testing"
	"time"
)

func TestSimAdvancesOnlyWhenTold(t *testing.T) {
	t.Parallel()
	s := NewSim(1000)
	if s.Now() != 1000 || !s.Simulated() {
		t.Fatalf("got now %d simulated %v, want 1000 true", s.Now(), s.Simulated())
	}
	s.Sleep(50)
	s.Work(25)
	s.Sleep(-10)
	if s.Now() != 1075 {
		t.Fatalf("got %d, want 1075", s.Now())
	}
	s.SleepUntil(1000)
	if s.Now() != 1075 {
		t.Fatalf("SleepUntil the past moved the clock to %d", s.Now())
	}
	s.SleepUntil(2000)
	if s.Now() != 2000 {
		t.Fatalf("got %d, want 2000", s.Now())
	}
}

func TestRealIsMonotonicAndSleeps(t *testing.T) {
	t.Parallel()
	r := NewReal()
	a := r.Now()
	r.Work(int64(time.Hour)) // no-op
	r.Sleep(int64(2 * time.Millisecond))
	b := r.Now()
	if b-a < int64(2*time.Millisecond) || b-a > int64(time.Minute) {
		t.Fatalf("slept %v, want about 2ms", time.Duration(b-a))
	}
	if r.Simulated() {
		t.Fatal("real clock says simulated")
	}
}
