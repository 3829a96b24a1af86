package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
)

const defaultConfig = "fixtures/config.yaml,fixtures/config.soak_overrides.yaml"

// options are the command's flags.
type options struct {
	addr        string
	config      string
	faults      string
	allowRemote bool
	progress    time.Duration

	// For tests: the engine's clock (nil: the real clock) and an observer
	// of its quotes and fills (nil: none).
	clock    clock.Clock
	observer engine.Observer
}

func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("mmbot", flag.ContinueOnError)
	fs.SetOutput(out)
	def := os.Getenv("CONFIG")
	if def == "" {
		def = defaultConfig
	}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:9100", "listen address for /metrics (loopback unless -allow-remote)")
	fs.StringVar(&o.config, "config", def, "config layers, comma-separated, base first")
	fs.StringVar(&o.faults, "faults", "", "fault plan (fixtures/faults/*.yaml); offsets count from start")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.DurationVar(&o.progress, "progress", time.Minute, "print a progress line this often (0: never)")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("parse flags: %w", err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("parse flags: unexpected arguments %q", fs.Args())
	}
	if err := checkLoopback(o.addr, o.allowRemote); err != nil {
		return o, err
	}
	return o, nil
}

// checkLoopback refuses an address that listens beyond this machine.
func checkLoopback(addr string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("check listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("check listen address %q: not a loopback address; pass -allow-remote to listen beyond this machine", addr)
}

// bot is the engine on the real clock and its metrics server.
type bot struct {
	eng      *engine.Engine
	srv      *http.Server
	ln       net.Listener
	feedName string
}

// start loads the config, builds the engine and listens.
func start(o options) (*bot, error) {
	loaded, err := config.Load(config.ParseLayers(o.config)...)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	eo := engine.Options{Clock: o.clock}
	if eo.Clock == nil {
		eo.Clock = clock.NewReal()
	}
	if o.faults != "" {
		if eo.Faults, err = fault.Load(o.faults); err != nil {
			return nil, err
		}
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("register go metrics: %w", err)
	}
	eo.Registerer = reg
	eo.Observer = o.observer
	eng, market, err := engine.FromConfig(loaded, eo, engine.Endless)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "mmbot (shadow mode): metrics at /metrics")
	})
	return &bot{
		eng:      eng,
		srv:      &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second},
		ln:       ln,
		feedName: market.Name(nil),
	}, nil
}

// Addr is the address the metrics server listens on.
func (b *bot) Addr() string { return b.ln.Addr().String() }

// serve runs the engine loop and the metrics server until ctx is done, then
// shuts the server down (http.Server.Shutdown) and waits for the loop to
// stop. Every progress interval (0: never) it prints a line to out.
func (b *bot) serve(ctx context.Context, progress time.Duration, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.eng.Run(ctx) })
	if progress > 0 {
		wg.Go(func() { b.report(ctx, progress, out) })
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- b.srv.Serve(b.ln) }()
	var err error
	select {
	case <-ctx.Done():
		shutCtx, shutCancel := context.WithTimeout(context.Background(), 5*time.Second)
		if serr := b.srv.Shutdown(shutCtx); serr != nil {
			err = fmt.Errorf("shut down metrics server: %w", serr)
		}
		shutCancel()
		<-serveErr // http.ErrServerClosed
	case serr := <-serveErr:
		err = fmt.Errorf("serve metrics: %w", serr)
	}
	cancel()
	wg.Wait()
	return err
}

// report prints a progress line every interval until ctx is done.
func (b *bot) report(ctx context.Context, every time.Duration, out io.Writer) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fmt.Fprintln(out, progressLine(b.eng.Stats()))
		}
	}
}

// progressLine summarizes the counters a soak watches.
func progressLine(s engine.Stats) string {
	pct := func(a, b float64) float64 {
		if b <= 0 {
			return 0
		}
		return 100 * a / b
	}
	return fmt.Sprintf("mmbot: %d ticks, deadline misses %.2f%%, errors %.2f%%, cache hits %.1f%%, taker share %.1f%%, critical breakers open %d, resident %.1f MB",
		s.Ticks, pct(float64(s.DeadlineMisses), float64(s.Ticks)), pct(float64(s.TickErrors), float64(s.Ticks)),
		pct(float64(s.CacheHits), float64(s.CacheHits+s.CacheMisses)), s.TakerSharePct(), s.CriticalBreakersOpen, s.ResidentBytes/1e6)
}
