package criteria

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// Load reads, parses and validates a criteria file. Every problem found is in
// the one error it returns (a *ValidationError for invalid content).
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load criteria: %w", err)
	}
	spec, err := Parse(filepath.Base(path), data)
	if err != nil {
		return nil, fmt.Errorf("load criteria %s: %w", path, err)
	}
	return spec, nil
}

// Parse decodes and validates criteria YAML; file names the source in errors.
// Unknown keys are errors.
func Parse(file string, data []byte) (*Spec, error) {
	var spec Spec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("parse criteria: %s is empty", file)
		}
		return nil, fmt.Errorf("parse criteria: %s: %w", file, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil {
		spec.lines = criterionLines(&root)
	}
	spec.file = file
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	return &spec, nil
}

// criterionLines finds the line of each item of the criteria list.
func criterionLines(root *yaml.Node) []int {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "criteria" && m.Content[i+1].Kind == yaml.SequenceNode {
			var lines []int
			for _, item := range m.Content[i+1].Content {
				lines = append(lines, item.Line)
			}
			return lines
		}
	}
	return nil
}

// ByName returns the criterion named name.
func (s *Spec) ByName(name string) (Criterion, bool) {
	for _, c := range s.Criteria {
		if c.Name == name {
			return c, true
		}
	}
	return Criterion{}, false
}
