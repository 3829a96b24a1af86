package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/target"
)

func init() {
	register("profile", "bot profile: `profile init -url URL [-config a.yaml,b.json] [-o profile.yaml]` writes a starter from a running bot; `profile check [-profile P] [-url URL]` evaluates every signal once and prints what each sees (exit 1 when one reads nothing)", func(args []string) int {
		if len(args) == 0 {
			fmt.Fprintln(os.Stderr, "presoak profile: usage: presoak profile init|check [flags]")
			return 2
		}
		switch args[0] {
		case "init":
			return runProfileInit(args[1:], os.Stdout, os.Stderr)
		case "check":
			return runProfileCheck(args[1:], os.Stdout, os.Stderr)
		}
		fmt.Fprintf(os.Stderr, "presoak profile: unknown subcommand %q (want init or check)\n", args[0])
		return 2
	})
}

// fetchPage reads and parses a /metrics page.
func fetchPage(ctx context.Context, url string) (map[string]*dto.MetricFamily, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", url, err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read metrics: http status %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(io.LimitReader(resp.Body, target.DefaultMaxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("parse metrics: %w", err)
	}
	return fams, nil
}

func runProfileInit(args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("profile init", flag.ContinueOnError)
	fs.SetOutput(errOut)
	url := fs.String("url", os.Getenv("SCRAPE_URL"), "the running bot's /metrics (env SCRAPE_URL)")
	configs := fs.String("config", "", "the bot's config files, comma-separated, base first (YAML or JSON)")
	outPath := fs.String("o", "", "write the starter here (default: standard output); never overwrites")
	bot := fs.String("bot", "", "the bot's name")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *url == "" {
		fmt.Fprintln(errOut, "presoak profile init: -url (or SCRAPE_URL) is required: the bot's /metrics")
		return 2
	}
	fams, err := fetchPage(context.Background(), *url)
	if err != nil {
		fmt.Fprintf(errOut, "presoak profile init: %v\n", err)
		return 1
	}
	o := profile.InitOptions{Bot: *bot, ScrapeURL: *url}
	base := "."
	if *outPath != "" {
		base = filepath.Dir(*outPath)
	}
	for _, c := range strings.Split(*configs, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		data, err := os.ReadFile(c)
		if err != nil {
			fmt.Fprintf(errOut, "presoak profile init: %v\n", err)
			return 1
		}
		l, err := profile.ParseLayer(c, data)
		if err != nil {
			fmt.Fprintf(errOut, "presoak profile init: %v\n", err)
			return 1
		}
		rel := c
		if r, err := filepath.Rel(base, c); err == nil {
			rel = filepath.ToSlash(r)
		}
		o.Layers, o.Configs = append(o.Layers, rel), append(o.Configs, l)
	}
	st := profile.Init(fams, o)
	if *outPath == "" {
		_, _ = out.Write(st.Text)
	} else {
		f, err := os.OpenFile(*outPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			fmt.Fprintf(errOut, "presoak profile init: %v\n", err)
			return 1
		}
		_, werr := f.Write(st.Text)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			fmt.Fprintf(errOut, "presoak profile init: %v\n", werr)
			return 1
		}
		fmt.Fprintf(errOut, "presoak profile init: wrote %s\n", *outPath)
	}
	fmt.Fprintf(errOut, "presoak profile init: %d signals guessed (%s); TODO: %d signals (%s), %d config items (%s)\n",
		len(st.Guessed), strings.Join(st.Guessed, ", "), len(st.TODO), strings.Join(st.TODO, ", "), len(st.ItemsTODO), strings.Join(st.ItemsTODO, ", "))
	return 0
}

func runProfileCheck(args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("profile check", flag.ContinueOnError)
	fs.SetOutput(errOut)
	path := fs.String("profile", os.Getenv(target.EnvProfile), "the bot profile (env PROFILE)")
	url := fs.String("url", os.Getenv(target.EnvScrapeURL), "read this /metrics instead of the profile's target.scrape.url (env SCRAPE_URL)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *path == "" {
		fmt.Fprintln(errOut, "presoak profile check: -profile (or PROFILE) is required")
		return 2
	}
	if !filepath.IsAbs(*path) {
		if wd, err := os.Getwd(); err == nil {
			if root, err := checklist.ModuleRoot(wd); err == nil {
				if _, serr := os.Stat(*path); serr != nil {
					*path = filepath.Join(root, *path)
				}
			}
		}
	}
	p, err := profile.Load(*path)
	if err != nil {
		fmt.Fprintf(errOut, "presoak profile check: %v\n", err)
		return 2
	}
	if p.Target.Kind == string(target.KindPrometheus) && *url == "" {
		return profileCheckPrometheus(p, out, errOut)
	}
	u := *url
	if u == "" {
		u = p.Target.Scrape.URL
	}
	if u == "" {
		fmt.Fprintln(errOut, "presoak profile check: no URL: set target.scrape.url in the profile, -url or SCRAPE_URL")
		return 2
	}
	fams, err := fetchPage(context.Background(), u)
	if err != nil {
		fmt.Fprintf(errOut, "presoak profile check: %v\n", err)
		return 1
	}
	fmt.Fprintf(out, "profile %s (bot %s): %d signals on %s\n", filepath.Base(p.File), p.Bot, len(p.Signals), u)
	bad := profile.WriteCheck(out, p.Check(fams))
	if len(p.Config.Layers) > 0 {
		cfg, err := p.LoadConfig()
		if err != nil {
			fmt.Fprintf(out, "FAIL config: %v\n", err)
			bad++
		} else {
			for _, it := range append(seedItems(p), p.Config.Extra...) {
				r := it.Check(cfg)
				status, msg := "ok  ", fmt.Sprintf("%s = %s (%s)", it.Name, r.Got, r.Where)
				if !r.Pass {
					status, msg = "FAIL", r.Msg
				}
				fmt.Fprintf(out, "%s config %s\n", status, msg)
			}
		}
	}
	if bad > 0 {
		fmt.Fprintf(errOut, "presoak profile check: %d of the profile's signals or config read nothing\n", bad)
		return 1
	}
	return 0
}

func seedItems(p *profile.Profile) []*profile.Item {
	var out []*profile.Item
	for _, n := range profile.SeedItems {
		if it := p.Config.Items[n]; it != nil {
			out = append(out, it)
		}
	}
	return out
}

// profileCheckPrometheus samples the fleet once through the prometheus
// target and prints each bot's derived sample.
func profileCheckPrometheus(p *profile.Profile, out, errOut io.Writer) int {
	h, err := target.FromProfile(p, os.Getenv)
	if err != nil {
		fmt.Fprintf(errOut, "presoak profile check: %v\n", err)
		return 2
	}
	tg, err := h.Open(nil)
	if err != nil {
		fmt.Fprintf(errOut, "presoak profile check: %v\n", err)
		return 1
	}
	defer tg.Close()
	ctx, cancel := context.WithTimeout(context.Background(), h.Prometheus.Timeout+time.Second)
	defer cancel()
	ss, err := tg.Sample(ctx)
	if err != nil {
		fmt.Fprintf(errOut, "presoak profile check: %v\n", err)
		return 1
	}
	bad := 0
	for _, s := range ss {
		if !s.Up {
			bad++
			fmt.Fprintf(out, "FAIL %s: %s\n", s.Instance, s.Fault)
			continue
		}
		fmt.Fprintf(out, "ok   %s: ticks %g, deadline misses %g, errors %g, cache %g/%g, maker/taker %g/%g, rss %g, breakers open %d, latency histograms %d\n",
			s.Instance, s.Ticks, s.DeadlineMisses, s.TickErrors, s.CacheHits, s.CacheMisses, s.MakerVolume, s.TakerVolume, s.ResidentBytes, s.CriticalBreakersOpen, len(s.Stages))
	}
	if bad > 0 {
		return 1
	}
	return 0
}
