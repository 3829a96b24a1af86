package stack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"
	report "github.com/presoak/presoak/reports/readiness"
)

// fakeProm answers the four API endpoints the checks use with canned JSON.
func fakeProm(t *testing.T, targets, rules, alerts string, present bool) *Client {
	t.Helper()
	mux := http.NewServeMux()
	reply := func(data string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"status":"success","data":` + data + `}`))
		}
	}
	mux.HandleFunc("/api/v1/targets", reply(targets))
	mux.HandleFunc("/api/v1/rules", reply(rules))
	mux.HandleFunc("/api/v1/alerts", reply(alerts))
	mux.HandleFunc("/api/v1/query", func(w http.ResponseWriter, r *http.Request) {
		v := `[]`
		if present {
			v = `[{"metric":{},"value":[1700000000,"3"]}]`
		}
		reply(`{"resultType":"vector","result":`+v+`}`)(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const (
	targetUp   = `{"activeTargets":[{"labels":{"job":"mm-bot"},"scrapeUrl":"http://127.0.0.1:9100/metrics","health":"up","lastError":""}],"droppedTargets":[]}`
	targetDown = `{"activeTargets":[{"labels":{"job":"mm-bot"},"scrapeUrl":"http://127.0.0.1:9100/metrics","health":"down","lastError":"connection refused"}],"droppedTargets":[]}`
	noTargets  = `{"activeTargets":[],"droppedTargets":[]}`
	rulesOK    = `{"groups":[{"name":"presoak","file":"r.yml","interval":1,"rules":[
		{"type":"recording","name":"presoak:error_pct:10s","query":"x","health":"ok","lastError":""},
		{"type":"alerting","name":"PresoakErrorRateStop","query":"y","duration":40,"health":"ok","lastError":"","state":"inactive","alerts":[],"labels":{},"annotations":{}}]}]}`
	rulesErr = `{"groups":[{"name":"presoak","file":"r.yml","interval":1,"rules":[
		{"type":"recording","name":"presoak:error_pct:10s","query":"x","health":"err","lastError":"vector cannot contain metrics with the same labelset"}]}]}`
	noAlerts = `{"alerts":[]}`
	oneAlert = `{"alerts":[{"labels":{"alertname":"PresoakErrorRateStop"},"annotations":{},"state":"pending","activeAt":"2026-01-01T00:00:00Z","value":"1.2e+01"}]}`
	ruleFile = "groups:\n  - name: presoak\n    rules:\n      - record: presoak:error_pct:10s\n        expr: x\n      - alert: PresoakErrorRateStop\n        expr: y\n"
)

func TestCollectionChecks(t *testing.T) {
	t.Parallel()
	type check func(*Collection, context.Context) checklist.Item
	cases := []struct {
		name                   string
		targets, rules, alerts string
		present                bool
		check                  check
		want                   report.Status
		msg                    string
	}{
		{"target_up", targetUp, rulesOK, noAlerts, true, (*Collection).TargetUp, report.StatusPass, "1 target(s) up"},
		{"target_down", targetDown, rulesOK, noAlerts, true, (*Collection).TargetUp, report.StatusFail, "connection refused"},
		{"no_target", noTargets, rulesOK, noAlerts, true, (*Collection).TargetUp, report.StatusFail, "no target"},
		{"metrics_present", targetUp, rulesOK, noAlerts, true, (*Collection).MetricsPresent, report.StatusPass, "all 10"},
		{"metrics_absent", targetUp, rulesOK, noAlerts, false, (*Collection).MetricsPresent, report.StatusFail, "10 of 10 metrics of the profile's signals (reference.yaml (built in)) have no series"},
		{"rules_ok", targetUp, rulesOK, noAlerts, true, (*Collection).RulesHealthy, report.StatusPass, "all 2 rules"},
		{"rules_err_and_missing", targetUp, rulesErr, noAlerts, true, (*Collection).RulesHealthy, report.StatusFail, "alert PresoakErrorRateStop: not loaded; presoak:error_pct:10s: health err vector cannot contain"},
		{"alerts_inactive", targetUp, rulesOK, noAlerts, true, (*Collection).AlertsInactive, report.StatusPass, "no alert"},
		{"alert_pending", targetUp, rulesOK, oneAlert, true, (*Collection).AlertsInactive, report.StatusFail, "PresoakErrorRateStop pending"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &Collection{Client: fakeProm(t, tc.targets, tc.rules, tc.alerts, tc.present), Rules: []byte(ruleFile), RulesSource: "r.yml"}
			it := tc.check(c, t.Context())
			if it.Status != tc.want || !strings.Contains(it.Message, tc.msg) {
				t.Errorf("got %s %q, want %s containing %q", it.Status, it.Message, tc.want, tc.msg)
			}
			if it.Area != checklist.AreaMonitoring || it.Severity != report.Blocking {
				t.Errorf("area %q severity %q, want Monitoring, blocking", it.Area, it.Severity)
			}
			if it.Status == report.StatusFail && it.Fix == "" {
				t.Error("a failed item has no fix")
			}
		})
	}
}

func TestCollectionNotEvaluatedWhenServerDown(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	cl, err := NewClient(url)
	if err != nil {
		t.Fatal(err)
	}
	c := &Collection{Client: cl, Rules: []byte(ruleFile)}
	for _, it := range []checklist.Item{c.TargetUp(t.Context()), c.MetricsPresent(t.Context()), c.RulesHealthy(t.Context()), c.AlertsInactive(t.Context())} {
		if it.Status != report.StatusFail || !strings.Contains(it.Got, "not evaluated") {
			t.Errorf("server down: %s %q, want a failed not-evaluated item", it.Status, it.Got)
		}
	}
}

// TestCollectionMetricsOfTheProfile: the contract is the bot profile's
// engine signals' metrics (each once), not the reference engine's.
func TestCollectionMetricsOfTheProfile(t *testing.T) {
	t.Parallel()
	p, err := profile.Parse("hb.yaml", "", []byte(`version: 1
signals:
  ticks:        {expr: 'hb_ticks_total', kind: counter}
  cache_hits:   {expr: 'hb_cache_total{result="hit"}', kind: counter}
  cache_misses: {expr: 'hb_cache_total{result="miss"}', kind: counter}
  tick_latency: {expr: 'hb_tick_ms', kind: histogram, unit: milliseconds}
`))
	if err != nil {
		t.Fatal(err)
	}
	c := &Collection{Client: fakeProm(t, targetUp, rulesOK, noAlerts, false), Rules: []byte(ruleFile), Profile: p}
	it := c.MetricsPresent(t.Context())
	if want := "3 of 3 metrics of the profile's signals (hb.yaml) have no series in Prometheus {job=\"mm-bot\"}: hb_tick_ms, hb_ticks_total, hb_cache_total"; it.Status != report.StatusFail || !strings.Contains(it.Message, want) {
		t.Errorf("got %s %q, want fail containing %q", it.Status, it.Message, want)
	}
	c = &Collection{Client: fakeProm(t, targetUp, rulesOK, noAlerts, true), Rules: []byte(ruleFile), Profile: p}
	if it := c.MetricsPresent(t.Context()); it.Status != report.StatusPass || !strings.Contains(it.Message, "all 3 contract metrics") {
		t.Errorf("got %s %q, want pass with all 3", it.Status, it.Message)
	}
}
