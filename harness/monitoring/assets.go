package monitoring

import (
	"bytes"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"path/filepath"

	rmon "github.com/presoak/presoak/reports/monitoring"
)

// Where the assets go, relative to the module root.
const (
	RulesPath     = "artifacts/monitoring/presoak.rules.yml"
	RuleTestsPath = "artifacts/monitoring/presoak.rules.test.yml"
	DashboardPath = "artifacts/monitoring/presoak.dashboard.json"
	ChecklistPath = "artifacts/reports/SOAK_DASHBOARD_CHECKLIST.md"
)

// Assets are the rendered monitoring files.
type Assets struct {
	// Model is what they were rendered from.
	Model rmon.Model
	// Rules, Dashboard and Checklist are the files' bytes.
	Rules, Dashboard, Checklist []byte
	// RuleTests are promtool rule tests for every alert (`promtool test
	// rules` next to the rules file); nil when RuleTestsErr says why not.
	RuleTests    []byte
	RuleTestsErr error
}

// Render builds the model from the inputs and renders the three assets.
func Render(in Inputs) (Assets, error) {
	m, err := Build(in)
	if err != nil {
		return Assets{}, err
	}
	a := Assets{Model: m}
	var buf bytes.Buffer
	if err := rmon.WriteRules(&buf, m); err != nil {
		return Assets{}, fmt.Errorf("render monitoring: %w", err)
	}
	a.Rules = append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	if err := rmon.WriteDashboard(&buf, m); err != nil {
		return Assets{}, fmt.Errorf("render monitoring: %w", err)
	}
	a.Dashboard = append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	if err := rmon.WriteChecklist(&buf, m); err != nil {
		return Assets{}, fmt.Errorf("render monitoring: %w", err)
	}
	a.Checklist = append([]byte(nil), buf.Bytes()...)
	rt, err := NewRuleTests(in.Spec, in.Options)
	if err == nil {
		a.RuleTests, err = rt.Render(filepath.Base(RulesPath))
	}
	a.RuleTestsErr = err
	return a, nil
}

// Write writes the assets under root atomically (temp file, rename) and
// returns the paths it wrote, relative to root.
func (a Assets) Write(root string) ([]string, error) {
	files := []struct {
		path string
		data []byte
	}{{RulesPath, a.Rules}, {DashboardPath, a.Dashboard}, {ChecklistPath, a.Checklist}, {RuleTestsPath, a.RuleTests}}
	var wrote []string
	for _, f := range files {
		if f.data == nil {
			continue
		}
		if err := atomicfile.WriteFile(filepath.Join(root, f.path), f.data); err != nil {
			return wrote, fmt.Errorf("write monitoring assets: %w", err)
		}
		wrote = append(wrote, f.path)
	}
	return wrote, nil
}
