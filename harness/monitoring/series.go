package monitoring

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Series is one synthetic input series made of linear phases.
type Series struct {
	Metric string
	Labels map[string]string
	Phases []Phase

	role  role
	stage string // histogram buckets: the stage; breakers: the breaker
	le    float64
}

// Phase is Count samples starting at Start, each Step above the one before
// (promtool's "Start+StepxN" notation, N = Count-1).
type Phase struct {
	Start, Step float64
	Count       int
}

type role int

const (
	roleTicks role = iota
	roleMisses
	roleErrors
	roleHits
	roleCacheMisses
	roleMaker
	roleTaker
	roleResident
	roleBreaker
	roleUp
	roleBucket
	roleBaseline
	roleDeclared // a profile-declared signal's series; stage holds its name
)

// counterBase is where every synthetic counter starts.
const counterBase = 1e12

// faultScale is how many times larger a fault's increments are than the
// healthy ones.
const faultScale = 1e9

// buckets are the synthetic histograms' upper bounds (seconds).
var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, math.Inf(1)}

// TestBaseline is the baseline a p95-regression scenario assumes when the
// model has none.
var TestBaseline = map[string]float64{"fetch_md": 0.02, "tick_total": 0.1}

// Values are the series' samples, computed as promtool expands its notation
// (repeated addition).
func (s Series) Values() []float64 {
	var out []float64
	for _, p := range s.Phases {
		v := p.Start
		for i := 0; i < p.Count; i++ {
			if i > 0 {
				v += p.Step
			}
			out = append(out, v)
		}
	}
	return out
}

// Notation is the series' values in promtool's expanding notation.
func (s Series) Notation() string {
	parts := make([]string, 0, len(s.Phases))
	for _, p := range s.Phases {
		if p.Count == 1 {
			parts = append(parts, num(p.Start))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s%sx%d", num(p.Start), signed(p.Step), p.Count-1))
	}
	return strings.Join(parts, " ")
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func signed(v float64) string {
	if v < 0 {
		return num(v)
	}
	return "+" + num(v)
}

// Selector is the series in PromQL selector syntax.
func (s Series) Selector() string {
	keys := sortedKeys(s.Labels)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%q", k, s.Labels[k]))
	}
	return s.Metric + "{" + strings.Join(parts, ", ") + "}"
}

// linear is a series healthy for `healthy` samples (step h) then faulty
// (step f) until n samples, starting at start.
func linear(start, h, f float64, healthy, n int) []Phase {
	if healthy >= n {
		return []Phase{{Start: start, Step: h, Count: n}}
	}
	ps := []Phase{}
	v := start
	if healthy > 0 {
		ps = append(ps, Phase{Start: start, Step: h, Count: healthy})
		v = start + h*float64(healthy-1)
	}
	ps = append(ps, Phase{Start: v + f, Step: f, Count: n - healthy})
	if healthy == 0 {
		ps[0].Start = start
	}
	return ps
}

// phasesOf encodes values as runs of a constant step.
func phasesOf(vals []float64) []Phase {
	var out []Phase
	for i := 0; i < len(vals); {
		if i == len(vals)-1 {
			out = append(out, Phase{Start: vals[i], Count: 1})
			break
		}
		step := vals[i+1] - vals[i]
		j := i + 1
		for j+1 < len(vals) && vals[j+1]-vals[j] == step {
			j++
		}
		out = append(out, Phase{Start: vals[i], Step: step, Count: j - i + 1})
		i = j + 1
	}
	return out
}
