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

// missSeries makes two samples a minute (at k-30s and k); pcts[k] is the
// miss percentage of the minute ending at t0+k min (NaN: no sample in that
// minute). 1000 ticks a minute. A 1m window at minute k holds the two
// samples of that minute: Prometheus 3 excludes the one a minute old.
func missSeries(pcts []float64) ([]signal.Sample, []time.Time) {
	var ss []signal.Sample
	var at []time.Time
	ticks, misses := 0.0, 0.0
	ss = append(ss, signal.Sample{At: t0, Up: true})
	for k, p := range pcts {
		ts := t0.Add(time.Duration(k+1) * time.Minute)
		at = append(at, ts)
		for _, half := range []time.Time{ts.Add(-30 * time.Second), ts} {
			ticks += 500 // the bot ticks on, read or not
			if math.IsNaN(p) {
				continue
			}
			misses += p * 5
			ss = append(ss, signal.Sample{At: half, Up: true, Ticks: ticks, DeadlineMisses: misses})
		}
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
		// No data resets, as Prometheus drops an alert whose expression
		// returns nothing: the for-duration starts again when data returns.
		{"no data resets pending; the gap does not count toward for", Greater, 5, 3 * time.Minute,
			[]float64{9, nan, nan, 9, 9, 9, 9}, want{1, 7, Firing}},
		{"no data never fires by itself", Greater, 5, 3 * time.Minute,
			[]float64{9, nan, nan, nan, nan, nan}, want{1, -1, Inactive}},
		{"no data resolves a firing criterion", Greater, 5, time.Minute,
			[]float64{9, 9, nan, nan}, want{1, 2, Inactive}},
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
	// 1% misses throughout, a sample every 30s; the bot restarts between
	// 1m30s and 2m.
	half := func(h int) time.Time { return t0.Add(time.Duration(h) * 30 * time.Second) }
	ss := []signal.Sample{
		{At: half(0), Up: true, Ticks: 50000, DeadlineMisses: 500},
		{At: half(1), Up: true, Ticks: 50500, DeadlineMisses: 505},
		{At: half(2), Up: true, Ticks: 51000, DeadlineMisses: 510},
		{At: half(3), Up: true, Ticks: 51500, DeadlineMisses: 515},
		{At: half(4), Up: true, Ticks: 500, DeadlineMisses: 5},
		{At: half(5), Up: true, Ticks: 1000, DeadlineMisses: 10},
	}
	tr := EvaluateSeries(spec, signal.Options{}, ss, []time.Time{half(2), half(3), half(4), half(5)})
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

// TestEvaluateNoDataAgreesWithPrometheus is the review's experiment for
// taker_share_stop (> 15% over 15m, for 1h): taker fills for one minute,
// then two hours without any fill, then one more minute of taker fills.
// The generated alert's expression returns nothing while there are no
// fills, so Prometheus drops the pending alert and never fires; presoak used
// to keep it pending through the gap and fired at +2h16m.
func TestEvaluateNoDataAgreesWithPrometheus(t *testing.T) {
	t.Parallel()
	spec := &Spec{Version: 1, EvaluationInterval: 15 * time.Second, Criteria: []Criterion{{
		Name: "taker_share_stop", Signal: signal.TakerSharePct, Op: Greater, Threshold: 15,
		Window: 15 * time.Minute, For: time.Hour, Severity: Stop, Description: "d", Action: "a",
	}}}
	must(t, spec.Validate())
	var ss []signal.Sample
	var at []time.Time
	maker, taker := 1000.0, 0.0
	for k := 0; k <= 4*180; k++ { // 3h at 15s
		ts := t0.Add(time.Duration(k) * 15 * time.Second)
		switch m := k / 4; {
		case m < 15: // healthy: maker fills only
			maker += 10
		case m == 15 || m == 136: // the breaching minutes: all taker
			taker += 10
		case m > 136: // healthy again
			maker += 10
		} // minutes 16..135: no fills at all
		ss = append(ss, signal.Sample{At: ts, Up: true, Ticks: float64(k), MakerVolume: maker, TakerVolume: taker})
		at = append(at, ts)
	}
	tr := EvaluateSeries(spec, signal.Options{}, ss, at)
	if f, ok := tr.FirstFiring("taker_share_stop"); ok {
		t.Fatalf("taker_share_stop fired at +%v; Prometheus drops the pending alert while there are no fills and never fires", f.Sub(t0))
	}
	if _, ok := tr.FirstPending("taker_share_stop"); !ok {
		t.Fatal("taker_share_stop never went pending: the breaching minute proves nothing")
	}
	var resets []time.Duration
	for _, x := range tr.Transitions {
		if x.To == Inactive && !x.Value.OK {
			resets = append(resets, x.At.Sub(t0))
		}
	}
	// The last fill (between 15m30s and 15m45s) leaves the 15m window when
	// 15m30s is its left edge, at 30m30s (the edge is out): no fills in the
	// window, no data, reset.
	if len(resets) == 0 || resets[0] != 30*time.Minute+30*time.Second {
		t.Fatalf("resets on no data at %v, want the first at +30m30s", resets)
	}
}

// TestCriticalBreakerJudgesHowLongItHasBeenOpen is the review's experiment
// on the shipped critical_breaker_stop ("open for more than 5 minutes";
// samples every second, evaluations every 15s): a breaker open for 4m50s
// must not fire, one open for 5m10s must, whatever the phase of the
// evaluations against the opening. A max over a 1m window with for: 5m
// fired on 4m10s of open breaker.
func TestCriticalBreakerJudgesHowLongItHasBeenOpen(t *testing.T) {
	t.Parallel()
	full, err := Load("../../fixtures/criteria.yaml")
	must(t, err)
	c, ok := full.ByName("critical_breaker_stop")
	if !ok {
		t.Fatal("fixtures/criteria.yaml has no critical_breaker_stop")
	}
	spec := &Spec{Version: 1, EvaluationInterval: full.EvaluationInterval, Criteria: []Criterion{c}}
	for _, tc := range []struct {
		open time.Duration
		fire bool
	}{{4*time.Minute + 10*time.Second, false}, {4*time.Minute + 50*time.Second, false}, {5*time.Minute + 10*time.Second, true}, {6 * time.Minute, true}} {
		for phase := time.Duration(0); phase < spec.EvaluationInterval; phase += 2 * time.Second {
			opens := t0.Add(10*time.Minute + phase)
			var ss []signal.Sample
			var at []time.Time
			for k := 0; k <= 30*60; k++ {
				ts := t0.Add(time.Duration(k) * time.Second)
				n := 0
				if !ts.Before(opens) && ts.Before(opens.Add(tc.open)) {
					n = 1
				}
				ss = append(ss, signal.Sample{At: ts, Up: true, Ticks: float64(10 * k), CriticalBreakersOpen: n})
				if k%15 == 0 {
					at = append(at, ts)
				}
			}
			tr := EvaluateSeries(spec, signal.Options{}, ss, at)
			f, fired := tr.FirstFiring(c.Name)
			switch {
			case fired != tc.fire:
				t.Errorf("breaker open %v (opens %v after an evaluation): fired %v (at %v), want %v", tc.open, phase, fired, f.Sub(opens), tc.fire)
			case fired && (f.Sub(opens) < 5*time.Minute || f.Sub(opens) > 5*time.Minute+spec.EvaluationInterval+time.Second):
				t.Errorf("breaker open %v (phase %v): fired %v after it opened, want within one evaluation after 5m", tc.open, phase, f.Sub(opens))
			}
		}
	}
}
