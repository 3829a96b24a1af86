// Package clock is the engine's notion of time: a real clock for shadow and
// soak runs, and a simulated clock that replays hours of market time in
// seconds.
//
// Time is int64 nanoseconds. The engine does three things with a clock: it
// reads the time (Now), it waits for simulated I/O (Sleep, SleepUntil: the
// simulated venue's latency), and it charges modeled compute (Work). On the
// real clock Now is a monotonic read, Sleep really sleeps and Work is a no-op
// (the compute really takes its time). On the simulated clock nothing reads
// the machine's clock: Now returns the virtual time, and Sleep and Work
// advance it, so a run is a pure function of its inputs and seed.
package clock

import "time"

// Clock is what the engine needs from time.
type Clock interface {
	// Now is the current time in nanoseconds since the Unix epoch.
	Now() int64
	// Sleep waits d nanoseconds (simulated I/O latency).
	Sleep(d int64)
	// SleepUntil waits until t; it returns at once when t is not in the future.
	SleepUntil(t int64)
	// Work charges d nanoseconds of modeled compute: the simulated clock
	// advances, the real clock ignores it (real compute costs real time).
	Work(d int64)
	// Simulated reports whether the clock is simulated.
	Simulated() bool
}

// Real is the machine's clock. The zero value is not usable: use NewReal.
type Real struct {
	base     time.Time
	baseUnix int64
}

// NewReal returns the real clock.
func NewReal() *Real {
	now := time.Now()
	return &Real{base: now, baseUnix: now.UnixNano()}
}

// Now is a monotonic reading expressed as Unix nanoseconds.
func (r *Real) Now() int64 { return r.baseUnix + int64(time.Since(r.base)) }

// Sleep sleeps d nanoseconds.
func (r *Real) Sleep(d int64) {
	if d > 0 {
		time.Sleep(time.Duration(d))
	}
}

// SleepUntil sleeps until t.
func (r *Real) SleepUntil(t int64) { r.Sleep(t - r.Now()) }

// Work is a no-op on the real clock.
func (r *Real) Work(int64) {}

// Simulated is false.
func (r *Real) Simulated() bool { return false }

// Sim is a simulated clock. Not safe for concurrent use: it belongs to one
// engine loop.
type Sim struct {
	now int64
}

// NewSim returns a simulated clock reading start (Unix nanoseconds).
func NewSim(start int64) *Sim { return &Sim{now: start} }

// Now is the virtual time.
func (s *Sim) Now() int64 { return s.now }

// Sleep advances virtual time by d.
func (s *Sim) Sleep(d int64) {
	if d > 0 {
		s.now += d
	}
}

// SleepUntil advances virtual time to t when t is later.
func (s *Sim) SleepUntil(t int64) {
	if t > s.now {
		s.now = t
	}
}

// Work advances virtual time by the modeled compute d.
func (s *Sim) Work(d int64) { s.Sleep(d) }

// Simulated is true.
func (s *Sim) Simulated() bool { return true }

// Set moves virtual time to t (used to start a run at a recording's start).
func (s *Sim) Set(t int64) { s.now = t }
