package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
)

// killSpec is fixtures/criteria.short.yaml with target_down_stop's window
// and for shortened to 2s each, so a killed bot stops the soak within
// seconds; every other criterion is as in the fixture.
func killSpec(t testing.TB) *criteria.Spec {
	t.Helper()
	spec, err := criteria.Load(filepath.Join(moduleRoot(t), "fixtures", "criteria.short.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i := range spec.Criteria {
		if spec.Criteria[i].Signal == signal.TargetDown && spec.Criteria[i].Severity == criteria.Stop {
			spec.Criteria[i].Window, spec.Criteria[i].For = 2*time.Second, 2*time.Second
			found = true
		}
	}
	if !found {
		t.Fatal("criteria.short.yaml has no target_down stop criterion")
	}
	return spec
}

type soakRun struct {
	name string
	tg   target.Target
	dir  string
	rep  *soak.Report
	err  error
}

// TestKilledBotStopsSoak runs soaks through the scrape target (the Go bot and
// the Python bot) and through the prometheus target (a fleet of both, as a
// real server scrapes them), kills the Go bot after a few seconds, and
// checks that target_down stops the runs that read it — on its instance —
// and that every run wrote its report.
func TestKilledBotStopsSoak(t *testing.T) {
	t.Parallel()
	gobot := startMMBot(t)
	pybot := startPyBot(t)
	promURL, _ := startPrometheus(t, gobot.addr, pybot.addr)
	waitScraped(t, promURL, 2, 2, 30*time.Second)

	spec := killSpec(t)
	runs := []*soakRun{
		{name: "scrape-go", tg: newScrape(t, gobot.addr)},
		{name: "scrape-python", tg: newScrape(t, pybot.addr)},
		{name: "prometheus-fleet", tg: newProm(t, promURL)},
	}
	const duration = 40 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), duration+20*time.Second)
	defer cancel()
	// The Python bot's run does not read the Go bot, so nothing stops it: it
	// is interrupted once the others have stopped, as an operator would.
	pyCtx, pyCancel := context.WithCancel(ctx)
	defer pyCancel()
	var killed, py sync.WaitGroup
	for i, r := range runs {
		r.dir = filepath.Join(t.TempDir(), r.name)
		c, wg := ctx, &killed
		if i == 1 {
			c, wg = pyCtx, &py
		}
		wg.Go(func() {
			r.rep, r.err = soak.Run(c, soak.Config{Spec: spec, CriteriaFile: "criteria.short.yaml (target_down 2s/2s)", Target: r.tg, Duration: duration, Dir: r.dir})
		})
	}
	time.Sleep(4 * time.Second)
	gobot.kill(t)
	killed.Wait()
	pyCancel()
	py.Wait()

	for _, r := range runs {
		if r.err != nil {
			t.Errorf("%s: soak.Run: %v", r.name, r.err)
		} else {
			for _, f := range []string{soak.ReportJSONFile, soak.ReportMDFile, soak.SamplesFile} {
				if fi, err := os.Stat(filepath.Join(r.dir, f)); err != nil || fi.Size() == 0 {
					t.Errorf("%s: %s not written: %v", r.name, f, err)
				}
			}
		}
		if r.rep == nil {
			t.Errorf("%s: no report", r.name)
			continue
		}
		t.Logf("%s: %s: %s", r.name, r.rep.Verdict, r.rep.Reason)
	}
	for _, r := range []*soakRun{runs[0], runs[2]} {
		if r.rep == nil {
			continue
		}
		if r.rep.Verdict != soak.Stopped || r.rep.Stop == nil || r.rep.Stop.Signal != signal.TargetDown {
			t.Errorf("%s: got %s (%s), want stopped by target_down", r.name, r.rep.Verdict, r.rep.Reason)
			continue
		}
		if r.rep.Stop.Instance != gobot.addr {
			t.Errorf("%s: target_down fired on %q, want the killed bot %q", r.name, r.rep.Stop.Instance, gobot.addr)
		}
		if d := r.rep.Stop.At.Sub(r.rep.Start); d > 20*time.Second {
			t.Errorf("%s: stopped %v after the start, want within seconds of the kill", r.name, d)
		}
	}
	if r := runs[2].rep; r != nil && len(r.Instances) != 2 {
		t.Errorf("prometheus fleet: instances %v, want the Go and the Python bot", r.Instances)
	}
	if r := runs[1].rep; r != nil && r.Stop != nil {
		t.Errorf("python bot, not killed: got stopped by %s", r.Stop.String())
	}
	if r := runs[1].rep; r != nil && r.Samples < 4 {
		t.Errorf("python bot: %d samples, want one a second", r.Samples)
	}
	if r := runs[1].rep; r != nil && r.Verdict != soak.Interrupted {
		t.Errorf("python bot: got %s, want interrupted", r.Verdict)
	}
	if md, err := os.ReadFile(filepath.Join(runs[0].dir, soak.ReportMDFile)); err != nil || !strings.Contains(string(md), "target_down") {
		t.Errorf("scrape-go report does not name target_down: %v\n%s", err, md)
	}
}
