package checklist

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist/result"
)

// promBot is one bot as a fake Prometheus server knows it.
type promBot struct {
	up    string
	flags map[string]string
}

// newPrometheus is a Prometheus HTTP API on 127.0.0.1 answering the instant
// queries the prometheus target runs: up, mm_ticks_total and
// mm_feature_flag_enabled per instance; every other metric is an empty vector.
func newPrometheus(t *testing.T, bots map[string]promBot) *httptest.Server {
	t.Helper()
	type series struct {
		Metric map[string]string `json:"metric"`
		Value  [2]any            `json:"value"`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.URL.Path != "/api/v1/query" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		q := r.Form.Get("query")
		name := q[:strings.IndexAny(q+"{", "{")]
		result := []series{}
		for inst, b := range bots {
			lbl := func(extra ...string) map[string]string {
				m := map[string]string{"__name__": name, "instance": inst, "job": "mm"}
				for i := 0; i+1 < len(extra); i += 2 {
					m[extra[i]] = extra[i+1]
				}
				return m
			}
			switch name {
			case "up":
				result = append(result, series{lbl(), [2]any{1.7e9, b.up}})
			case "mm_ticks_total":
				if b.up == "1" {
					result = append(result, series{lbl(), [2]any{1.7e9, "1200"}})
				}
			case "mm_feature_flag_enabled":
				for f, v := range b.flags {
					result = append(result, series{lbl("flag", f), [2]any{1.7e9, v}})
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "vector", "result": result}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The prometheus target: one verdict over the fleet, failing when any
// instance fails and naming that instance; a scrape-down bot fails with its fault.
func TestBotFlagsPrometheusFleet(t *testing.T) {
	t.Parallel()
	all := map[string]string{"pipeline.enabled": "1", "md_cache.enabled": "1", "adaptive_spread.enabled": "1", "queue_aware.enabled": "1"}
	pipelineOff := map[string]string{"pipeline.enabled": "0", "md_cache.enabled": "1", "adaptive_spread.enabled": "1", "queue_aware.enabled": "1"}
	vars := func(srv *httptest.Server, config string) map[string]string {
		return map[string]string{"TARGET": "prometheus", "PROMETHEUS_URL": srv.URL, "SELECTOR": `{job="mm"}`, "CONFIG": config}
	}

	healthy := newPrometheus(t, map[string]promBot{"10.0.0.1:9100": {"1", all}, "10.0.0.2:9100": {"1", all}})
	got, _ := items(t, vars(healthy, ""))
	if it := got["pipeline_enabled"]; it.Status != result.StatusPass || it.Got != "1 (true) on 2 instances" ||
		it.Source != `mm_feature_flag_enabled{flag="pipeline.enabled"} @ 10.0.0.1:9100, 10.0.0.2:9100` {
		t.Errorf("pipeline_enabled on a healthy fleet = %+v", it)
	}
	got, _ = items(t, vars(healthy, DefaultConfig))
	if m := got[ItemBotMatchesConfig]; m.Status != result.StatusPass || m.Got != "8 flag values agree on 2 instances" {
		t.Errorf("%s on a healthy fleet = %+v", ItemBotMatchesConfig, m)
	}

	mixed := newPrometheus(t, map[string]promBot{
		"10.0.0.1:9100": {"1", all}, "10.0.0.2:9100": {"1", pipelineOff}, "10.0.0.3:9100": {"0", nil},
	})
	got, _ = items(t, vars(mixed, ""))
	it := got["pipeline_enabled"]
	if it.Status != result.StatusFail || it.Source != `mm_feature_flag_enabled{flag="pipeline.enabled"} @ 10.0.0.2:9100, 10.0.0.3:9100` {
		t.Errorf("pipeline_enabled on a mixed fleet = %+v, want a failure naming 10.0.0.2 and 10.0.0.3", it)
	}
	for _, w := range []string{"0 (false) @ 10.0.0.2:9100", "not evaluated: 10.0.0.3:9100 down (", "1 (true) @ 10.0.0.1:9100"} {
		if !strings.Contains(it.Got, w) {
			t.Errorf("got %q lacks %q", it.Got, w)
		}
	}
	if md := got["md_cache_enabled"]; md.Status != result.StatusFail || md.Source != `mm_feature_flag_enabled{flag="md_cache.enabled"} @ 10.0.0.3:9100` {
		t.Errorf("md_cache_enabled on a mixed fleet = %+v, want a failure naming only the down bot", md)
	}
	got, _ = items(t, vars(mixed, DefaultConfig))
	m := got[ItemBotMatchesConfig]
	for _, w := range []string{
		"pipeline.enabled: config true (fixtures/config.soak_overrides.yaml:",
		`), bot false (mm_feature_flag_enabled{flag="pipeline.enabled"} @ 10.0.0.2:9100)`,
		"10.0.0.3:9100 is down",
	} {
		if m.Status != result.StatusFail || !strings.Contains(m.Got, w) {
			t.Errorf("%s on a mixed fleet = %+v\nwant a failure with %q", ItemBotMatchesConfig, m, w)
		}
	}
}
