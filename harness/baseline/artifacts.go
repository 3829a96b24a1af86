package baseline

import (
	"bytes"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"os"
	"path/filepath"
	"time"

	"github.com/presoak/presoak/harness/budget"
	chart "github.com/presoak/presoak/reports/baseline"
)

// Artifact file names, under the baseline directory (artifacts/baseline).
const (
	StageBudgetsFile  = "stage_budgets.json"
	VisualizationFile = "visualization.md"
	ChartFile         = "stage_budgets.svg"
	// FrozenDir is where make baseline-freeze keeps the reference baseline,
	// under the baseline directory: artifacts/baseline/frozen/stage_budgets.json.
	FrozenDir = "frozen"
)

// Paths are the files WriteArtifacts wrote.
type Paths struct {
	StageBudgets, Visualization, Chart string
}

// WriteArtifacts writes stage_budgets.json, visualization.md and the SVG it
// links into dir, each atomically. regressions (may be nil) are shown in the
// visualization.
func WriteArtifacts(dir string, run *Run, set *budget.Set, regressions []StageRegression) (Paths, error) {
	p := Paths{
		StageBudgets:  filepath.Join(dir, StageBudgetsFile),
		Visualization: filepath.Join(dir, VisualizationFile),
		Chart:         filepath.Join(dir, ChartFile),
	}
	if err := Write(p.StageBudgets, run.Baseline); err != nil {
		return p, err
	}
	v := ViewOf(run, set, regressions)
	var md, svg bytes.Buffer
	if err := chart.WriteMarkdown(&md, v); err != nil {
		return p, fmt.Errorf("write %s: %w", p.Visualization, err)
	}
	if err := chart.WriteSVG(&svg, v); err != nil {
		return p, fmt.Errorf("write %s: %w", p.Chart, err)
	}
	if err := atomicfile.WriteFile(p.Chart, svg.Bytes()); err != nil {
		return p, err
	}
	if err := atomicfile.WriteFile(p.Visualization, md.Bytes()); err != nil {
		return p, err
	}
	return p, nil
}

// ViewOf is the renderers' view of a run.
func ViewOf(run *Run, set *budget.Set, regressions []StageRegression) chart.View {
	b := run.Baseline
	v := chart.View{
		Title: "Shadow baseline", Clock: b.Clock, LatencySource: b.LatencySource, Source: SourceOf(b),
		Partial: b.Partial, PartialReason: b.PartialReason,
		Start: b.Start, End: b.End, Duration: time.Duration(b.DurationSeconds * float64(time.Second)),
		Ticks: b.Ticks, DeadlineMissPct: b.DeadlineMissPct, HitRatioPct: b.HitRatioPct,
		ConfigHash: b.ConfigHash, GitCommit: b.GitCommit, SVGName: ChartFile,
	}
	if b.Clock == SimulatedClock {
		v.Title = "Baseline sample (simulated clock)"
	}
	if b.Target != "" {
		v.Title = "Shadow baseline of " + b.Instance
		v.Target = fmt.Sprintf("%s read through %s (%d reads, %d found it down)", b.Instance, b.Target, b.Samples, b.SamplesDown)
	}
	for _, r := range run.Results {
		switch r.Budget.Target {
		case budget.DeadlineMiss:
			v.DeadlineMissBudget, v.DeadlineMissPass = r.Budget.Expr, r.Pass
		case budget.MDCacheHitRatio:
			v.HitRatioBudget, v.HitRatioPass = r.Budget.Expr, r.Pass
		}
	}
	for _, name := range budget.LatencyTargets {
		st, _ := b.Stage(name)
		s := chart.Stage{
			Name: name, Count: st.Count,
			P50: fromMs(st.P50Ms), P95: fromMs(st.P95Ms), P99: fromMs(st.P99Ms), Max: fromMs(st.MaxMs),
			Budget: fromMs(st.BudgetMs), Confidence: string(st.Confidence),
		}
		if len(st.P95CIMs) == 2 {
			s.P95Low, s.P95High = fromMs(st.P95CIMs[0]), fromMs(st.P95CIMs[1])
		}
		if e := st.BucketError; e != nil {
			s.P50Bucket, s.P95Bucket, s.P99Bucket = e.P50.String(), e.P95.String(), e.P99.String()
		}
		v.Stages = append(v.Stages, s)
	}
	for _, r := range regressions {
		v.Regressions = append(v.Regressions, chart.Regression{Stage: r.Stage, Status: string(r.Status), Reason: r.Reason})
	}
	return v
}

func fromMs(ms float64) time.Duration { return time.Duration(ms * 1e6) }

// Freeze copies dir/stage_budgets.json to dir/frozen/stage_budgets.json (the
// reference later runs compare with) after checking that it reads as a
// baseline. A partial baseline is refused unless allowPartial.
func Freeze(dir string, allowPartial bool) (string, *Baseline, error) {
	src := filepath.Join(dir, StageBudgetsFile)
	b, err := Read(src)
	if err != nil {
		return "", nil, fmt.Errorf("freeze baseline: %w", err)
	}
	if b.Partial && !allowPartial {
		return "", b, fmt.Errorf("freeze baseline: %s is partial (%s): run a complete shadow baseline first", src, b.PartialReason)
	}
	dst := filepath.Join(dir, FrozenDir, StageBudgetsFile)
	if err := Write(dst, b); err != nil {
		return "", b, fmt.Errorf("freeze baseline: %w", err)
	}
	return dst, b, nil
}

// ReadFrozen reads dir/frozen/stage_budgets.json; ok is false when there is none.
func ReadFrozen(dir string) (*Baseline, bool, error) {
	path := filepath.Join(dir, FrozenDir, StageBudgetsFile)
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil, false, nil
	}
	b, err := Read(path)
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}
