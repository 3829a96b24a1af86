package soak

import (
	"encoding/json"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"os"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
)

// Verdict is how a soak ended.
type Verdict string

// The verdicts.
const (
	// Pass: the soak ran its duration, no stop criterion fired and every
	// stop criterion was evaluated (had data) at least once.
	Pass Verdict = "pass"
	// Stopped: a stop criterion fired; the soak ended early.
	Stopped Verdict = "stopped"
	// Interrupted: a signal or a deadline ended the soak before its duration.
	Interrupted Verdict = "interrupted"
	// Inconclusive: the soak ran its duration but a stop criterion never had
	// data, so nothing can be said about it.
	Inconclusive Verdict = "inconclusive"
	// Failed: the run itself broke (a sample could not be written, the disk
	// is full); Reason carries the error. Never reported as interrupted.
	Failed Verdict = "failed"
)

// ReportVersion is the soak_report.json schema version.
const ReportVersion = 1

// Report is soak_report.json.
type Report struct {
	Version int     `json:"version"`
	Verdict Verdict `json:"verdict"`
	// Reason says why in one line ("stopped by deadline_miss_stop ...").
	Reason string `json:"reason"`
	// InterruptedBy is the signal or deadline that ended an interrupted run.
	InterruptedBy string `json:"interrupted_by,omitempty"`

	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	Duration time.Duration `json:"duration_ns"`
	// Simulated is true when time was the target's simulated clock.
	Simulated bool `json:"simulated"`
	// Resumed counts the samples replayed from an earlier run (0: fresh).
	Resumed int `json:"resumed_samples,omitempty"`
	// Repaired says how the resume repaired samples.jsonl (a torn last line
	// dropped), empty when it needed nothing.
	Repaired string `json:"repaired,omitempty"`
	// NotApplied names the criteria left out because the bot profile
	// declares none of their signal (criteria.Spec.ForProfile): not judged.
	NotApplied []string `json:"not_applied,omitempty"`

	Samples     int      `json:"samples"`
	Evaluations int      `json:"evaluations"`
	Ticks       float64  `json:"ticks"`
	Instances   []string `json:"instances"`

	CriteriaFile string `json:"criteria_file,omitempty"`
	SamplesFile  string `json:"samples_file,omitempty"`
	// EvaluationInterval is the spec's.
	EvaluationInterval time.Duration `json:"evaluation_interval_ns"`

	// Stop is the stop criterion that ended the soak, if one did.
	Stop *Firing `json:"stop,omitempty"`
	// Warnings are the warning criteria that fired, in order.
	Warnings []Firing `json:"warnings,omitempty"`
	// Criteria is every criterion's final state and value, in spec order.
	Criteria []CriterionReport `json:"criteria"`
	// Timeline is every state transition, oldest first (the first
	// MaxTimeline; TimelineDropped counts the rest).
	Timeline        []Event `json:"timeline"`
	TimelineDropped int     `json:"timeline_dropped,omitempty"`

	// Written lists the files this run wrote, in order (samples, then each
	// report once it is in place): what a caller may say it wrote. A report
	// whose write failed is not in it. Not part of soak_report.json.
	Written []string `json:"-"`
}

// Firing is a criterion that fired.
type Firing struct {
	Criterion string            `json:"criterion"`
	Instance  string            `json:"instance"`
	Severity  criteria.Severity `json:"severity"`
	Signal    signal.Name       `json:"signal"`
	Op        criteria.Op       `json:"op"`
	Threshold float64           `json:"threshold"`
	For       time.Duration     `json:"for_ns"`
	// Since is when the condition began to hold (went pending); At when it fired.
	Since time.Time    `json:"since"`
	At    time.Time    `json:"at"`
	Value signal.Value `json:"value"`
	// Description and Action are the criterion's texts.
	Description string `json:"description"`
	Action      string `json:"action"`
}

// String is the one-line account a failing test prints.
func (f Firing) String() string {
	return fmt.Sprintf("%s (%s): %s = %s %s %v since %s, fired at %s after holding for %s (for: %s) on %s — %s Action: %s",
		f.Criterion, f.Severity, f.Signal, f.Value, f.Op, f.Threshold,
		f.Since.UTC().Format(time.RFC3339), f.At.UTC().Format(time.RFC3339), f.At.Sub(f.Since), f.For, f.Instance, f.Description, f.Action)
}

// CriterionReport is one criterion at the end of the soak.
type CriterionReport struct {
	Name   string      `json:"name"`
	Signal signal.Name `json:"signal"`
	// Over and Of say how a profile-declared signal is judged (empty for a
	// fixed signal).
	Over        signal.Over       `json:"over,omitempty"`
	Of          string            `json:"of,omitempty"`
	Op          criteria.Op       `json:"op"`
	Threshold   float64           `json:"threshold"`
	Window      time.Duration     `json:"window_ns"`
	For         time.Duration     `json:"for_ns"`
	Severity    criteria.Severity `json:"severity"`
	Description string            `json:"description"`
	Action      string            `json:"action"`
	// State and Value at the last evaluation (the worst instance's).
	State criteria.State `json:"state"`
	Value signal.Value   `json:"value"`
	// Evaluated counts the evaluations that had data; 0 means the criterion
	// could not be evaluated at all.
	Evaluated int `json:"evaluated"`
	// Fired counts the times it went to firing; FirstFired is the first.
	Fired      int       `json:"fired"`
	FirstFired time.Time `json:"first_fired,omitzero"`
	// Worst is the value seen furthest toward (or past) the threshold.
	Worst    float64 `json:"worst"`
	HasWorst bool    `json:"has_worst"`
}

// Event is a transition on one instance.
type Event struct {
	criteria.Transition
	Instance string `json:"instance"`
}

// MaxTimeline bounds the timeline kept in memory and in the report.
const MaxTimeline = 2000

// writeJSON writes the report atomically.
func (r *Report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("write soak report: %w", err)
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}

// ReadReport reads a soak_report.json.
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read soak report: %w", err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read soak report %s: %w", path, err)
	}
	return &r, nil
}
