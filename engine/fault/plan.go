// Package fault is fault injection as data: a Plan is a list of faults, each
// with a kind, a start (offset from the run's start), a duration and a
// magnitude, read from fixtures/faults/*.yaml:
//
//	faults:
//	  - kind: venue_latency_spike
//	    start: 10m
//	    duration: 5m
//	    magnitude: 4        # latency multiplier
//
// Kinds and what magnitude means:
//
//	feed_stall           venue market data stops: the stream no longer refreshes the MD
//	                     cache, and every venue fetch times out after magnitude
//	                     milliseconds (default 100) and fails
//	venue_latency_spike  venue latencies (market data and order entry) x magnitude (> 1)
//	venue_error_burst    a fraction magnitude (0..1] of venue calls fail
//	cache_degradation    a fraction magnitude (0..1] of MD-cache lookups miss (fetch_md's,
//	                     counted, and the quote and risk re-reads)
//	memory_leak          resident memory grows magnitude MB per hour of the fault,
//	                     bounded by magnitude x duration, released when it ends
//	aggressive_quoting   quotes cross the book by magnitude bps (> 0): taker fills;
//	                     models a risk-check bug, so it bypasses the taker cap
//	venue_outage         order entry fails on every call (magnitude unused): the
//	                     critical order_entry breaker opens and stays open
//	market_trend         the venue's market falls magnitude bps per minute (default
//	                     300) while the fault is on and stays where it fell: adverse
//	                     selection, the bot's bids fill as the market comes down
//	                     through them, so inventory runs to risk.max_inventory and
//	                     the mark-to-market PnL draws down
//	one_sided_quoting    the bot stops quoting its ask (magnitude unused): models a
//	                     quoting bug; the resting ask is cancelled, only the bid rests
//
// Faults may overlap; for one kind the largest active magnitude wins. A plan
// can schedule faults anywhere in a 72-hour (or longer) run.
package fault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// Kind is a fault kind.
type Kind uint8

// The fault kinds.
const (
	FeedStall Kind = iota
	VenueLatencySpike
	VenueErrorBurst
	CacheDegradation
	MemoryLeak
	AggressiveQuoting
	VenueOutage
	MarketTrend
	OneSidedQuoting
	NumKinds
)

var kindNames = [NumKinds]string{
	"feed_stall", "venue_latency_spike", "venue_error_burst", "cache_degradation",
	"memory_leak", "aggressive_quoting", "venue_outage", "market_trend", "one_sided_quoting",
}

// String is the kind's name as written in a plan.
func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind maps a name to its Kind.
func ParseKind(name string) (Kind, error) {
	for i, n := range kindNames {
		if n == name {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("parse fault kind %q: %w", name, ErrUnknownKind)
}

// Kinds lists every kind.
func Kinds() []Kind {
	ks := make([]Kind, NumKinds)
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// UnmarshalYAML reads a kind by name.
func (k *Kind) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := ParseKind(s)
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// MarshalYAML writes a kind by name.
func (k Kind) MarshalYAML() (any, error) { return k.String(), nil }

// ErrUnknownKind is returned for a kind name that is not one of Kinds.
var ErrUnknownKind = errors.New("unknown fault kind")

// Fault is one scheduled fault.
type Fault struct {
	// Kind is what goes wrong.
	Kind Kind `yaml:"kind"`
	// Start is the offset from the start of the run.
	Start time.Duration `yaml:"start"`
	// Duration is how long it lasts (> 0).
	Duration time.Duration `yaml:"duration"`
	// Magnitude is kind-specific (see the package doc); 0 means the kind's default.
	Magnitude float64 `yaml:"magnitude"`
}

// End is the offset at which the fault stops.
func (f Fault) End() time.Duration { return f.Start + f.Duration }

// Plan is a fault plan.
type Plan struct {
	// Name is informational (e.g. the file's base name).
	Name string `yaml:"name"`
	// Faults are the scheduled faults, in any order.
	Faults []Fault `yaml:"faults"`
}

// DefaultMagnitude is the magnitude used when a fault gives 0.
func DefaultMagnitude(k Kind) float64 {
	switch k {
	case FeedStall:
		return 100 // ms fetch timeout
	case VenueLatencySpike:
		return 5
	case VenueErrorBurst:
		return 0.5
	case CacheDegradation:
		return 1
	case MemoryLeak:
		return 200 // MB per hour
	case AggressiveQuoting:
		return 5 // bps through the book
	case MarketTrend:
		return 300 // bps per minute, down
	}
	return 1
}

// Load reads and validates a plan file.
func Load(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load fault plan: %w", err)
	}
	var p Plan
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("load fault plan %s: %w", path, err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("load fault plan %s: %w", path, err)
	}
	return &p, nil
}

// Validate reports every problem of the plan in one error.
func (p *Plan) Validate() error {
	var errs []error
	for i, f := range p.Faults {
		at := fmt.Sprintf("faults[%d] (%s)", i, f.Kind)
		if f.Kind >= NumKinds {
			errs = append(errs, fmt.Errorf("%s: %w", at, ErrUnknownKind))
		}
		if f.Start < 0 {
			errs = append(errs, fmt.Errorf("%s: start %v is negative", at, f.Start))
		}
		if f.Duration <= 0 {
			errs = append(errs, fmt.Errorf("%s: duration %v, want > 0", at, f.Duration))
		}
		m := f.Magnitude
		switch {
		case m < 0:
			errs = append(errs, fmt.Errorf("%s: magnitude %v is negative", at, m))
		case (f.Kind == VenueErrorBurst || f.Kind == CacheDegradation) && m > 1:
			errs = append(errs, fmt.Errorf("%s: magnitude %v is a fraction, want 0..1", at, m))
		case f.Kind == VenueLatencySpike && m != 0 && m < 1:
			errs = append(errs, fmt.Errorf("%s: magnitude %v is a multiplier, want >= 1", at, m))
		}
	}
	return errors.Join(errs...)
}
