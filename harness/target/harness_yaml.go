package target

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/presoak/presoak/harness/profile"
)

// leaf decodes one scalar value node into the harness.
type leaf func(h *Harness, n *yaml.Node) error

// harnessLeaves are the harness file's keys (dotted) and their decoders.
var harnessLeaves = func() map[string]leaf {
	m := map[string]leaf{
		"version": func(h *Harness, n *yaml.Node) error {
			v, err := strconv.Atoi(n.Value)
			if err != nil || n.Tag != "!!int" {
				return fmt.Errorf("got %q, want 1", n.Value)
			}
			if v != 1 {
				return fmt.Errorf("got %d, want 1 (the only version)", v)
			}
			return nil
		},
		"target.kind":                      str(func(h *Harness) *string { return (*string)(&h.Kind) }),
		"target.scrape.url":                str(func(h *Harness) *string { return &h.Scrape.URL }),
		"target.scrape.interval":           dur(func(h *Harness) *time.Duration { return &h.Scrape.Interval }),
		"target.scrape.timeout":            dur(func(h *Harness) *time.Duration { return &h.Scrape.Timeout }),
		"target.scrape.max_body_bytes":     i64(func(h *Harness) *int64 { return &h.Scrape.MaxBodyBytes }),
		"target.prometheus.url":            str(func(h *Harness) *string { return &h.Prometheus.URL }),
		"target.prometheus.selector":       str(func(h *Harness) *string { return &h.Prometheus.Selector }),
		"target.prometheus.instance_label": str(func(h *Harness) *string { return &h.Prometheus.InstanceLabel }),
		"target.prometheus.interval":       dur(func(h *Harness) *time.Duration { return &h.Prometheus.Interval }),
		"target.prometheus.timeout":        dur(func(h *Harness) *time.Duration { return &h.Prometheus.Timeout }),
	}
	// metric_names.<yaml tag of profile.MetricNames>: the old mapping,
	// folded into the profile by LoadHarness (profile.FromNames)
	t := reflect.TypeFor[profile.MetricNames]()
	for i := range t.NumField() {
		idx := i
		m["metric_names."+t.Field(i).Tag.Get("yaml")] = str(func(h *Harness) *string {
			return reflect.ValueOf(&h.names).Elem().Field(idx).Addr().Interface().(*string)
		})
	}
	return m
}()

func str(field func(*Harness) *string) leaf {
	return func(h *Harness, n *yaml.Node) error {
		if n.Tag != "!!str" {
			return fmt.Errorf("got %s %q, want a string", strings.TrimPrefix(n.Tag, "!!"), n.Value)
		}
		*field(h) = n.Value
		return nil
	}
}

func dur(field func(*Harness) *time.Duration) leaf {
	return func(h *Harness, n *yaml.Node) error {
		d, err := time.ParseDuration(n.Value)
		if err != nil || n.Tag != "!!str" {
			return fmt.Errorf("got %q, want a duration with a unit such as 1s or 500ms", n.Value)
		}
		*field(h) = d
		return nil
	}
}

func i64(field func(*Harness) *int64) leaf {
	return func(h *Harness, n *yaml.Node) error {
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil || n.Tag != "!!int" {
			return fmt.Errorf("got %q, want a whole number", n.Value)
		}
		*field(h) = v
		return nil
	}
}

// decode walks the YAML document: known keys are decoded (and their line
// recorded in Sources), anything else is a problem naming file:line and key.
func (h *Harness) decode(file string, data []byte) []HarnessProblem {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return []HarnessProblem{{Where: file, Msg: "not valid YAML: " + err.Error()}}
	}
	if len(doc.Content) == 0 {
		return []HarnessProblem{{Where: file, Msg: "empty file; want at least version: 1"}}
	}
	var probs []HarnessProblem
	h.walk(file, "", doc.Content[0], &probs)
	if _, ok := h.Sources["version"]; !ok {
		probs = append(probs, HarnessProblem{Where: file, Key: "version", Msg: "missing; want version: 1"})
	}
	return probs
}

func (h *Harness) walk(file, prefix string, n *yaml.Node, probs *[]HarnessProblem) {
	where := func(n *yaml.Node) string { return fmt.Sprintf("%s:%d", file, n.Line) }
	if n.Kind != yaml.MappingNode {
		*probs = append(*probs, HarnessProblem{Where: where(n), Key: strings.TrimSuffix(prefix, "."), Msg: "want a mapping of keys"})
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := prefix + k.Value
		if seen[key] {
			*probs = append(*probs, HarnessProblem{Where: where(k), Key: key, Msg: "duplicate key"})
			continue
		}
		seen[key] = true
		if dec, ok := harnessLeaves[key]; ok {
			if v.Kind != yaml.ScalarNode {
				*probs = append(*probs, HarnessProblem{Where: where(v), Key: key, Msg: "want a single value"})
				continue
			}
			if err := dec(h, v); err != nil {
				*probs = append(*probs, HarnessProblem{Where: where(v), Key: key, Msg: err.Error()})
				continue
			}
			h.Sources[key] = where(v)
			continue
		}
		if isSection(key) {
			h.walk(file, key+".", v, probs)
			continue
		}
		*probs = append(*probs, HarnessProblem{Where: where(k), Key: key, Msg: "unknown key" + suggestKey(key)})
	}
}

func isSection(key string) bool {
	for k := range harnessLeaves {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// suggestKey names the known keys of the same section.
func suggestKey(key string) string {
	sec := ""
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		sec = key[:i+1]
	}
	var names []string
	for k := range harnessLeaves {
		if rest, ok := strings.CutPrefix(k, sec); ok {
			if j := strings.IndexByte(rest, '.'); j >= 0 {
				rest = rest[:j]
			}
			names = append(names, rest)
		}
	}
	sort.Strings(names)
	names = compactStrings(names)
	return "; known here: " + strings.Join(names, ", ")
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
