package baseline

import (
	"fmt"
	"os"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/target"
)

// loadBudgets loads the budgets a run on env judges (h: the harness the run
// reads, nil: env's): explicit (BUDGETS as the user set it, "" when unset)
// over the bot profile's budgets: over presoak's default — profile.Pick,
// the one place that decides — validated against the profile's own
// signals (a budget may name one of its histograms). name is the file as
// reports show it, with who chose it: "fixtures/bots/x/budgets.yaml
// (profile profile.yaml:5 budgets)".
func loadBudgets(env checklist.Env, h *target.Harness, explicit string) (set *budget.Set, name string, err error) {
	if h == nil {
		if env.HarnessErr != nil && explicit == "" {
			return nil, "", fmt.Errorf("budgets: the harness or bot profile did not load, so which budgets it names is unknown: %w", env.HarnessErr)
		}
		h = env.Harness
	}
	var p *profile.Profile
	if h != nil {
		p = h.Profile
	}
	c, err := profile.Pick(profile.FileBudgets, explicit, env.Layers.Root, p)
	if err != nil {
		return nil, "", fmt.Errorf("budgets: %w", err)
	}
	display := env.Layers.Display(c.Path)
	name = display + " (" + c.From + ")"
	data, err := os.ReadFile(c.Path)
	if err == nil {
		set, err = budget.ParseFileFor(display, data, p.BudgetSignals())
	}
	if err != nil {
		return nil, name, fmt.Errorf("budgets %s: %w", name, err)
	}
	return set, name, nil
}
