package profile

import (
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// Version is the only profile version this presoak reads.
const Version = 1

// Profile is a validated bot profile. Build it with Load or Parse.
type Profile struct {
	// File is the profile's path ("reference.yaml (built in)" for Default).
	File string
	// Dir is the directory relative paths are taken against.
	Dir string
	// Bot names the bot in reports.
	Bot string
	// Target is where the bot is read.
	Target Target
	// Config is the bot's config, its items, rollback targets and logs.
	Config Config
	// Signals are the declared signals by name.
	Signals map[string]*Signal
	// Budgets and Criteria are the budgets and criteria files the profile
	// names (budgets:, criteria:), as written, relative to Dir; "" when it
	// names none. Pick decides what a run reads: BUDGETS or CRITERIA set
	// by the user win over them, they win over presoak's defaults.
	Budgets, Criteria string
	// Sources maps a dotted key of the profile to its "file:line".
	Sources map[string]string
}

// Target is the profile's target section.
type Target struct {
	Kind       string // embedded | scrape | prometheus ("" : embedded)
	Scrape     ScrapeTarget
	Prometheus PrometheusTarget
}

// ScrapeTarget is target.scrape: zero fields keep presoak's defaults.
type ScrapeTarget struct {
	URL          string
	Interval     time.Duration
	Timeout      time.Duration
	MaxBodyBytes int64
}

// PrometheusTarget is target.prometheus: zero fields keep presoak's defaults.
type PrometheusTarget struct {
	URL           string
	Selector      string
	InstanceLabel string
	Interval      time.Duration
	Timeout       time.Duration
}

// Config is the profile's config section.
type Config struct {
	// Layers are the bot's config files, base first, absolute or relative to
	// the profile's directory.
	Layers []string
	// Items are the seed's config items by name (SeedItems).
	Items map[string]*Item
	// Extra are the team's own items, in file order.
	Extra []*Item
	// Rollback are the config paths the rollback flips.
	Rollback []string
	// Logs are the bot's log directories.
	Logs []string
}

// The seed's config items a profile may place (config.items keys).
const (
	ItemPipelineEnabled = "pipeline_enabled"
	ItemMDCacheEnabled  = "md_cache_enabled"
	ItemMDCacheTTL      = "md_cache_ttl"
	ItemTakerCapPct     = "taker_cap_pct"
)

// SeedItems are the names config.items accepts.
var SeedItems = []string{ItemPipelineEnabled, ItemMDCacheEnabled, ItemMDCacheTTL, ItemTakerCapPct}

// Item is one config item: where it lives in the bot's config and what it
// must be.
type Item struct {
	Name     string
	Path     Path
	Require  Requirement
	Scale    string // "percent" (as stored) or "fraction" (x100 before comparing)
	Severity string // "blocking" or "warning"
	Fix      string
	// Where is the item's file:line in the profile.
	Where string
}

// ErrProfile is matched (errors.Is) by every *Error.
var ErrProfile = errors.New("invalid bot profile")

// Problem is one thing wrong with a profile.
type Problem struct {
	Where string // "file:line" or "file"
	Key   string
	Msg   string
}

func (p Problem) String() string {
	if p.Key == "" {
		return p.Where + ": " + p.Msg
	}
	return p.Where + ": " + p.Key + ": " + p.Msg
}

// Error is every problem found in a profile.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if len(lines) == 1 {
		return "load profile: " + lines[0]
	}
	return fmt.Sprintf("load profile: %d problems:\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// Is makes errors.Is(err, ErrProfile) true.
func (e *Error) Is(target error) bool { return target == ErrProfile }

//go:embed reference.yaml
var referenceYAML []byte

// ReferenceFile is how the built-in reference profile is named in messages.
const ReferenceFile = "reference.yaml (built in)"

// Default is the reference engine's profile: the single source of its
// metric names (mm_*) and config paths. It panics if the built-in file is
// invalid (a test guards it).
func Default() *Profile {
	referenceOnce.Do(func() {
		p, err := Parse(ReferenceFile, "", referenceYAML)
		if err != nil {
			panic(err)
		}
		reference = p
	})
	return reference.Clone()
}

var (
	referenceOnce sync.Once
	reference     *Profile
)

// Clone copies the profile's maps and lists (signals and items themselves
// are shared: they are not changed after Parse).
func (p *Profile) Clone() *Profile {
	c := *p
	c.Signals = maps.Clone(p.Signals)
	c.Sources = maps.Clone(p.Sources)
	c.Config.Items = maps.Clone(p.Config.Items)
	c.Config.Extra = slices.Clone(p.Config.Extra)
	c.Config.Layers = slices.Clone(p.Config.Layers)
	c.Config.Rollback = slices.Clone(p.Config.Rollback)
	c.Config.Logs = slices.Clone(p.Config.Logs)
	return &c
}

// ReferenceYAML is the built-in reference profile's text.
func ReferenceYAML() []byte { return append([]byte(nil), referenceYAML...) }

// Load reads and validates the profile at path.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	return Parse(path, filepath.Dir(abs), data)
}

// Parse validates a profile read from file; relative paths in it are taken
// against dir.
func Parse(file, dir string, data []byte) (*Profile, error) {
	p := &Profile{File: file, Dir: dir, Signals: map[string]*Signal{}, Sources: map[string]string{}, Config: Config{Items: map[string]*Item{}}}
	d := &decoder{file: filepath.Base(file), p: p}
	if file == ReferenceFile {
		d.file = file
	}
	d.decode(data)
	d.checkFiles()
	if len(d.probs) > 0 {
		sort.SliceStable(d.probs, func(i, j int) bool { return lineOf(d.probs[i].Where) < lineOf(d.probs[j].Where) })
		return nil, &Error{Problems: d.probs}
	}
	return p, nil
}

func lineOf(where string) int {
	if i := strings.LastIndexByte(where, ':'); i >= 0 {
		if n, err := strconv.Atoi(where[i+1:]); err == nil {
			return n
		}
	}
	return 0
}

// Resolve returns path taken against the profile's directory.
func (p *Profile) Resolve(path string) string {
	if filepath.IsAbs(path) || p.Dir == "" {
		return path
	}
	return filepath.Join(p.Dir, path)
}

// Signal returns the named signal, or nil.
func (p *Profile) Signal(name string) *Signal {
	if p == nil {
		return nil
	}
	return p.Signals[name]
}

// SignalNames are the declared signals, sorted.
func (p *Profile) SignalNames() []string {
	out := make([]string, 0, len(p.Signals))
	for n := range p.Signals {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// decoder walks the profile's YAML nodes.
type decoder struct {
	file  string
	p     *Profile
	probs []Problem
}

func (d *decoder) where(n *yaml.Node) string { return fmt.Sprintf("%s:%d", d.file, n.Line) }

func (d *decoder) bad(n *yaml.Node, key, format string, args ...any) {
	d.probs = append(d.probs, Problem{Where: d.where(n), Key: key, Msg: fmt.Sprintf(format, args...)})
}

// fields calls each known key's handler; unknown and duplicate keys are
// problems.
func (d *decoder) fields(prefix string, n *yaml.Node, known map[string]func(key string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.bad(n, strings.TrimSuffix(prefix, "."), "got %s, want a mapping of keys", kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := prefix + k.Value
		if seen[k.Value] {
			d.bad(k, key, "duplicate key")
			continue
		}
		seen[k.Value] = true
		h, ok := known[k.Value]
		if !ok {
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			sort.Strings(names)
			d.bad(k, key, "unknown key; known here: %s", strings.Join(names, ", "))
			continue
		}
		d.p.Sources[key] = d.where(v)
		h(key, v)
	}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%s %q", strings.TrimPrefix(n.Tag, "!!"), n.Value)
}

func (d *decoder) str(dst *string) func(string, *yaml.Node) {
	return func(key string, v *yaml.Node) {
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
			d.bad(v, key, "got %s, want a string", kindName(v))
			return
		}
		*dst = v.Value
	}
}

func (d *decoder) dur(dst *time.Duration) func(string, *yaml.Node) {
	return func(key string, v *yaml.Node) {
		t, err := time.ParseDuration(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil || t <= 0 {
			d.bad(v, key, "got %s, want a positive duration with a unit such as 1s or 500ms", kindName(v))
			return
		}
		*dst = t
	}
}

func (d *decoder) strs(dst *[]string) func(string, *yaml.Node) {
	return func(key string, v *yaml.Node) {
		if v.Kind != yaml.SequenceNode {
			d.bad(v, key, "got %s, want a list of strings", kindName(v))
			return
		}
		for i, e := range v.Content {
			if e.Kind != yaml.ScalarNode || e.Tag != "!!str" || e.Value == "" {
				d.bad(e, fmt.Sprintf("%s[%d]", key, i), "got %s, want a non-empty string", kindName(e))
				continue
			}
			*dst = append(*dst, e.Value)
		}
	}
}

func (d *decoder) decode(data []byte) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.probs = append(d.probs, Problem{Where: d.file, Msg: "not valid YAML: " + err.Error()})
		return
	}
	if len(doc.Content) == 0 {
		d.probs = append(d.probs, Problem{Where: d.file, Msg: fmt.Sprintf("empty file; want at least version: %d", Version)})
		return
	}
	p := d.p
	root := doc.Content[0]
	d.fields("", root, map[string]func(string, *yaml.Node){
		"version": func(key string, v *yaml.Node) {
			n, err := strconv.Atoi(v.Value)
			if v.Tag != "!!int" || err != nil {
				d.bad(v, key, "got %s, want %d", kindName(v), Version)
			} else if n != Version {
				d.bad(v, key, "got %d, want %d: this presoak reads profile version %d only; rewrite the profile for it (see the README's profile section)", n, Version, Version)
			}
		},
		"bot":      d.str(&p.Bot),
		"target":   d.target,
		"config":   d.config,
		"signals":  d.signals,
		"budgets":  d.str(&p.Budgets),
		"criteria": d.str(&p.Criteria),
	})
	if _, ok := p.Sources["version"]; !ok && root.Kind == yaml.MappingNode {
		d.bad(root, "version", "missing; want version: %d", Version)
	}
	if _, ok := p.Sources["signals.ticks"]; !ok && root.Kind == yaml.MappingNode {
		d.bad(root, "signals.ticks", "missing: every profile declares its bot's tick counter (the signal that says the bot runs)")
	}
}

func (d *decoder) target(key string, v *yaml.Node) {
	t := &d.p.Target
	d.fields(key+".", v, map[string]func(string, *yaml.Node){
		"kind": func(key string, v *yaml.Node) {
			d.str(&t.Kind)(key, v)
			switch t.Kind {
			case "scrape", "prometheus":
			case "embedded":
				// embedded runs presoak's own engine on CONFIG: a verdict
				// about the reference engine, never about another bot.
				if d.file != ReferenceFile {
					d.bad(v, key, "got embedded, which runs presoak's reference engine on CONFIG, not this profile's bot (only the built-in reference profile is embedded): want scrape (the bot's /metrics, target.scrape.url) or prometheus (a server scraping it, target.prometheus)")
				}
			default:
				d.bad(v, key, "got %q, want embedded, scrape or prometheus", v.Value)
			}
		},
		"scrape": func(key string, v *yaml.Node) {
			d.fields(key+".", v, map[string]func(string, *yaml.Node){
				"url":      d.str(&t.Scrape.URL),
				"interval": d.dur(&t.Scrape.Interval),
				"timeout":  d.dur(&t.Scrape.Timeout),
				"max_body_bytes": func(key string, v *yaml.Node) {
					n, err := strconv.ParseInt(v.Value, 10, 64)
					if v.Tag != "!!int" || err != nil || n <= 0 {
						d.bad(v, key, "got %s, want a positive whole number of bytes", kindName(v))
						return
					}
					t.Scrape.MaxBodyBytes = n
				},
			})
		},
		"prometheus": func(key string, v *yaml.Node) {
			d.fields(key+".", v, map[string]func(string, *yaml.Node){
				"url": d.str(&t.Prometheus.URL),
				"selector": func(key string, v *yaml.Node) {
					d.str(&t.Prometheus.Selector)(key, v)
					if t.Prometheus.Selector != "" {
						if _, err := ParseSelector(t.Prometheus.Selector); err != nil {
							d.bad(v, key, "%v", err)
						}
					}
				},
				"instance_label": d.str(&t.Prometheus.InstanceLabel),
				"interval":       d.dur(&t.Prometheus.Interval),
				"timeout":        d.dur(&t.Prometheus.Timeout),
			})
		},
	})
}

func (d *decoder) config(key string, v *yaml.Node) {
	c := &d.p.Config
	d.fields(key+".", v, map[string]func(string, *yaml.Node){
		"layers":   d.strs(&c.Layers),
		"rollback": d.strs(&c.Rollback),
		"logs":     d.strs(&c.Logs),
		"items": func(key string, v *yaml.Node) {
			known := map[string]func(string, *yaml.Node){}
			for _, name := range SeedItems {
				known[name] = func(key string, v *yaml.Node) {
					if it := d.item(key, v, false); it != nil {
						it.Name = name
						c.Items[name] = it
					}
				}
			}
			d.fields(key+".", v, known)
		},
		"extra": func(key string, v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				d.bad(v, key, "got %s, want a list of items", kindName(v))
				return
			}
			names := map[string]bool{}
			for i, e := range v.Content {
				k := fmt.Sprintf("%s[%d]", key, i)
				if it := d.item(k, e, true); it != nil {
					if names[it.Name] {
						d.bad(e, k+".name", "duplicate item name %q", it.Name)
						continue
					}
					names[it.Name] = true
					c.Extra = append(c.Extra, it)
				}
			}
		},
	})
	for i, r := range c.Rollback {
		if _, err := ParsePath(r); err != nil {
			d.probs = append(d.probs, Problem{Where: d.p.Sources[key+".rollback"], Key: fmt.Sprintf("%s.rollback[%d]", key, i), Msg: err.Error()})
		}
	}
}

// item decodes one config item; extra items carry their name.
func (d *decoder) item(key string, v *yaml.Node, extra bool) *Item {
	it := &Item{Scale: "percent", Severity: "blocking", Where: d.where(v)}
	var path, req string
	fields := map[string]func(string, *yaml.Node){
		"path":    d.str(&path),
		"require": d.str(&req),
		"scale":   d.str(&it.Scale),
		"fix":     d.str(&it.Fix),
	}
	if extra {
		fields["name"] = d.str(&it.Name)
		fields["severity"] = d.str(&it.Severity)
	}
	before := len(d.probs)
	d.fields(key+".", v, fields)
	if v.Kind != yaml.MappingNode {
		return nil
	}
	if extra && it.Name == "" {
		d.bad(v, key+".name", "missing: name the item (it is the report's id)")
	}
	if path == "" {
		d.bad(v, key+".path", "missing: the dotted path of the value in the bot's config, e.g. risk.limits[0].max")
	} else if p, err := ParsePath(path); err != nil {
		d.bad(v, key+".path", "%v", err)
	} else {
		it.Path = p
	}
	if req == "" {
		d.bad(v, key+".require", `missing: what the value must be, e.g. "== true" or "<= 9"`)
	} else if r, err := ParseRequirement(req); err != nil {
		d.bad(v, key+".require", "%v", err)
	} else {
		it.Require = r
	}
	switch it.Scale {
	case "percent", "fraction":
	default:
		d.bad(v, key+".scale", "got %q, want percent or fraction", it.Scale)
	}
	switch it.Severity {
	case "blocking", "warning":
	default:
		d.bad(v, key+".severity", "got %q, want blocking or warning", it.Severity)
	}
	if len(d.probs) > before {
		return nil
	}
	return it
}

func (d *decoder) signals(key string, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		d.bad(v, key, "got %s, want a mapping of signal names", kindName(v))
		return
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, sv := v.Content[i], v.Content[i+1]
		name := k.Value
		sk := key + "." + name
		d.p.Sources[sk] = d.where(sv)
		if _, dup := d.p.Signals[name]; dup {
			d.bad(k, sk, "duplicate signal")
			continue
		}
		if !validName(name) {
			d.bad(k, sk, "got %q, want a signal name of [a-z0-9_]", name)
			continue
		}
		s := &Signal{Name: name, Where: d.where(sv)}
		var expr, kind, unit string
		before := len(d.probs)
		d.fields(sk+".", sv, map[string]func(string, *yaml.Node){
			"expr": d.str(&expr),
			"kind": d.str(&kind),
			"unit": d.str(&unit),
			"help": d.str(&s.Help),
		})
		if sv.Kind != yaml.MappingNode || len(d.probs) > before {
			continue
		}
		if expr == "" {
			d.bad(sv, sk+".expr", "missing: a PromQL selector such as my_ticks_total{bot=\"a\"}")
			continue
		}
		if err := s.compile(expr, kind, unit); err != nil {
			d.bad(sv, sk, "%v", err)
			continue
		}
		if want, ok := roleKinds[name]; ok && !want[s.Kind] {
			d.bad(sv, sk+".kind", "got %s, want %s for the %s signal", s.Kind, kindsOf(want), name)
			continue
		}
		d.p.Signals[name] = s
	}
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
