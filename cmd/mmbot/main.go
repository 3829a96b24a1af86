// Command mmbot is the reference market-making engine as a process: shadow
// mode (it never sends a real order) on the real clock, serving its
// Prometheus metrics at http://ADDR/metrics until SIGINT or SIGTERM.
//
//	mmbot [-addr 127.0.0.1:9100] [-config base.yaml,override.yaml] [-faults plan.yaml] [-allow-remote] [-progress 1m]
//
// It listens only on a loopback address unless -allow-remote is given.
// Config layers come from -config (default: $CONFIG, else the fixtures' base
// and soak overrides); the market data is the recording the config names
// (looped), or the seeded synthetic feed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mmbot:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(1)
	}
}

// run parses args, starts the bot and serves until ctx is done.
func run(ctx context.Context, args []string, out io.Writer) error {
	opts, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	b, err := start(opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "mmbot: shadow mode, config %s, feed %s, faults %s\n", opts.config, b.feedName, orNone(opts.faults))
	fmt.Fprintf(out, "mmbot: serving metrics at http://%s/metrics (Ctrl-C to stop)\n", b.Addr())
	err = b.serve(ctx, opts.progress, out)
	s := b.eng.Stats()
	fmt.Fprintf(out, "mmbot: stopped after %d ticks (%d deadline misses, %d errors)\n", s.Ticks, s.DeadlineMisses, s.TickErrors)
	return err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
