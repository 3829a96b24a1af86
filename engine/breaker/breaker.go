// Package breaker is a circuit breaker per engine dependency (venue market
// data, order entry): closed, open, half-open.
//
// Closed: calls go through; FailureThreshold consecutive failures open it.
// Open: calls are refused until Cooldown has passed since it opened; then the
// next Allow moves it to half-open and lets one probe through.
// Half-open: the probe's success closes it, its failure opens it again for
// another cool-down. Time is passed in (nanoseconds) so the breaker works on
// the simulated clock; it never reads the machine's clock.
package breaker

import "time"

// State is a breaker's state.
type State uint8

// States.
const (
	Closed State = iota
	Open
	HalfOpen
)

func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return "unknown"
}

// Breaker is one dependency's breaker. Not safe for concurrent use.
type Breaker struct {
	name      string
	critical  bool
	threshold int
	cooldown  int64

	state    State
	failures int
	openedAt int64
	trips    uint64
	probing  bool
}

// New returns a closed breaker. threshold < 1 is treated as 1; cooldown <= 0
// makes an open breaker half-open on the next call.
func New(name string, threshold int, cooldown time.Duration, critical bool) *Breaker {
	if threshold < 1 {
		threshold = 1
	}
	return &Breaker{name: name, critical: critical, threshold: threshold, cooldown: int64(cooldown)}
}

// Name is the dependency's name.
func (b *Breaker) Name() string { return b.name }

// Critical reports whether the breaker is on the critical path.
func (b *Breaker) Critical() bool { return b.critical }

// State is the current state (as of the last Allow or Record).
func (b *Breaker) State() State { return b.state }

// IsOpen reports whether calls are being refused or probed (open or half-open).
func (b *Breaker) IsOpen() bool { return b.state != Closed }

// Trips counts transitions into open.
func (b *Breaker) Trips() uint64 { return b.trips }

// Allow reports whether a call may be made at now.
func (b *Breaker) Allow(now int64) bool {
	switch b.state {
	case Closed:
		return true
	case Open:
		if now-b.openedAt >= b.cooldown {
			b.state = HalfOpen
			b.probing = true
			return true
		}
		return false
	default: // half-open: one probe at a time
		if b.probing {
			return false
		}
		b.probing = true
		return true
	}
}

// Record reports the outcome of an allowed call at now.
func (b *Breaker) Record(ok bool, now int64) {
	switch b.state {
	case Closed:
		if ok {
			b.failures = 0
			return
		}
		b.failures++
		if b.failures >= b.threshold {
			b.open(now)
		}
	case HalfOpen:
		b.probing = false
		if ok {
			b.state = Closed
			b.failures = 0
			return
		}
		b.open(now)
	}
}

func (b *Breaker) open(now int64) {
	b.state = Open
	b.openedAt = now
	b.failures = 0
	b.trips++
}
