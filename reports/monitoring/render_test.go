package monitoring

import (
	"bytes"
	"encoding/json"
	"flag"
	"github.com/presoak/presoak/internal/golden"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// smallModel is a model with one signal, one alert, one stage and the
// breakers: enough to pin every renderer's shape.
func smallModel() Model {
	return Model{
		Title: "presoak soak", UID: "presoak-soak", Group: "presoak",
		Inputs:             []string{"criteria: criteria.yaml sha256:0123456789abcdef"},
		EvaluationInterval: 15 * time.Second,
		Recordings:         []Recording{{Record: "presoak:deadline_miss_pct:1m", Expr: `100 * sum(increase(misses[1m])) / sum(increase(ticks[1m]))`}},
		Signals: []Signal{{
			Name: "deadline_miss_pct", Record: "presoak:deadline_miss_pct:1m", Expr: `100 * sum(increase(misses[1m])) / sum(increase(ticks[1m]))`,
			Window: time.Minute, Unit: "percent", Description: "misses / ticks, %",
			Thresholds: []Threshold{{Criterion: "deadline_miss_stop", Severity: "stop", Op: ">", Value: 5}, {Criterion: "deadline_miss_warn", Severity: "warn", Op: ">", Value: 2}},
		}},
		Alerts: []Alert{{
			Name: "PresoakDeadlineMissStop", Criterion: "deadline_miss_stop", Signal: "deadline_miss_pct", Record: "presoak:deadline_miss_pct:1m",
			Expr: "presoak:deadline_miss_pct:1m > 5", Op: ">", Threshold: 5, Unit: "percent", Window: time.Minute, For: 10 * time.Minute,
			Severity: "stop", Description: "More than 5% of ticks missed | their deadline.", Action: "Check venue | feed latency.",
		}},
		Stages:   []Stage{{Name: "fetch_md", Quantiles: []Quantile{{Q: 0.95, Expr: "histogram_quantile(0.95, x)"}}, Budgets: []Budget{{Text: "p(95) < 35ms", Q: 0.95, Seconds: 0.035}}}},
		Breakers: Breakers{Expr: "max by (breaker) (open)", CriticalExpr: `sum(open{critical="true"})`},
		Notes:    []string{"A note."},
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	if err := golden.Check(filepath.Join("testdata", name), got, *update); err != nil {
		t.Error(err)
	}
}

func TestWriteRulesGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRules(&buf, smallModel()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "rules.yml", buf.Bytes())
	var f struct {
		Groups []struct {
			Interval string
			Rules    []map[string]any
		}
	}
	if err := yaml.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	alert := f.Groups[0].Rules[1]
	if alert["for"] != "10m" || alert["labels"].(map[string]any)["severity"] != "stop" {
		t.Errorf("alert rule: got %v", alert)
	}
	if f.Groups[0].Interval != "15s" {
		t.Errorf("interval %q, want 15s", f.Groups[0].Interval)
	}
}

func TestWriteRulesRefusesAModelWithoutGroup(t *testing.T) {
	m := smallModel()
	m.Group = ""
	if err := WriteRules(&bytes.Buffer{}, m); err == nil {
		t.Fatal("no error")
	}
}

func TestWriteDashboard(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteDashboard(&buf, smallModel()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "dashboard.json", buf.Bytes())
	var d struct {
		SchemaVersion int `json:"schemaVersion"`
		Templating    struct {
			List []struct{ Name, Type, Query string } `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Type, Title string
			Datasource  struct{ UID string } `json:"datasource"`
			Targets     []struct{ Expr string }
			FieldConfig struct {
				Defaults struct {
					Thresholds struct {
						Steps []struct {
							Color string
							Value *float64
						}
					}
				}
			} `json:"fieldConfig"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.SchemaVersion != SchemaVersion {
		t.Errorf("schemaVersion %d, want %d", d.SchemaVersion, SchemaVersion)
	}
	if len(d.Templating.List) != 1 || d.Templating.List[0].Type != "datasource" || d.Templating.List[0].Query != "prometheus" {
		t.Errorf("templating: got %+v, want the prometheus data source variable", d.Templating.List)
	}
	found := false
	for _, p := range d.Panels {
		if p.Type != "row" && p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q: data source %q, want the variable", p.Title, p.Datasource.UID)
		}
		if strings.HasPrefix(p.Title, "deadline_miss_pct") {
			found = true
			var lines []float64
			for _, s := range p.FieldConfig.Defaults.Thresholds.Steps {
				if s.Value != nil {
					lines = append(lines, *s.Value)
				}
			}
			if len(lines) != 2 || lines[0] != 2 || lines[1] != 5 {
				t.Errorf("threshold lines %v, want [2 5]", lines)
			}
		}
	}
	if !found {
		t.Error("no panel for the signal")
	}
}

func TestWriteChecklist(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteChecklist(&buf, smallModel()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "checklist.md", buf.Bytes())
	out := buf.String()
	for _, want := range []string{"## Stop criteria", "## Alert rules", "## Panels", "## Every 4–6 hours", `\|`, "runbook: Check venue | feed latency."} {
		if !strings.Contains(out, want) {
			t.Errorf("checklist lacks %q", want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 15 * time.Second: "15s", 10 * time.Minute: "10m", 90 * time.Minute: "1h30m",
		2 * time.Hour: "2h", 1500 * time.Millisecond: "1s500ms", time.Microsecond: "0s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
