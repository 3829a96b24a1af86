package stack

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// Client reads a Prometheus server through its HTTP API (client_golang's
// api/prometheus/v1).
type Client struct {
	api v1.API
	url string
}

// NewClient is a client for the server at url (http://127.0.0.1:9090).
func NewClient(url string) (*Client, error) {
	c, err := api.NewClient(api.Config{Address: url})
	if err != nil {
		return nil, fmt.Errorf("prometheus client %s: %w", url, err)
	}
	return &Client{api: v1.NewAPI(c), url: url}, nil
}

// URL is the server's base URL.
func (c *Client) URL() string { return c.url }

// TargetHealth is one scrape target's state.
type TargetHealth struct {
	Job, ScrapeURL, Health, LastError string
}

// Targets returns the active targets of job (all jobs when job is empty).
func (c *Client) Targets(ctx context.Context, job string) ([]TargetHealth, error) {
	res, err := c.api.Targets(ctx)
	if err != nil {
		return nil, fmt.Errorf("read targets: %w", err)
	}
	var out []TargetHealth
	for _, t := range res.Active {
		j := string(t.Labels["job"])
		if job != "" && j != job {
			continue
		}
		out = append(out, TargetHealth{Job: j, ScrapeURL: t.ScrapeURL, Health: string(t.Health), LastError: t.LastError})
	}
	return out, nil
}

// RuleHealth is one loaded rule's state.
type RuleHealth struct {
	// Name is the alert or the recorded series' name.
	Name string
	// Alert is true for an alerting rule.
	Alert bool
	// Health is "ok", "unknown" (not evaluated yet) or "err".
	Health, LastError string
	// State is an alerting rule's state: inactive, pending or firing.
	State string
	// Active are an alerting rule's pending or firing alerts.
	Active int
}

// Rules returns every loaded rule, in the order of its groups.
func (c *Client) Rules(ctx context.Context) ([]RuleHealth, error) {
	res, err := c.api.Rules(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	var out []RuleHealth
	for _, g := range res.Groups {
		for _, r := range g.Rules {
			switch r := r.(type) {
			case v1.AlertingRule:
				out = append(out, RuleHealth{Name: r.Name, Alert: true, Health: string(r.Health), LastError: r.LastError, State: r.State, Active: len(r.Alerts)})
			case v1.RecordingRule:
				out = append(out, RuleHealth{Name: r.Name, Health: string(r.Health), LastError: r.LastError})
			}
		}
	}
	return out, nil
}

// ActiveAlert is a pending or firing alert.
type ActiveAlert struct {
	Name, State, Value string
	Labels             map[string]string
}

func (a ActiveAlert) String() string { return a.Name + " " + a.State + " (value " + a.Value + ")" }

// Alerts returns the pending and firing alerts, sorted by name.
func (c *Client) Alerts(ctx context.Context) ([]ActiveAlert, error) {
	res, err := c.api.Alerts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read alerts: %w", err)
	}
	var out []ActiveAlert
	for _, a := range res.Alerts {
		labels := map[string]string{}
		for k, v := range a.Labels {
			labels[string(k)] = string(v)
		}
		out = append(out, ActiveAlert{Name: labels["alertname"], State: string(a.State), Value: a.Value, Labels: labels})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Present returns which of metrics have at least one series matching
// selector (label matchers without braces, e.g. `job="mm-bot"`) right now. A
// histogram is looked up by its _count series.
func (c *Client) Present(ctx context.Context, selector string, metrics []string, histograms map[string]bool) (map[string]bool, error) {
	out := map[string]bool{}
	for _, m := range metrics {
		name := m
		if histograms[m] {
			name += "_count"
		}
		q := fmt.Sprintf("count(%s{%s})", name, selector)
		v, _, _, err := c.api.Query(ctx, q, time.Now())
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", q, err)
		}
		vec, ok := v.(model.Vector)
		out[m] = ok && len(vec) > 0 && vec[0].Value > 0
	}
	return out, nil
}

// RuleNames are the alert and recorded-series names of a rule file.
func RuleNames(rules []byte) (alerts, records []string, err error) {
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert  string `yaml:"alert"`
				Record string `yaml:"record"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(rules, &f); err != nil {
		return nil, nil, fmt.Errorf("read rule names: %w", err)
	}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				alerts = append(alerts, r.Alert)
			}
			if r.Record != "" {
				records = append(records, r.Record)
			}
		}
	}
	return alerts, records, nil
}
