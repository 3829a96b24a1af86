package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/internal/home"
)

// The files a run reads besides the bot's config, as Pick names them: the
// latency budgets and the soak's criteria.
const (
	FileBudgets  = "budgets"
	FileCriteria = "criteria"
)

// fileDefaults are, by file, the user's variable that names it and
// presoak's own file (relative to its module directory, internal/home).
var fileDefaults = map[string]struct{ env, rel string }{
	FileBudgets:  {"BUDGETS", budget.DefaultFile},
	FileCriteria: {"CRITERIA", "fixtures/criteria.yaml"},
}

// Choice is the budgets or criteria file a run reads, and why that one.
type Choice struct {
	// Path is the file: absolute, or as the user wrote it when it is
	// relative to root.
	Path string
	// From says who chose it: "BUDGETS" (the user's variable), "profile
	// bot.yaml:7 budgets" or "presoak's default".
	From string
}

// Pick is the one place that decides which budgets or criteria file
// (FileBudgets, FileCriteria) a run reads:
//
//  1. explicit, the value of BUDGETS or CRITERIA the user set on the command
//     line or in the environment (empty: not set), relative to root (the
//     team's tree) unless absolute;
//  2. else the bot profile's budgets: or criteria: (p may be nil), relative
//     to the profile's directory;
//  3. else presoak's own file (fixtures/budgets.yaml, fixtures/criteria.yaml
//     in presoak's module directory).
//
// The Makefile leaves BUDGETS and CRITERIA empty, so an empty value is
// never a choice.
func Pick(file, explicit, root string, p *Profile) (Choice, error) {
	def, ok := fileDefaults[file]
	if !ok {
		return Choice{}, fmt.Errorf("pick file: unknown file %q (want %s or %s)", file, FileBudgets, FileCriteria)
	}
	if v := strings.TrimSpace(explicit); v != "" {
		if !filepath.IsAbs(v) && root != "" {
			v = filepath.Join(root, v)
		}
		return Choice{Path: v, From: def.env}, nil
	}
	if p != nil {
		if rel := p.file(file); rel != "" {
			return Choice{Path: p.Resolve(rel), From: fmt.Sprintf("profile %s %s", p.Sources[file], file)}, nil
		}
	}
	path, err := home.Data(def.rel)
	if err != nil {
		return Choice{}, fmt.Errorf("pick %s: %w", file, err)
	}
	return Choice{Path: path, From: "presoak's default"}, nil
}

// PickEnv is Pick with the user's variable read through getenv (BUDGETS or
// CRITERIA).
func PickEnv(file string, getenv func(string) string, root string, p *Profile) (Choice, error) {
	def, ok := fileDefaults[file]
	if !ok {
		return Pick(file, "", root, p)
	}
	return Pick(file, getenv(def.env), root, p)
}

// file is the profile's budgets: or criteria: as written.
func (p *Profile) file(file string) string {
	switch file {
	case FileBudgets:
		return p.Budgets
	case FileCriteria:
		return p.Criteria
	}
	return ""
}

// BudgetSignals are the signals a budget may name besides the built-in
// targets: the profile's own signals (not the engine's named ones) with
// their kinds; budget.ParseFileFor accepts the histograms among them. The
// reference engine's profile declares no histogram of its own, so a budget
// on a declared signal never applies to the embedded engine. Nil p: none.
func (p *Profile) BudgetSignals() budget.Signals {
	if p == nil {
		return nil
	}
	out := budget.Signals{}
	for n, s := range p.Signals {
		if !IsRole(n) {
			out[n] = s.Kind
		}
	}
	return out
}

// DeclaredHistograms are the profile's own histogram signals (beyond
// tick_latency and stage_latency), sorted by name: what a budget may name.
func (p *Profile) DeclaredHistograms() []*Signal {
	var out []*Signal
	for _, n := range p.SignalNames() {
		if s := p.Signals[n]; !IsRole(n) && s.Kind == KindHistogram {
			out = append(out, s)
		}
	}
	return out
}

// checkFiles validates the budgets and criteria files the profile names:
// each must exist and parse; budgets may name the profile's histogram
// signals, criteria its declared signals. Each problem names the profile's
// file:line and key, and the file's own problem.
func (d *decoder) checkFiles() {
	p := d.p
	for _, s := range p.Signals {
		if _, builtin := budget.KindOf(s.Name); builtin && !IsRole(s.Name) {
			d.probs = append(d.probs, Problem{Where: p.Sources["signals."+s.Name], Key: "signals." + s.Name,
				Msg: fmt.Sprintf("%q is a built-in budget target (%s): name the signal otherwise", s.Name, strings.Join(budget.Targets, ", "))})
		}
	}
	if p.Budgets != "" {
		data, err := p.readFile(p.Budgets)
		if err == nil {
			_, err = budget.ParseFileFor(p.Budgets, data, p.BudgetSignals())
		}
		if err != nil {
			d.probs = append(d.probs, Problem{Where: p.Sources[FileBudgets], Key: FileBudgets, Msg: err.Error()})
		}
	}
	if p.Criteria != "" {
		data, err := p.readFile(p.Criteria)
		if err == nil {
			var spec *criteria.Spec
			if spec, err = criteria.Parse(p.Criteria, data); err == nil {
				_, _, err = spec.ForProfile(p.DeclaredKinds(), Vocabulary())
			}
		}
		if err != nil {
			d.probs = append(d.probs, Problem{Where: p.Sources[FileCriteria], Key: FileCriteria, Msg: err.Error()})
		}
	}
}

// readFile reads a file the profile names; a missing one is said without
// the machine's absolute path.
func (p *Profile) readFile(rel string) ([]byte, error) {
	data, err := os.ReadFile(p.Resolve(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file (relative to the profile's directory)", rel)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	return data, nil
}
