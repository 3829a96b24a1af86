package engine

import (
	"context"
	"time"
)

// RunFor runs ticks covering d of market time on the simulated clock, as
// fast as the machine allows; it stops early when a finite feed is done. On
// the real clock it runs Run for d.
func (e *Engine) RunFor(d time.Duration) {
	if !e.sim {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		_ = e.Run(ctx)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	end := e.clk.Now() + int64(d)
	for n := 1; e.next < end && !e.feed.Done(); n++ {
		e.step()
		if n%1024 == 0 { // let Stats and scrapes in during a long run
			e.mu.Unlock()
			e.mu.Lock()
		}
	}
}

// Run ticks every tick.interval until ctx is done and returns nil then. On
// the simulated clock it runs ticks back to back (virtual time) until ctx is
// done or a finite feed ends. A tick's error never stops the loop.
func (e *Engine) Run(ctx context.Context) error {
	if e.sim {
		for ctx.Err() == nil && !e.feed.Done() {
			e.mu.Lock()
			for range 1024 {
				e.step()
			}
			e.mu.Unlock()
		}
		return nil
	}
	t := time.NewTicker(time.Duration(e.p.interval))
	defer t.Stop()
	lastSample := time.Now()
	runStart, ran, skipped := time.Now(), uint64(0), uint64(0)
	for {
		select {
		case <-ctx.Done():
			e.mu.Lock()
			e.mem.chunks = nil // release a leak held at stop
			e.mu.Unlock()
			return nil
		case <-t.C:
			// The ticker drops the fires a slow tick leaves no room for (it
			// buffers one): the slots elapsed on the wall grid beyond the
			// ticks run and the one buffered fire never ran.
			ran++
			e.mu.Lock()
			if slots := uint64(time.Since(runStart) / time.Duration(e.p.interval)); slots > ran+1+skipped {
				n := slots - ran - 1 - skipped
				skipped += n
				e.skipSlots(n)
			}
			e.mu.Unlock()
			e.Step()
			if time.Since(lastSample) >= time.Second {
				lastSample = time.Now()
				e.mu.Lock()
				e.mem.sample()
				e.mu.Unlock()
			}
		}
	}
}
