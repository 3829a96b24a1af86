package monitoring

import (
	"bytes"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// TestDashboardPassesGrafanaStrictUnmarshal reads the generated dashboard
// with the Grafana Foundation SDK's strict unmarshal (the dashboard schema
// Grafana's own tooling generates from, with every panel's options and
// field config checked against its plugin's schema): no required field is
// missing, no field is unknown.
func TestDashboardPassesGrafanaStrictUnmarshal(t *testing.T) {
	plugins.RegisterDefaultPlugins()
	var buf bytes.Buffer
	if err := WriteDashboard(&buf, smallModel()); err != nil {
		t.Fatal(err)
	}
	var d dashboard.Dashboard
	if err := strict(d.UnmarshalJSONStrict(buf.Bytes())); err != nil {
		t.Fatalf("strict unmarshal of the generated dashboard: got %d problems, want none:\n%s", strings.Count(err.Error(), "\n")+1, err)
	}
	if n := len(d.Panels); n == 0 {
		t.Fatal("strict unmarshal read no panels")
	}
}

// TestStrictUnmarshalCatchesAMissingField shows the check can fail: a
// dashboard whose datasource variable lost current.text, or whose legend
// has an unknown field, is rejected.
func TestStrictUnmarshalCatchesAMissingField(t *testing.T) {
	plugins.RegisterDefaultPlugins()
	var buf bytes.Buffer
	if err := WriteDashboard(&buf, smallModel()); err != nil {
		t.Fatal(err)
	}
	for name, tamper := range map[string][2]string{
		"unknown legend field": {`"legend": {`, `"legend": {"bogus": 1, `},
		"no current.text":      {`"text": "default",`, ``},
	} {
		bad := strings.Replace(buf.String(), tamper[0], tamper[1], 1)
		if bad == buf.String() {
			t.Fatalf("%s: nothing to tamper with", name)
		}
		var d dashboard.Dashboard
		if err := strict(d.UnmarshalJSONStrict([]byte(bad))); err == nil {
			t.Errorf("%s: strict unmarshal accepted it", name)
		}
	}
}

// strict is the SDK's error with its typed-nil quirk undone: v0.0.22 returns
// cog.BuildErrors(nil) (a non-nil error holding no problem) on success.
func strict(err error) error {
	if be, ok := err.(cog.BuildErrors); ok && len(be) == 0 {
		return nil
	}
	return err
}
