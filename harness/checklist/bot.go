package checklist

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/target"
)

// Bot is what a running bot, or every bot of a fleet, said about its feature
// flags (the metric mm_feature_flag_enabled{flag}) when read once through the
// harness target. Err is set when the target could not be opened or read at
// all; an instance that is down is an Instance with Up false.
type Bot struct {
	// Target says which target and where (target.Harness.Describe; no passwords).
	Target string
	// Metric is the feature-flag metric's name (the profile's feature_flags
	// signal); FlagLabel the label naming the flag ("flag" when empty).
	Metric    string
	FlagLabel string
	// Instances are the bots read, sorted by name.
	Instances []BotInstance
	// Err is why no instance could be read (harness invalid, target not
	// opened, the read failed, no bot matched).
	Err error
}

// BotInstance is one bot's answer.
type BotInstance struct {
	// Name is the instance (host:port).
	Name string
	// Up is false when it could not be read; Fault says why.
	Up    bool
	Fault string
	// Flags are its mm_feature_flag_enabled values by flag.
	Flags map[string]bool
}

// ErrNoBot is wrapped in Bot.Err when the target answered with no bot at all.
var ErrNoBot = errors.New("no bot found")

// ReadBot reads the flags of the bot(s) env's harness points at: it opens the
// target, samples it once (bounded by twice the harness timeout) and closes
// it. It returns nil for the embedded target, which has no running bot; a
// harness that did not load is a Bot whose Err says why. It never panics on
// a target that is down: that is an instance with its fault.
func ReadBot(ctx context.Context, env Env) *Bot {
	if env.Harness == nil {
		if env.Kind == target.KindEmbedded || env.Kind == "" {
			return nil // the harness only matters for a running bot
		}
		err := env.HarnessErr
		if err == nil {
			err = errors.New("no harness config")
		}
		return &Bot{Target: "TARGET=" + string(env.Kind), Metric: profile.Default().MetricOf("feature_flags"), Err: fmt.Errorf("read bot: %w", err)}
	}
	if !Running(env.Harness.Kind) {
		return nil
	}
	h := env.Harness
	b := &Bot{Target: h.Describe(), Metric: h.Profile.MetricOf("feature_flags")}
	t, err := h.Open(nil)
	if err != nil {
		b.Err = fmt.Errorf("read bot: %w", err)
		return b
	}
	defer t.Close()
	timeout := h.Scrape.Timeout
	if h.Kind == target.KindPrometheus {
		timeout = h.Prometheus.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, 2*timeout+time.Second)
	defer cancel()
	rb := ReadBotFrom(ctx, t, b.Target, b.Metric)
	rb.FlagLabel = h.Profile.GroupLabel("feature_flags", "flag")
	return rb
}

// ReadBotFrom samples t once: every instance with its flags, or its fault.
// describe and metric name the target and the flag metric for the items.
func ReadBotFrom(ctx context.Context, t target.Target, describe, metric string) *Bot {
	b := &Bot{Target: describe, Metric: metric}
	ss, err := t.Sample(ctx)
	if err != nil {
		b.Err = fmt.Errorf("read bot: %w", err)
		return b
	}
	for _, s := range ss {
		b.Instances = append(b.Instances, BotInstance{Name: s.Instance, Up: s.Up, Fault: s.Fault, Flags: s.Flags})
	}
	sort.Slice(b.Instances, func(i, j int) bool { return b.Instances[i].Name < b.Instances[j].Name })
	if len(b.Instances) == 0 {
		b.Err = fmt.Errorf("read bot: %w (check SELECTOR and that the server scrapes the bots)", ErrNoBot)
	}
	return b
}

// Selector is the metric selector of one flag: mm_feature_flag_enabled{flag="pipeline.enabled"}
// (the label is the profile's: feature_flags' "by (...)").
func (b *Bot) Selector(flag string) string {
	l := b.FlagLabel
	if l == "" {
		l = "flag"
	}
	return fmt.Sprintf("%s{%s=%q}", b.Metric, l, flag)
}

// instanceNames joins the names of ins.
func instanceNames(ins []BotInstance) string {
	names := make([]string, len(ins))
	for i, in := range ins {
		names[i] = in.Name
	}
	return strings.Join(names, ", ")
}
