package soak_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
)

// acmeProfile is a bot presoak did not write, with a signal of its own
// (a queue depth, per venue) no Go code of presoak knows.
const acmeProfile = `version: 1
bot: acme
signals:
  ticks:            {expr: 'acme_loops_total', kind: counter}
  acme_queue_depth: {expr: 'max(acme_order_queue)', kind: gauge}
  acme_refusals:    {expr: 'acme_refused_total', kind: counter}
`

const acmeCriteria = `version: 1
evaluation_interval: 15s
criteria:
  - {name: queue_deep, signal: acme_queue_depth, over: max, op: ">", threshold: 100, window: 5m, for: 10m, severity: stop, description: "the order queue is deep", action: "look at the venue"}
  - {name: refusals_fast, signal: acme_refusals, over: rate, op: ">", threshold: 0.5, window: 10m, for: 10m, severity: stop, description: "orders refused", action: "read the reasons"}
`

// acmeBot is the foreign bot on a simulated clock: its /metrics page is
// rendered as text and read as a scrape target reads one (expfmt, then
// the profile's expressions), so the soak judges it through the profile.
type acmeBot struct {
	prof            *profile.Profile
	start, at       time.Time
	queueFrom       time.Duration // the venue-x queue grows from here (0: never)
	refuseFrom      time.Duration // orders are refused from here (0: never)
	loops, refused  float64
	queueX, queueY  float64
	stalledSelector bool
}

func (b *acmeBot) Advance(d time.Duration) {
	for end := b.at.Add(d); b.at.Before(end); b.at = b.at.Add(time.Second) {
		b.loops += 10
		el := b.at.Sub(b.start)
		b.queueX, b.queueY = 3, 5
		if b.queueFrom > 0 && el >= b.queueFrom {
			b.queueX = 500
		}
		if b.refuseFrom > 0 && el >= b.refuseFrom {
			b.refused += 2
		}
	}
}

func (b *acmeBot) Now() time.Time { return b.at }
func (b *acmeBot) Close() error   { return nil }

func (b *acmeBot) Sample(context.Context) ([]signal.Sample, error) {
	queue := "acme_order_queue"
	if b.stalledSelector {
		queue = "acme_order_queue_v2" // the bot renamed it: the selector matches nothing
	}
	page := fmt.Sprintf(`# TYPE acme_loops_total counter
acme_loops_total %g
# TYPE %[2]s gauge
%[2]s{venue="x"} %[3]g
%[2]s{venue="y"} %[4]g
# TYPE acme_refused_total counter
acme_refused_total %[5]g
`, b.loops, queue, b.queueX, b.queueY, b.refused)
	tp := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := tp.TextToMetricFamilies(strings.NewReader(page))
	if err != nil {
		return nil, err
	}
	s := signal.Sample{At: b.at, Instance: "acme:9100", Up: true}
	if _, err := target.DeriveProfile(fams, b.prof, &s); err != nil {
		return nil, err
	}
	return []signal.Sample{s}, nil
}

var _ target.Simulated = (*acmeBot)(nil)

func acmeSoak(t *testing.T, bot *acmeBot, d time.Duration) *soak.Report {
	t.Helper()
	p, err := profile.Parse("acme.yaml", ".", []byte(acmeProfile))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := criteria.Parse("acme-criteria.yaml", []byte(acmeCriteria))
	if err != nil {
		t.Fatal(err)
	}
	bot.prof = p
	bot.start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bot.at = bot.start
	rep, err := soak.Run(t.Context(), soak.Config{Spec: spec, Target: bot, Duration: d, Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestDeclaredSignalStopsAForeignSoak: a criterion on a signal only the
// foreign bot's profile declares fires in the accelerated soak, at the
// evaluation its window and for-duration say; the healthy run does not.
func TestDeclaredSignalStopsAForeignSoak(t *testing.T) {
	healthy := acmeSoak(t, &acmeBot{}, 6*time.Hour)
	if healthy.Stop != nil || healthy.Elapsed != 6*time.Hour {
		t.Fatalf("healthy acme soak: %s (%s), want 6h with nothing fired", healthy.Verdict, healthy.Reason)
	}
	for _, c := range []struct {
		name string
		bot  *acmeBot
		stop string
		at   time.Duration
	}{
		// max over 5m > 100 from 2h on; pending at 2h, firing 10m later
		{"queue", &acmeBot{queueFrom: 2 * time.Hour}, "queue_deep", 2*time.Hour + 10*time.Minute},
		// 2 refusals a second from 3h on; the first window holding one refusal already exceeds 0.5/s?
		// no: rate over 10m crosses 0.5/s once a quarter of the window refuses (2.5 min)
		{"refusals", &acmeBot{refuseFrom: 3 * time.Hour}, "refusals_fast", 3*time.Hour + 2*time.Minute + 30*time.Second + 10*time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := acmeSoak(t, c.bot, 6*time.Hour)
			if rep.Stop == nil || rep.Stop.Criterion != c.stop {
				t.Fatalf("got %s (%s), want stopped by %s", rep.Verdict, rep.Reason, c.stop)
			}
			if got := rep.Elapsed; got < c.at-time.Minute || got > c.at+time.Minute {
				t.Errorf("%s fired after %v, want about %v", c.stop, got, c.at)
			}
		})
	}
}

// TestDeclaredSignalMatchingNothingIsNoData: when the bot stops exporting
// the metric, the criterion on it has no data: never a pass, never fired.
func TestDeclaredSignalMatchingNothingIsNoData(t *testing.T) {
	rep := acmeSoak(t, &acmeBot{stalledSelector: true, queueFrom: time.Hour}, 3*time.Hour)
	if rep.Stop != nil {
		t.Fatalf("fired on no data: %s", rep.Reason)
	}
	for _, c := range rep.Criteria {
		if c.Name == "queue_deep" && c.Evaluated != 0 {
			t.Errorf("queue_deep evaluated %d times on a metric the bot no longer exports, want 0 (no data)", c.Evaluated)
		}
	}
	if rep.Verdict == soak.Pass {
		t.Errorf("verdict pass with a stop criterion never evaluated (%s), want not a pass", rep.Reason)
	}
}
