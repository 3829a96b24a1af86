package runctx

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestEndsBeforeTheDeadline(t *testing.T) {
	ctx, stop := New(time.Now().Add(50*time.Millisecond), true, 40*time.Millisecond)
	defer stop()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("context did not end by the deadline minus the margin")
	}
	if c := context.Cause(ctx); c == nil || !strings.Contains(c.Error(), "-timeout is 40ms away") {
		t.Fatalf("cause: got %v, want the timeout's margin", c)
	}
}

func TestEndsOnSIGTERM(t *testing.T) {
	ctx, stop := New(time.Time{}, false, time.Minute)
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("context did not end on SIGTERM")
	}
	if c := context.Cause(ctx); c == nil || !strings.Contains(c.Error(), "terminated") {
		t.Fatalf("cause: got %v, want the signal", c)
	}
}

func TestStopEndsIt(t *testing.T) {
	ctx, stop := New(time.Time{}, false, time.Minute)
	stop()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatalf("after stop: got %v, want canceled", ctx.Err())
	}
}
