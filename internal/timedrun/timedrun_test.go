package timedrun

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestRunsItsLengthTickingAndReporting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ticks, progress := 0, []time.Duration{}
		elapsed, why := Loop{
			Duration: time.Minute, Every: 10 * time.Second, Tick: func() { ticks++ },
			ProgressEvery: 30 * time.Second, Progress: func(e time.Duration) { progress = append(progress, e) },
		}.Run(context.Background())
		if why != "" || elapsed != time.Minute {
			t.Fatalf("got elapsed %v, %q, want 1m0s and no interruption", elapsed, why)
		}
		if ticks < 5 || ticks > 6 { // at 10..50 s, and at 60 s if that tick is taken before the end
			t.Errorf("ticks: got %d, want 5 or 6", ticks)
		}
		if len(progress) < 1 || progress[0] != 30*time.Second {
			t.Errorf("progress: got %v, want a call at 30s", progress)
		}
	})
}

func TestInterruptedSaysWhyAndWhen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		go func() {
			time.Sleep(65 * time.Second)
			cancel(errors.New("signal interrupt"))
		}()
		elapsed, why := Loop{Duration: time.Hour}.Run(ctx)
		if elapsed != 65*time.Second || !strings.Contains(why, "interrupted (signal interrupt) after 1m5s of 1h0m0s") {
			t.Fatalf("got %v, %q, want 1m5s and the cause with the times", elapsed, why)
		}
	})
}

func TestNoTickerWithoutAFunction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		elapsed, why := Loop{Duration: time.Second, Every: time.Millisecond, ProgressEvery: time.Millisecond}.Run(context.Background())
		if elapsed != time.Second || why != "" {
			t.Fatalf("got %v, %q", elapsed, why)
		}
	})
}
