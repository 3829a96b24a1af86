// Package runctx is the context a long run (the shadow baseline, the soak)
// stops on: SIGINT or SIGTERM, or a margin before go test's -timeout, so
// the run still writes its artifacts, marked partial or interrupted.
package runctx

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// New is a context that ends, with a cause that says why, on SIGINT or
// SIGTERM, or margin before deadline (go test's -timeout, from
// t.Deadline; ok false means none). Call stop when the run is over: it
// releases the signal handler and its goroutine.
func New(deadline time.Time, ok bool, margin time.Duration) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	stopDeadline := func() {}
	if ok {
		var c context.CancelFunc
		ctx, c = context.WithDeadlineCause(ctx, deadline.Add(-margin), fmt.Errorf("go test -timeout is %v away", margin))
		stopDeadline = func() { c() }
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case s := <-sigs:
			cancel(fmt.Errorf("signal %v", s))
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		cancel(nil)
		stopDeadline()
		<-done
	}
}
