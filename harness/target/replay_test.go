package target

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// apiResponse is the part of a Prometheus /api/v1/query answer replayed.
type apiResponse struct {
	Status string `json:"status"`
	Data   struct {
		ResultType string            `json:"resultType"`
		Result     []json.RawMessage `json:"result"`
	} `json:"data"`
}

// recorded loads testdata/prometheus: real answers of a Prometheus server
// scraping cmd/mmbot to the prometheus target's queries, by metric name
// (recorded with PRESOAK_RECORD=1 go test -run Agree ./harness/integration).
func recorded(t testing.TB) map[string]apiResponse {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "prometheus", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded responses: %v", err)
	}
	out := map[string]apiResponse{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r apiResponse
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = r
	}
	return out
}

// fleet turns the recorded single-bot answers into answers for n bots
// (instances bot-000:9100, ...), each series copied per instance; down
// names instances whose up is 0 and whose other series are absent.
func fleet(t testing.TB, rec map[string]apiResponse, n int, down ...int) map[string][]byte {
	t.Helper()
	isDown := map[string]bool{}
	for _, d := range down {
		isDown[instanceName(d)] = true
	}
	out := map[string][]byte{}
	for name, r := range rec {
		var res []json.RawMessage
		for i := range n {
			inst := instanceName(i)
			if isDown[inst] && name != "up" {
				continue
			}
			for _, raw := range r.Data.Result {
				var s struct {
					Metric map[string]string `json:"metric"`
					Value  []any             `json:"value"`
				}
				if err := json.Unmarshal(raw, &s); err != nil {
					t.Fatal(err)
				}
				s.Metric["instance"] = inst
				if isDown[inst] {
					s.Value[1] = "0"
				}
				b, _ := json.Marshal(s)
				res = append(res, b)
			}
		}
		r2 := r
		r2.Data.Result = res
		b, err := json.Marshal(r2)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

func instanceName(i int) string { return fmt.Sprintf("bot-%03d:9100", i) }

// replayServer answers /api/v1/query with answers[metric name of the query]
// (the text before "{"), and an empty vector for a name it has none for.
func replayServer(t testing.TB, answers map[string][]byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(replayHandler(answers))
	t.Cleanup(srv.Close)
	return srv
}

func replayHandler(answers map[string][]byte) http.HandlerFunc {
	empty := []byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`)
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		q := r.Form.Get("query")
		if i := strings.IndexByte(q, '{'); i >= 0 {
			q = q[:i]
		}
		b, ok := answers[q]
		if !ok {
			b = empty
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
}
