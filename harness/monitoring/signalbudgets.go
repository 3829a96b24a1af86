package monitoring

import (
	"fmt"
	"strconv"

	"github.com/presoak/presoak/harness/budget"
	rmon "github.com/presoak/presoak/reports/monitoring"
)

// declaredStages are the latency panels of the budgets on the profile's own
// histogram signals (`order_ack_latency: p(95) < 50ms`, harness/budget):
// one per signal, drawn as a stage's is — its percentiles over the bot's
// histogram, every matching series summed per bot, labelled stage=<signal>
// — with its budgets as lines. None without such budgets.
func declaredStages(set *budget.Set, o Options) []rmon.Stage {
	if set == nil {
		return nil
	}
	var out []rmon.Stage
	for _, name := range set.Signals() {
		if o.prof().Signal(name) == nil {
			continue // the budgets were parsed against this profile: not reached
		}
		s := rmon.Stage{Name: name}
		for _, q := range Quantiles {
			hq := fmt.Sprintf("histogram_quantile(%s, sum by (%s, le) (rate(%s[%s])))",
				strconv.FormatFloat(q, 'f', -1, 64), by, o.sigSel(name, "_bucket"), Range(DefaultWindow))
			s.Quantiles = append(s.Quantiles, rmon.Quantile{Q: q, Expr: fmt.Sprintf(`label_replace(%s, "stage", %q, "", "")`, o.scaled(name, hq), name)})
		}
		for _, b := range set.For(name) {
			bq := 0.0
			if b.Agg.Func == "p" {
				bq = b.Agg.Percentile / 100
			}
			s.Budgets = append(s.Budgets, rmon.Budget{Text: b.Expr, Q: bq, Seconds: b.Threshold / 1e9})
		}
		out = append(out, s)
	}
	return out
}
