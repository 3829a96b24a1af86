package stack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// TestStackAgainstReferenceBot brings Prometheus up against the reference bot
// (a real process) with short for-durations, sees the target up, the contract
// metrics present and the rules loaded, injects a fault (every venue call
// fails from 12 s in) and sees the critical-breaker alert fire (pending
// first, then firing once its for-duration has passed), then brings
// everything down and checks no process is left.
func TestStackAgainstReferenceBot(t *testing.T) {
	needPrometheus(t)
	root := moduleRoot(t)
	dir := t.TempDir()
	rules := shortRules(t, root, dir)
	botAddr, err := freeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute) // a cold build of the bot on a loaded 2-core machine
	defer cancel()

	began := time.Now()
	s, err := Up(ctx, Options{
		Root: root, Dir: filepath.Join(dir, "stack"), Rules: rules, BinDir: filepath.Join(dir, "bin"),
		BotAddr: botAddr, BotFaults: filepath.Join(root, "harness/stack/testdata/error_burst.yaml"),
	})
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	downed := false
	t.Cleanup(func() {
		if !downed {
			_ = s.Down()
		}
	})
	st, err := ReadState(filepath.Join(dir, "stack"))
	if err != nil {
		t.Fatalf("state file: %v", err)
	}
	if len(st.Procs) != 2 || st.Procs[0].Role != "bot" || st.Procs[1].Role != "prometheus" {
		t.Fatalf("state procs = %+v, want bot then prometheus", st.Procs)
	}
	if st.PrometheusURL != s.State.PrometheusURL || st.ScrapeURL != "http://"+botAddr+"/metrics" {
		t.Fatalf("state = %+v, want the stack's URLs", st)
	}

	cl, err := NewClient(s.State.PrometheusURL)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	c := &Collection{Client: cl, Rules: data, RulesSource: "criteria.short rules", Settle: 30 * time.Second}
	for _, check := range []struct {
		name string
		run  func(context.Context) checklist.Item
	}{{"target up", c.TargetUp}, {"metrics present", c.MetricsPresent}, {"rules healthy", c.RulesHealthy}} {
		if it := check.run(ctx); it.Status != report.StatusPass {
			t.Fatalf("%s: %s", check.name, it.Message)
		}
	}
	if since := time.Since(began); since < 10*time.Second {
		if it := c.AlertsInactive(ctx); it.Status != report.StatusPass {
			t.Errorf("healthy bot, %s after start: %s", since.Round(time.Millisecond), it.Message)
		}
	} else {
		t.Logf("alerts-inactive on the healthy bot not asserted: checks finished %s after start, the fault starts at 12s", since.Round(time.Millisecond))
	}

	var got []ActiveAlert
	sawPending := false
	for deadline := time.Now().Add(90 * time.Second); ; {
		got, err = cl.Alerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sawPending = sawPending || hasAlert(got, "PresoakCriticalBreakerStop", "pending")
		if hasAlert(got, "PresoakCriticalBreakerStop", "firing") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the fault: active alerts %v, want PresoakCriticalBreakerStop firing", got)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if !sawPending {
		t.Logf("PresoakCriticalBreakerStop was firing at the first look; its pending phase fell between two polls")
	}
	t.Logf("%s after start: active alerts %v", time.Since(began).Round(time.Second), got)
	if it := c.AlertsInactive(ctx); it.Status != report.StatusFail {
		t.Errorf("alerts inactive with a fault injected: status %s, want fail", it.Status)
	}

	downed = true
	if err := s.Down(); err != nil {
		t.Fatalf("down: %v", err)
	}
	for _, p := range st.Procs {
		if Running(p) {
			t.Errorf("%s (pid %d) still running after Down", p.Role, p.PID)
		}
	}
	if left := survivors(t, dir); len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
	}
	if _, err := ReadState(filepath.Join(dir, "stack")); !errors.Is(err, ErrNoState) {
		t.Errorf("state file after Down: %v, want ErrNoState", err)
	}
}

func hasAlert(as []ActiveAlert, name, state string) bool {
	for _, a := range as {
		if a.Name == name && a.State == state {
			return true
		}
	}
	return false
}
