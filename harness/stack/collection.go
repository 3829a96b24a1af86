package stack

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"
	report "github.com/presoak/presoak/reports/readiness"
)

// Collection is the checklist's "verify metrics collection" items, asked of
// a running Prometheus through its HTTP API.
type Collection struct {
	// Client reads the server.
	Client *Client
	// Selector is the label matchers of the bot's series, without braces
	// (default `job="mm-bot"`).
	Selector string
	// Job is the scrape job whose targets must be up (default "mm-bot").
	Job string
	// Rules is the rule file's content and RulesSource its name; every rule
	// in it must be loaded.
	Rules       []byte
	RulesSource string
	// Profile is the bot's profile: the metrics of its engine signals are
	// the contract (nil: the reference engine's profile).
	Profile *profile.Profile
	// Settle is how long the target, metrics and rules checks wait for a
	// freshly started stack to come true (0: look once). The alerts check
	// always looks once.
	Settle time.Duration
}

const fixUp = "bring the stack up with `make monitor` (it starts the reference bot when none is running) and read artifacts/monitoring/stack/*.log"

func (c *Collection) job() string {
	if c.Job == "" {
		return "mm-bot"
	}
	return c.Job
}

func (c *Collection) selector() string {
	if c.Selector == "" {
		return `job="` + c.job() + `"`
	}
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(c.Selector), "{"), "}")
}

func collItem(ok bool, got, want, source, fix, msg string) checklist.Item {
	it := checklist.Item{Area: checklist.AreaMonitoring, Severity: report.Blocking, Got: got, Want: want, Source: source, Message: msg}
	if ok {
		it.Status = report.StatusPass
	} else {
		it.Status, it.Fix = report.StatusFail, fix
	}
	return it
}

// settle calls check until it passes, ctx ends or Settle has passed, and
// returns the last result.
func (c *Collection) settle(ctx context.Context, check func() checklist.Item) checklist.Item {
	deadline := time.Now().Add(c.Settle)
	for {
		it := check()
		if it.Status == report.StatusPass || !time.Now().Before(deadline) || ctx.Err() != nil {
			return it
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (c *Collection) notEvaluated(what string, err error) checklist.Item {
	return checklist.NotEvaluated(checklist.AreaMonitoring, report.Blocking, what, err.Error(), fixUp)
}

// TargetUp: every target of the job is up (and there is at least one).
func (c *Collection) TargetUp(ctx context.Context) checklist.Item {
	return c.settle(ctx, func() checklist.Item {
		ts, err := c.Client.Targets(ctx, c.job())
		if err != nil {
			return c.notEvaluated("target up", err)
		}
		src := c.Client.URL() + "/api/v1/targets"
		if len(ts) == 0 {
			return collItem(false, "no target in job "+c.job(), "up", src, fixUp,
				fmt.Sprintf("Prometheus has no target in job %q, want the bot's /metrics: %s", c.job(), fixUp))
		}
		var down []string
		for _, t := range ts {
			if t.Health != "up" {
				down = append(down, fmt.Sprintf("%s %s (%s)", t.ScrapeURL, t.Health, t.LastError))
			}
		}
		if len(down) > 0 {
			return collItem(false, strings.Join(down, "; "), "up", src, "check that the bot serves /metrics at the scrape URL; "+fixUp,
				"target not up: "+strings.Join(down, "; ")+", want up: check that the bot serves /metrics")
		}
		return collItem(true, fmt.Sprintf("%d target(s) up", len(ts)), "up", src, "",
			fmt.Sprintf("job %q: %d target(s) up (%s)", c.job(), len(ts), ts[0].ScrapeURL))
	})
}

// MetricsPresent: every metric of the contract has a series.
func (c *Collection) MetricsPresent(ctx context.Context) checklist.Item {
	p := c.Profile
	if p == nil {
		p = profile.Default()
	}
	metrics, hist := p.EngineMetrics()
	return c.settle(ctx, func() checklist.Item {
		present, err := c.Client.Present(ctx, c.selector(), metrics, hist)
		if err != nil {
			return c.notEvaluated("metrics present", err)
		}
		var missing []string
		for _, m := range metrics {
			if !present[m] {
				missing = append(missing, m)
			}
		}
		src := c.Client.URL() + " {" + c.selector() + "}"
		want := fmt.Sprintf("all %d contract metrics", len(metrics))
		if len(missing) > 0 {
			return collItem(false, "missing: "+strings.Join(missing, ", "), want, src,
				"the bot must export the metrics its profile's signals name ("+p.File+"): fix the signals' expressions in the profile (PROFILE; `presoak profile check` shows what each reads) and regenerate (make monitoring)",
				fmt.Sprintf("%d of %d metrics of the profile's signals (%s) have no series in Prometheus {%s}: %s; want all: export them or name yours in the profile",
					len(missing), len(metrics), p.File, c.selector(), strings.Join(missing, ", ")))
		}
		return collItem(true, fmt.Sprintf("%d/%d present", len(metrics), len(metrics)), want, src, "",
			fmt.Sprintf("all %d contract metrics have series {%s}", len(metrics), c.selector()))
	})
}

// RulesHealthy: every rule of the rule file is loaded and its last
// evaluation had no error.
func (c *Collection) RulesHealthy(ctx context.Context) checklist.Item {
	alerts, records, err := RuleNames(c.Rules)
	if err != nil {
		return c.notEvaluated("rules loaded", err)
	}
	if len(alerts)+len(records) == 0 {
		return c.notEvaluated("rules loaded", fmt.Errorf("%s has no rules", c.RulesSource))
	}
	return c.settle(ctx, func() checklist.Item {
		loaded, err := c.Client.Rules(ctx)
		if err != nil {
			return c.notEvaluated("rules loaded", err)
		}
		health := map[string]RuleHealth{}
		for _, r := range loaded {
			key := r.Name
			if r.Alert {
				key = "alert " + key
			}
			if old, ok := health[key]; !ok || old.Health == "ok" {
				health[key] = r
			}
		}
		var bad []string
		check := func(key string) {
			r, ok := health[key]
			switch {
			case !ok:
				bad = append(bad, key+": not loaded")
			case r.Health != "ok":
				bad = append(bad, fmt.Sprintf("%s: health %s %s", key, r.Health, r.LastError))
			}
		}
		for _, a := range alerts {
			check("alert " + a)
		}
		for _, r := range records {
			check(r)
		}
		total := len(alerts) + len(records)
		src := c.Client.URL() + "/api/v1/rules vs " + c.RulesSource
		want := fmt.Sprintf("%d rules loaded, health ok", total)
		if len(bad) > 0 {
			sort.Strings(bad)
			return collItem(false, strings.Join(bad, "; "), want, src,
				"regenerate the rules (make monitoring) and restart the stack (make monitor-down monitor); read artifacts/monitoring/stack/prometheus.log",
				fmt.Sprintf("%d of %d rules of %s not loaded or not evaluating cleanly: %s", len(bad), total, c.RulesSource, strings.Join(bad, "; ")))
		}
		return collItem(true, fmt.Sprintf("%d alerting + %d recording rules ok", len(alerts), len(records)), want, src, "",
			fmt.Sprintf("all %d rules of %s loaded and evaluating without errors", total, c.RulesSource))
	})
}

// AlertsInactive: no alert is pending or firing (on a healthy bot).
func (c *Collection) AlertsInactive(ctx context.Context) checklist.Item {
	active, err := c.Client.Alerts(ctx)
	if err != nil {
		return c.notEvaluated("alerts inactive", err)
	}
	src := c.Client.URL() + "/api/v1/alerts"
	if len(active) > 0 {
		names := make([]string, len(active))
		for i, a := range active {
			names[i] = a.String()
		}
		return collItem(false, strings.Join(names, "; "), "no alert pending or firing", src,
			"the bot is not healthy: follow each alert's action (its runbook line in the rules) before starting the soak",
			fmt.Sprintf("%d alert(s) active on the bot, want none before the soak: %s", len(active), strings.Join(names, "; ")))
	}
	return collItem(true, "none active", "no alert pending or firing", src, "", "no alert is pending or firing")
}
