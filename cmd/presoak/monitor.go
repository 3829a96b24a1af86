package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/presoak/presoak/internal/modroot"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/presoak/presoak/harness/stack"
)

func init() {
	register("monitor", "start a local Prometheus (loopback) with the generated rules, scraping the bot at ADDR (started when none runs) or SCRAPE_URL", runMonitor)
	register("monitor-down", "stop what `presoak monitor` (or launch) started: the soak, Prometheus, the bot", runMonitorDown)
}

// stackOptions are the stack's options from the environment the Makefile
// exports: ADDR, SCRAPE_URL, CONFIG, FAULTS, SCRAPE_INTERVAL, PROMETHEUS.
func stackOptions(root string) (stack.Options, error) {
	o := stack.Options{
		Root: root, ScrapeURL: os.Getenv("SCRAPE_URL"), BotAddr: os.Getenv("ADDR"),
		BotConfig: os.Getenv("CONFIG"), BotFaults: os.Getenv("FAULTS"), Prometheus: os.Getenv("PROMETHEUS"),
		Log: os.Stdout,
	}
	if v := os.Getenv("SCRAPE_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return o, fmt.Errorf("SCRAPE_INTERVAL %q: %w", v, err)
		}
		o.ScrapeInterval = d
	}
	return o, nil
}

func runMonitor(args []string) int {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: presoak monitor\n\nStarts Prometheus on 127.0.0.1:<free port> with "+
			"artifacts/monitoring/presoak.rules.yml loaded (make monitoring writes it),\nscraping SCRAPE_URL, or the bot at ADDR "+
			"(the reference bot is built and started there when nothing answers; FAULTS, CONFIG apply).\n"+
			"Config, data, logs and the state file go to "+stack.DefaultDir+"/. Stop it with presoak monitor-down.")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, err := modroot.Find(monitorWd())
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitor:", err)
		return 1
	}
	o, err := stackOptions(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitor:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := stack.Up(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitor:", err)
		if errors.Is(err, stack.ErrNoPrometheus) || errors.Is(err, stack.ErrRunning) {
			return 2
		}
		return 1
	}
	s.Detach()
	st := s.State
	// The pinned server is built without the web UI's assets: its HTTP API
	// is what answers.
	fmt.Printf("prometheus %s  (API: %s/api/v1/targets, %s/api/v1/alerts, %s/api/v1/rules)\n", st.PrometheusURL, st.PrometheusURL, st.PrometheusURL, st.PrometheusURL)
	fmt.Printf("scraping   %s every %s as job %q\n", st.ScrapeURL, scrapeEvery(o), st.Job)
	fmt.Printf("state      %s\n", filepath.ToSlash(filepath.Join(stack.DefaultDir, stack.StateFile)))
	fmt.Printf("check      PROMETHEUS_URL=%s go test ./readiness -run TestMonitoringCollection -v\n", st.PrometheusURL)
	fmt.Println("stop       make monitor-down")
	return 0
}

func scrapeEvery(o stack.Options) time.Duration {
	if o.ScrapeInterval == 0 {
		return time.Second
	}
	return o.ScrapeInterval
}

func runMonitorDown(args []string) int {
	fs := flag.NewFlagSet("monitor-down", flag.ContinueOnError)
	grace := fs.Duration("grace", stack.StopGrace, "how long each process gets after SIGINT before SIGKILL")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, err := modroot.Find(monitorWd())
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitor-down:", err)
		return 1
	}
	dir := filepath.Join(root, stack.DefaultDir)
	st, err := stack.ReadState(dir)
	if errors.Is(err, stack.ErrNoState) {
		fmt.Println("monitor-down: no monitoring stack recorded (" + filepath.ToSlash(filepath.Join(stack.DefaultDir, stack.StateFile)) + " absent); nothing to stop")
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitor-down:", err)
		return 1
	}
	lines, err := stack.StopState(dir, *grace)
	for _, l := range lines {
		fmt.Println("monitor-down:", l)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitor-down:", err)
		return 1
	}
	for _, p := range st.Procs {
		if stack.Running(p) {
			fmt.Fprintf(os.Stderr, "presoak monitor-down: %s (pid %d) is still running\n", p.Role, p.PID)
			return 1
		}
	}
	fmt.Printf("monitor-down: all %d recorded process(es) verified gone; state file removed\n", len(st.Procs))
	return 0
}

func monitorWd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}
