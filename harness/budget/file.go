package budget

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// DefaultFile is the budgets file used when BUDGETS is unset, relative to
// the module root.
const DefaultFile = "fixtures/budgets.yaml"

// Path is the budgets file BUDGETS names, resolved the one way every
// command and test resolves it: empty means DefaultFile; a relative path
// is relative to the module root root.
func Path(root, budgets string) string {
	if budgets == "" {
		budgets = DefaultFile
	}
	if filepath.IsAbs(budgets) {
		return budgets
	}
	return filepath.Join(root, budgets)
}

// FileVersion is the budgets file format this package reads.
const FileVersion = 1

// Set is a parsed budgets file: every budget, in file order.
type Set struct {
	// Source names where the set came from (a path), for messages.
	Source string
	// Budgets in file order; a target may have several.
	Budgets []Budget
}

// Load reads and validates a budgets file. Every problem of the file is
// reported in one error.
func Load(path string) (*Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load budgets: %w", err)
	}
	s, err := ParseFile(path, data)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ParseFile parses a budgets file's content; name is used in messages.
func ParseFile(name string, data []byte) (*Set, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse budgets %s: %w", name, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse budgets %s: want a mapping with version and budgets", name)
	}
	root := doc.Content[0]
	var errs []error
	var budgets *yaml.Node
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
		default:
			errs = append(errs, fmt.Errorf("%s:%d: unknown key %q (want version, budgets)", name, k.Line, k.Value))
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
				b, err := Parse(k.Value, e.Value)
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
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse budgets: %w", errors.Join(errs...))
	}
	return set, nil
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
