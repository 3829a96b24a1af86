package monitoring

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/internal/home"
)

// Default input paths, relative to the module root (as in the Makefile).
const (
	DefaultCriteria = "fixtures/criteria.yaml"
	DefaultBudgets  = "fixtures/budgets.yaml"
	DefaultBaseline = "artifacts/baseline/frozen/stage_budgets.json"
)

// Env names the files the assets are generated from; paths are relative to
// Root unless absolute. EnvFrom fills it from the environment the Makefile
// exports.
type Env struct {
	// Root is the module root.
	Root string
	// Criteria is the criteria spec (CRITERIA).
	Criteria string
	// Budgets is the budgets file (BUDGETS); empty means none.
	Budgets string
	// MetricNames is the old metric-name mapping file (METRIC_NAMES, keys
	// as profile.MetricNames' yaml tags; unset keys keep the reference
	// engine's names), read into a profile (profile.ParseNames); empty
	// means none.
	MetricNames string
	// Profile is a bot profile (PROFILE, harness/profile): the expressions
	// are written from its signals. It replaces MetricNames; empty means
	// the reference engine's profile (or MetricNames' mapping folded into
	// it).
	Profile string
	// Selector is extra label matchers for every metric (SELECTOR), e.g.
	// `job="mm-bot"` or `{job="mm-bot"}`.
	Selector string
	// Baseline is the frozen baseline (BASELINE); it is used when the file
	// exists, and its absence is stated in the assets.
	Baseline string
}

// EnvFrom reads CRITERIA, BUDGETS, PROFILE (else PRESOAK_PROFILE), METRIC_NAMES, SELECTOR and
// BASELINE with getenv; CRITERIA and BUDGETS unset are the bot profile's
// criteria: and budgets: (PROFILE), else presoak's fixtures (profile.Pick);
// BASELINE defaults to the frozen baseline's path.
func EnvFrom(root string, getenv func(string) string) Env {
	or := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	pf := home.Profile(getenv)
	prof := namedProfile(root, pf)
	return Env{
		Root:        root,
		Criteria:    picked(profile.FileCriteria, root, getenv, prof, DefaultCriteria),
		Budgets:     picked(profile.FileBudgets, root, getenv, prof, DefaultBudgets),
		MetricNames: or("METRIC_NAMES", ""),
		Profile:     pf,
		Selector:    or("SELECTOR", ""),
		Baseline:    or("BASELINE", DefaultBaseline),
	}
}

// readFile reads an input; its error leaves out the absolute path (the
// caller names the input as Display does).
func (e Env) readFile(p string) ([]byte, error) {
	data, err := os.ReadFile(e.abs(p))
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return data, err
}

func (e Env) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(e.Root, p)
}

// Display names a path relative to the root when it is inside it, so that
// no machine's absolute path reaches an asset.
func (e Env) Display(p string) string {
	if rel, err := filepath.Rel(e.Root, e.abs(p)); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.Base(p)
}

// Load reads and validates every input; all problems are in one error.
func (e Env) Load() (Inputs, error) {
	var in Inputs
	var errs []error
	data, err := e.readFile(e.Criteria)
	if err == nil {
		in.Spec, err = criteria.Parse(e.Display(e.Criteria), data)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("criteria %s: %w", e.Display(e.Criteria), err))
	} else {
		in.Sources = append(in.Sources, "criteria: "+e.Display(e.Criteria)+" "+digest(data))
	}
	if e.Budgets != "" {
		data, err := e.readFile(e.Budgets)
		if err == nil {
			// budgets may name the profile's own histogram signals
			in.Budgets, err = budget.ParseFileFor(e.Display(e.Budgets), data, namedProfile(e.Root, e.Profile).BudgetSignals())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("budgets %s: %w", e.Display(e.Budgets), err))
		} else {
			in.Sources = append(in.Sources, "budgets: "+e.Display(e.Budgets)+" "+digest(data))
		}
	}
	if e.Profile != "" {
		data, err := e.readFile(e.Profile)
		if err == nil {
			in.Options.Profile, err = profile.Parse(e.Display(e.Profile), filepath.Dir(e.abs(e.Profile)), data)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("profile %s: %w", e.Display(e.Profile), err))
		} else {
			in.Sources = append(in.Sources, "profile: "+e.Display(e.Profile)+" "+digest(data))
		}
		if e.MetricNames != "" {
			errs = append(errs, fmt.Errorf("metric names %s: PROFILE is set; the profile's signals name the metrics (drop METRIC_NAMES)", e.Display(e.MetricNames)))
		}
	} else if e.MetricNames != "" {
		data, err := e.readFile(e.MetricNames)
		if err == nil {
			in.Options.Profile, err = profile.ParseNames(data)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("metric names %s: %w", e.Display(e.MetricNames), err))
		} else {
			in.Sources = append(in.Sources, "metric names: "+e.Display(e.MetricNames)+" "+digest(data))
		}
	} else {
		in.Sources = append(in.Sources, "profile: "+profile.ReferenceFile)
	}
	in.Options.Selector = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(e.Selector), "{"), "}")
	if in.Options.Selector != "" {
		in.Sources = append(in.Sources, "selector: {"+in.Options.Selector+"}")
	}
	if e.Baseline != "" {
		b, data, err := readBaseline(e.abs(e.Baseline))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			in.Sources = append(in.Sources, "baseline: none ("+e.Display(e.Baseline)+" not found; make baseline-freeze)")
		case err != nil:
			errs = append(errs, fmt.Errorf("baseline %s: %w", e.Display(e.Baseline), err))
		default:
			in.Options.Baseline = b
			in.Sources = append(in.Sources, "baseline: "+e.Display(e.Baseline)+" "+digest(data))
		}
	}
	if in.Spec != nil && len(errs) == 0 {
		// Criteria on the profile's own signals name signals it declares.
		spec, notes, err := in.Spec.ForProfile(in.Options.prof().DeclaredKinds(), profile.Vocabulary())
		if err != nil {
			errs = append(errs, fmt.Errorf("criteria %s against the profile: %w", e.Display(e.Criteria), err))
		} else {
			in.Spec = spec
			for _, n := range notes {
				in.Sources = append(in.Sources, "note: "+n)
			}
		}
	}
	if len(errs) > 0 {
		return Inputs{}, fmt.Errorf("load monitoring inputs: %w", errors.Join(errs...))
	}
	return in, nil
}

// readBaseline returns the frozen baseline's p95 per latency target, in
// seconds, as the generated rules compute theirs: interpolated inside the
// bot's histogram buckets (baseline.SoakP95Seconds), never the embedded
// engine's exact p95, which an unchanged bot's bucketed p95 exceeds.
func readBaseline(path string) (map[string]float64, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var b baseline.Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, nil, fmt.Errorf("read baseline: %w", err)
	}
	out := b.SoakP95Seconds()
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("read baseline: no stage has a p95")
	}
	return out, data, nil
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])[:16]
}
