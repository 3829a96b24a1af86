package criteria

import (
	"math"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/signal"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// missSpec is one criterion: deadline_miss_pct op threshold over a 1m window,
// for forDur, evaluated every minute.
func missSpec(t testing.TB, op Op, threshold float64, forDur time.Duration) *Spec {
	t.Helper()
	s := &Spec{Version: 1, EvaluationInterval: time.Minute, Criteria: []Criterion{{
		Name: "miss", Signal: signal.DeadlineMissPct, Op: op, Threshold: threshold,
		Window: time.Minute, For: forDur, Severity: Stop, Description: "d", Action: "a",
	}}}
	must(t, s.Validate())
	return s
}

// missSeries makes one sample a minute; pcts[k] is the miss percentage of
// the minute ending at t0+k min (NaN: no sample at that minute). 1000 ticks
// a minute.
func missSeries(pcts []float64) ([]signal.Sample, []time.Time) {
	var ss []signal.Sample
	var at []time.Time
	ticks, misses := 0.0, 0.0
	ss = append(ss, signal.Sample{At: t0, Up: true})
	for k, p := range pcts {
		ts := t0.Add(time.Duration(k+1) * time.Minute)
		at = append(at, ts)
		if math.IsNaN(p) {
			ticks += 1000 // the bot ticks on; nobody reads it
			continue
		}
		ticks += 1000
		misses += p * 10
		ss = append(ss, signal.Sample{At: ts, Up: true, Ticks: ticks, DeadlineMisses: misses})
	}
	return ss, at
}

func min(k int) time.Time { return t0.Add(time.Duration(k) * time.Minute) }

func TestEvaluateForSemantics(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	type want struct {
		pending, firing int // minute of first pending / firing; -1: never
		final           State
	}
	cases := []struct {
		name      string
		op        Op
		threshold float64
		forDur    time.Duration
		pcts      []float64
		want      want
	}{
		{"exactly at threshold does not hold for >", Greater, 5, 3 * time.Minute,
			[]float64{5, 5, 5, 5, 5, 5}, want{-1, -1, Inactive}},
		{"exactly at threshold holds for >=", GreaterEqual, 5, 3 * time.Minute,
			[]float64{5, 5, 5, 5, 5, 5}, want{1, 4, Firing}},
		{"fires exactly at the for-duration", Greater, 5, 3 * time.Minute,
			[]float64{0, 9, 9, 9, 9}, want{2, 5, Firing}},
		{"one interval short of the for-duration stays pending", Greater, 5, 3 * time.Minute,
			[]float64{0, 9, 9, 9}, want{2, -1, Pending}},
		{"for 0 fires at the first evaluation that holds", Greater, 5, 0,
			[]float64{0, 0, 9}, want{-1, 3, Firing}},
		{"flapping never fires", Greater, 5, 3 * time.Minute,
			[]float64{9, 9, 9, 0, 9, 9, 9, 0, 9, 9, 9, 0}, want{1, -1, Inactive}},
		{"one evaluation that does not hold resets the timer", Greater, 5, 3 * time.Minute,
			[]float64{9, 9, 9, 0, 9, 9, 9, 9}, want{1, 8, Firing}},
		{"firing resolves when the condition stops holding", Greater, 5, 2 * time.Minute,
			[]float64{9, 9, 9, 0}, want{1, 3, Inactive}},
		{"no data freezes pending; the gap counts toward for", Greater, 5, 3 * time.Minute,
			[]float64{9, nan, nan, 9, 9}, want{1, 5, Firing}}, // minute 4 has one sample in its window: still no data
		{"no data never fires by itself", Greater, 5, 3 * time.Minute,
			[]float64{9, nan, nan, nan, nan, nan}, want{1, -1, Pending}},
		{"no data never resets a firing criterion", Greater, 5, time.Minute,
			[]float64{9, 9, nan, nan}, want{1, 2, Firing}},
		{"no data from the start stays inactive", Greater, 5, time.Minute,
			[]float64{nan, nan, nan}, want{-1, -1, Inactive}},
		{"below threshold with < holds", Less, 50, 2 * time.Minute,
			[]float64{60, 40, 40, 40}, want{2, 4, Firing}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec := missSpec(t, tc.op, tc.threshold, tc.forDur)
			ss, at := missSeries(tc.pcts)
			tr := EvaluateSeries(spec, signal.Options{}, ss, at)
			check := func(what string, got time.Time, ok bool, wantMin int) {
				t.Helper()
				if wantMin < 0 {
					if ok {
						t.Fatalf("%s: got %v, want never", what, got.Sub(t0))
					}
					return
				}
				if !ok || !got.Equal(min(wantMin)) {
					t.Fatalf("%s: got %v (ok %v), want %v; transitions %+v", what, got.Sub(t0), ok, time.Duration(wantMin)*time.Minute, tr.Transitions)
				}
			}
			p, okp := tr.FirstPending("miss")
			check("first pending", p, okp, tc.want.pending)
			f, okf := tr.FirstFiring("miss")
			check("first firing", f, okf, tc.want.firing)
			equal(t, tr.Final[0].State, tc.want.final, "final state")
		})
	}
}

func TestEvaluateNoDataIsReported(t *testing.T) {
	t.Parallel()
	spec := missSpec(t, Greater, 5, time.Minute)
	e := NewEvaluator(spec, signal.Options{})
	res, _ := e.Evaluate(t0)
	equal(t, res[0].Value.OK, false, "no samples")
	equal(t, res[0].Evaluated, 0)
	if res[0].Value.Reason == "" {
		t.Fatal("no-data value without a reason")
	}
}

func TestEvaluateSurvivesCounterReset(t *testing.T) {
	t.Parallel()
	spec := missSpec(t, Greater, 5, 0)
	// 1% misses throughout; the bot restarts between minute 2 and 3.
	ss := []signal.Sample{
		{At: min(0), Up: true, Ticks: 50000, DeadlineMisses: 500},
		{At: min(1), Up: true, Ticks: 51000, DeadlineMisses: 510},
		{At: min(2), Up: true, Ticks: 52000, DeadlineMisses: 520},
		{At: min(3), Up: true, Ticks: 1000, DeadlineMisses: 10},
		{At: min(4), Up: true, Ticks: 2000, DeadlineMisses: 20},
	}
	tr := EvaluateSeries(spec, signal.Options{}, ss, []time.Time{min(1), min(2), min(3), min(4)})
	if len(tr.Transitions) != 0 {
		t.Fatalf("got transitions %+v across a restart, want none", tr.Transitions)
	}
	equal(t, tr.Final[0].Value.V, 1.0, "miss pct after the reset")
}

func TestEvaluatorMemoryIsBounded(t *testing.T) {
	t.Parallel()
	spec := missSpec(t, Greater, 5, time.Minute)
	e := NewEvaluator(spec, signal.Options{})
	for k := 0; k < 20000; k++ {
		at := t0.Add(time.Duration(k) * time.Second)
		e.Observe(signal.Sample{At: at, Up: true, Ticks: float64(k * 10)})
		e.Evaluate(at)
	}
	if n := e.series.Len(); n > 200 {
		t.Fatalf("series holds %d samples for a 1m window at 1 s, want <= 200", n)
	}
}
