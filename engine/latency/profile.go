// Package latency is a latency profile: how long each of the engine's
// dependencies takes to answer (venue market data, order entry, an MD-cache
// hit) and how much compute each pipeline stage is modeled to cost on the
// simulated clock. Profiles are data (fixtures/latency/*.yaml):
//
//	dependencies:
//	  venue_md:    {dist: lognormal, p50: 18ms, p95: 30ms, max: 250ms}
//	  order_entry: {dist: lognormal, p50: 4ms, p95: 9ms, max: 200ms}
//	  md_cache:    {dist: lognormal, p50: 40us, p95: 90us, max: 2ms}
//	compute:
//	  fair_value: {dist: constant, value: 150ns}
//	  ...
//
// A distribution is constant (value), uniform (min, max) or lognormal (p50,
// p95: mu = ln p50, sigma = ln(p95/p50)/1.645), optionally clamped to max.
// Sampling takes the caller's seeded generator, so a run is reproducible.
package latency

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// Dependency and stage names a profile may set.
const (
	VenueMD    = "venue_md"
	OrderEntry = "order_entry"
	MDCache    = "md_cache"
)

// ComputeStages are the stages whose compute a profile models.
var ComputeStages = []string{"fetch_md", "fair_value", "spread", "quote", "risk", "submit"}

// Dist is one latency distribution.
type Dist struct {
	// Kind is "constant", "uniform" or "lognormal".
	Kind string `yaml:"dist"`
	// Value is the constant's value.
	Value time.Duration `yaml:"value"`
	// Min and Max bound a uniform distribution; Max also clamps a lognormal (0 = no clamp).
	Min time.Duration `yaml:"min"`
	Max time.Duration `yaml:"max"`
	// P50 and P95 shape a lognormal.
	P50 time.Duration `yaml:"p50"`
	P95 time.Duration `yaml:"p95"`

	mu, sigma float64
	kind      uint8 // kindConstant.. once prepared; 0 samples 0
}

const (
	kindUnset uint8 = iota
	kindConstant
	kindUniform
	kindLognormal
)

// Profile is a latency profile.
type Profile struct {
	// Dependencies by name: venue_md, order_entry, md_cache.
	Dependencies map[string]Dist `yaml:"dependencies"`
	// Compute is the modeled compute of each stage (simulated clock only).
	Compute map[string]Dist `yaml:"compute"`
}

// Load reads and validates a profile file.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load latency profile: %w", err)
	}
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("load latency profile %s: %w", path, err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("load latency profile %s: %w", path, err)
	}
	return &p, nil
}

// Default is the profile of fixtures/latency/default.yaml, for callers that
// name none.
func Default() *Profile {
	us := time.Microsecond
	ns := time.Nanosecond
	p := &Profile{
		Dependencies: map[string]Dist{
			VenueMD:    {Kind: "lognormal", P50: 18 * time.Millisecond, P95: 30 * time.Millisecond, Max: 250 * time.Millisecond},
			OrderEntry: {Kind: "lognormal", P50: 4 * time.Millisecond, P95: 9 * time.Millisecond, Max: 200 * time.Millisecond},
			MDCache:    {Kind: "lognormal", P50: 40 * us, P95: 90 * us, Max: 2 * time.Millisecond},
		},
		Compute: map[string]Dist{
			"fetch_md":   {Kind: "constant", Value: 300 * ns},
			"fair_value": {Kind: "constant", Value: 150 * ns},
			"spread":     {Kind: "constant", Value: 100 * ns},
			"quote":      {Kind: "constant", Value: 400 * ns},
			"risk":       {Kind: "constant", Value: 200 * ns},
			"submit":     {Kind: "constant", Value: 500 * ns},
		},
	}
	if err := p.Validate(); err != nil {
		panic(err) // a programming error in the literal above
	}
	return p
}

// Validate checks every distribution and prepares lognormal parameters; all
// problems are reported in one error.
func (p *Profile) Validate() error {
	var errs []error
	for _, dep := range []string{VenueMD, OrderEntry, MDCache} {
		if _, ok := p.Dependencies[dep]; !ok {
			errs = append(errs, fmt.Errorf("dependencies.%s: missing", dep))
		}
	}
	for name, d := range p.Dependencies {
		switch name {
		case VenueMD, OrderEntry, MDCache:
		default:
			errs = append(errs, fmt.Errorf("dependencies.%s: unknown dependency", name))
		}
		if err := d.prepare(); err != nil {
			errs = append(errs, fmt.Errorf("dependencies.%s: %w", name, err))
		}
		p.Dependencies[name] = d
	}
	for name, d := range p.Compute {
		known := false
		for _, s := range ComputeStages {
			known = known || s == name
		}
		if !known {
			errs = append(errs, fmt.Errorf("compute.%s: unknown stage", name))
		}
		if err := d.prepare(); err != nil {
			errs = append(errs, fmt.Errorf("compute.%s: %w", name, err))
		}
		p.Compute[name] = d
	}
	return errors.Join(errs...)
}

func (d *Dist) prepare() error {
	switch d.Kind {
	case "constant":
		if d.Value < 0 {
			return fmt.Errorf("constant value %v is negative", d.Value)
		}
		d.kind = kindConstant
	case "uniform":
		if d.Min < 0 || d.Max < d.Min {
			return fmt.Errorf("uniform needs 0 <= min <= max, got min %v max %v", d.Min, d.Max)
		}
		d.kind = kindUniform
	case "lognormal":
		if d.P50 <= 0 || d.P95 < d.P50 {
			return fmt.Errorf("lognormal needs 0 < p50 <= p95, got p50 %v p95 %v", d.P50, d.P95)
		}
		if d.Max != 0 && d.Max < d.P95 {
			return fmt.Errorf("lognormal max %v is below p95 %v", d.Max, d.P95)
		}
		d.kind = kindLognormal
		d.mu = math.Log(float64(d.P50))
		d.sigma = math.Log(float64(d.P95)/float64(d.P50)) / 1.6448536269514722
	default:
		return fmt.Errorf("dist %q: want constant, uniform or lognormal", d.Kind)
	}
	return nil
}

// Sample draws one latency in nanoseconds; a Dist that was not validated
// (Profile.Validate, Load) samples 0. It never allocates.
func (d *Dist) Sample(r *rand.Rand) int64 {
	switch d.kind {
	case kindConstant:
		return int64(d.Value)
	case kindUniform:
		if d.Max == d.Min {
			return int64(d.Min)
		}
		return int64(d.Min) + r.Int64N(int64(d.Max-d.Min)+1)
	case kindLognormal:
		v := math.Exp(d.mu + d.sigma*r.NormFloat64())
		if d.Max > 0 && v > float64(d.Max) {
			v = float64(d.Max)
		}
		return int64(v)
	}
	return 0
}

// Median is the distribution's median in nanoseconds (constant: the value;
// uniform: the midpoint).
func (d *Dist) Median() int64 {
	switch d.Kind {
	case "constant":
		return int64(d.Value)
	case "uniform":
		return int64(d.Min+d.Max) / 2
	case "lognormal":
		return int64(d.P50)
	}
	return 0
}
