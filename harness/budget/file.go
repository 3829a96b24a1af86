package budget

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultFile is presoak's own budgets file, relative to its module
// directory: what a run reads when neither BUDGETS nor the bot profile's
// budgets: names one (harness/profile.Pick is the one place that decides).
const DefaultFile = "fixtures/budgets.yaml"

// Signals are the signals a bot profile declares beyond the engine's named
// ones, by name, with their kind ("histogram", "counter", "gauge"): a
// budget may name a histogram among them (harness/profile's
// Profile.BudgetSignals).
type Signals map[string]string

// histogramKind is a histogram signal's kind in Signals.
const histogramKind = "histogram"

// FileVersion is the budgets file format this package reads.
const FileVersion = 1

// Set is a parsed budgets file: every budget, in file order.
type Set struct {
	// Source names where the set came from (a path), for messages.
	Source string
	// Budgets in file order; a target may have several.
	Budgets []Budget
}

// Load reads and validates a budgets file naming the built-in targets only.
// Every problem of the file is reported in one error.
func Load(path string) (*Set, error) { return LoadFor(path, nil) }

// LoadFor is Load that also accepts, as a latency target, every histogram
// signal of declared (a bot profile's own signals; nil: none).
func LoadFor(path string, declared Signals) (*Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load budgets: %w", err)
	}
	return ParseFileFor(path, data, declared)
}

// ParseFile parses a budgets file's content naming the built-in targets
// only; name is used in messages.
func ParseFile(name string, data []byte) (*Set, error) { return ParseFileFor(name, data, nil) }

// ParseFileFor is ParseFile that also accepts, as a latency target, every
// histogram signal of declared: `order_ack_latency: p(95) < 50ms`. A name
// that is neither a built-in target nor a declared histogram is an error
// naming the file, the line and the declared signals; a declared counter
// or gauge is an error too (a budget's aggregates are latencies).
func ParseFileFor(name string, data []byte, declared Signals) (*Set, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse budgets %s: %w", name, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse budgets %s: want a mapping with version and budgets", name)
	}
	root := doc.Content[0]
	var errs []error
	var budgets, blocking *yaml.Node
	version := 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "version":
			if err := v.Decode(&version); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: version: %w", name, v.Line, err))
			}
		case "budgets":
			budgets = v
		case "blocking":
			blocking = v
		default:
			errs = append(errs, fmt.Errorf("%s:%d: unknown key %q (want version, budgets, blocking)", name, k.Line, k.Value))
		}
	}
	if version != FileVersion {
		errs = append(errs, fmt.Errorf("%s: version %d, want %d", name, version, FileVersion))
	}
	set := &Set{Source: name}
	switch {
	case budgets == nil:
		errs = append(errs, fmt.Errorf("%s: no budgets", name))
	case budgets.Kind != yaml.MappingNode:
		errs = append(errs, fmt.Errorf("%s:%d: budgets must map a target to an expression or a list of them", name, budgets.Line))
	default:
		for i := 0; i+1 < len(budgets.Content); i += 2 {
			k, v := budgets.Content[i], budgets.Content[i+1]
			var exprs []*yaml.Node
			switch v.Kind {
			case yaml.ScalarNode:
				exprs = []*yaml.Node{v}
			case yaml.SequenceNode:
				exprs = v.Content
			default:
				errs = append(errs, fmt.Errorf("%s:%d: %s: want an expression or a list of them", name, v.Line, k.Value))
				continue
			}
			for _, e := range exprs {
				if e.Kind != yaml.ScalarNode {
					errs = append(errs, fmt.Errorf("%s:%d: %s: want an expression string", name, e.Line, k.Value))
					continue
				}
				b, err := parseFor(k.Value, e.Value, declared)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s:%d: %w", name, e.Line, err))
					continue
				}
				b.Line = e.Line
				set.Budgets = append(set.Budgets, b)
			}
		}
		if len(set.Budgets) == 0 && len(errs) == 0 {
			errs = append(errs, fmt.Errorf("%s: no budgets", name))
		}
	}
	errs = append(errs, set.markBlocking(name, blocking)...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse budgets: %w", errors.Join(errs...))
	}
	return set, nil
}

// markBlocking reads blocking: (a list of targets the file budgets) and
// marks their budgets Blocking; a name without a budget in the file is an
// error naming its line.
func (s *Set) markBlocking(name string, n *yaml.Node) []error {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return []error{fmt.Errorf("%s:%d: blocking: want a list of the targets whose budgets block readiness", name, n.Line)}
	}
	var errs []error
	for _, e := range n.Content {
		found := false
		for i := range s.Budgets {
			if s.Budgets[i].Target == e.Value {
				s.Budgets[i].Blocking, found = true, true
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("%s:%d: blocking: %q has no budget in this file", name, e.Line, e.Value))
		}
	}
	return errs
}

// parseFor parses one expression on a built-in target, or on a histogram
// signal of declared.
func parseFor(target, expr string, declared Signals) (Budget, error) {
	if _, builtin := KindOf(target); builtin {
		return Parse(target, expr)
	}
	kind, ok := declared[target]
	switch {
	case !ok:
		return Budget{}, fmt.Errorf("failed parsing budget %q: %w %q: not a built-in target (%s) nor a histogram signal the bot profile declares (%s)",
			target+": "+expr, ErrUnknownTarget, target, strings.Join(Targets, ", "), declared.describe())
	case kind != histogramKind:
		return Budget{}, fmt.Errorf("failed parsing budget %q: %w: the profile's signal %s is a %s; a budget names a histogram signal (its aggregates p(N), med, avg, min, max are latencies)",
			target+": "+expr, ErrSignalKind, target, kind)
	}
	b, err := parseKind(target, expr, Latency)
	if err != nil {
		return Budget{}, fmt.Errorf("failed parsing budget %q: %w", target+": "+expr, err)
	}
	b.Signal = true
	return b, nil
}

// describe lists the declared signals with their kinds, sorted.
func (d Signals) describe() string {
	if len(d) == 0 {
		return "declared: none"
	}
	names := make([]string, 0, len(d))
	for n, k := range d {
		names = append(names, n+" ("+k+")")
	}
	sort.Strings(names)
	return "declared: " + strings.Join(names, ", ")
}

// Signals returns the declared-signal targets the set budgets (Budget.Signal),
// in file order, each once.
func (s *Set) Signals() []string {
	var out []string
	seen := map[string]bool{}
	for _, b := range s.Budgets {
		if b.Signal && !seen[b.Target] {
			seen[b.Target] = true
			out = append(out, b.Target)
		}
	}
	return out
}

// For returns the budgets on one target, in file order.
func (s *Set) For(target string) []Budget {
	var out []Budget
	for _, b := range s.Budgets {
		if b.Target == target {
			out = append(out, b)
		}
	}
	return out
}

// Primary is the budget a one-column report shows for a target: its p(95)
// budget if it has one, else its first.
func (s *Set) Primary(target string) (Budget, bool) {
	bs := s.For(target)
	for _, b := range bs {
		if b.Agg.Func == "p" && b.Agg.Percentile == 95 {
			return b, true
		}
	}
	if len(bs) > 0 {
		return bs[0], true
	}
	return Budget{}, false
}

// OfKind returns a set with only the budgets of one kind (Latency: the stage
// and tick budgets make bench asserts; Ratio: deadline misses and hit ratio).
func (s *Set) OfKind(k Kind) *Set {
	out := &Set{Source: s.Source}
	for _, b := range s.Budgets {
		if b.Kind == k {
			out.Budgets = append(out.Budgets, b)
		}
	}
	return out
}
