package incident_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/incident"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
)

// fakeTarget returns one up sample per call, or err.
type fakeTarget struct {
	at  time.Time
	err error
}

func (f *fakeTarget) Sample(ctx context.Context) ([]signal.Sample, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.at = time.Now()
	return []signal.Sample{{At: f.at, Instance: "bot:9100", Up: true, Ticks: float64(f.at.Unix()), Flags: map[string]bool{"pipeline.enabled": true}}}, nil
}

func (f *fakeTarget) Close() error { return nil }

func TestWatchKeepsTheTargetKindAndItsSamples(t *testing.T) {
	t.Parallel()
	in, err := incident.New(incident.Options{Dir: t.TempDir(), Spec: loadSpec(t), Safety: safetyOptions(t), KeepSamples: 3})
	if err != nil {
		t.Fatal(err)
	}
	ft := &fakeTarget{} // real clock: samples stamped now, as the soak stamps a failed read
	w := in.Watch(ft)
	if _, sim := w.(target.Simulated); sim {
		t.Fatal("a real-clock target became Simulated")
	}
	for range 5 {
		if _, err := w.Sample(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ft.err = errors.New("connection refused")
	if _, err := w.Sample(context.Background()); err == nil {
		t.Fatal("the wrapper hid the target's error")
	}
	in.OnStop(soak.Firing{Criterion: "target_down_stop", Instance: "bot:9100", Signal: signal.TargetDown, Op: ">", At: time.Now()})
	if err := in.Err(); err != nil {
		t.Fatal(err)
	}
	b := in.Bundles()
	if len(b) != 1 {
		t.Fatalf("bundles %v", b)
	}
	var lines int
	for _, c := range read(t, b[0], incident.BundleSamples) {
		if c == '\n' {
			lines++
		}
	}
	if lines != 3 {
		t.Errorf("samples.jsonl has %d samples, want the last 3", lines)
	}
	if s := string(read(t, b[0], incident.BundleSamples)); !strings.Contains(s, "connection refused") {
		t.Errorf("the failed read is not among the last samples:\n%s", s)
	}

	sim, err := target.NewSimulated(target.EmbeddedOptions{Config: scenarioConfig(t), Feed: scenarioFeed()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if _, ok := in.Watch(sim).(target.Simulated); !ok {
		t.Error("a Simulated target lost its clock behind Watch")
	}
}
