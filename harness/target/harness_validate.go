package target

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"github.com/prometheus/common/model"
)

// maxBodyCap bounds target.scrape.max_body_bytes (1 GiB).
const maxBodyCap = 1 << 30

// validate returns every problem of the decoded and overridden harness.
func (h *Harness) validate(file string) []HarnessProblem {
	var probs []HarnessProblem
	bad := func(key, format string, args ...any) {
		where, ok := h.Sources[key]
		if !ok {
			where = file + " (default)"
		}
		probs = append(probs, HarnessProblem{Where: where, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	switch h.Kind {
	case KindEmbedded, KindScrape, KindPrometheus:
	default:
		bad("target.kind", "got %q, want embedded, scrape or prometheus", h.Kind)
	}
	checkURL := func(key, u string, needed bool, env string) {
		if u == "" {
			if needed {
				bad(key, "missing: set it here or in env %s", env)
			}
			return
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			bad(key, "got %q, want http://host:port...", redactURL(u))
		}
	}
	checkTiming := func(sec string, interval, timeout int64) {
		if interval <= 0 {
			bad(sec+".interval", "must be positive")
		}
		if timeout <= 0 {
			bad(sec+".timeout", "must be positive")
		} else if interval > 0 && timeout > interval {
			bad(sec+".timeout", "longer than %s.interval: a read must end before the next one starts", sec)
		}
	}
	checkURL("target.scrape.url", h.Scrape.URL, h.Kind == KindScrape, EnvScrapeURL)
	checkTiming("target.scrape", int64(h.Scrape.Interval), int64(h.Scrape.Timeout))
	if h.Scrape.MaxBodyBytes <= 0 || h.Scrape.MaxBodyBytes > maxBodyCap {
		bad("target.scrape.max_body_bytes", "got %d, want 1..%d", h.Scrape.MaxBodyBytes, maxBodyCap)
	}
	checkURL("target.prometheus.url", h.Prometheus.URL, h.Kind == KindPrometheus, EnvPrometheusURL)
	checkTiming("target.prometheus", int64(h.Prometheus.Interval), int64(h.Prometheus.Timeout))
	h.Prometheus.Selector = NormalizeSelector(h.Prometheus.Selector)
	if err := ValidateSelector(h.Prometheus.Selector); err != nil {
		bad("target.prometheus.selector", "%v", err)
	}
	if !model.LabelName(h.Prometheus.InstanceLabel).IsValidLegacy() {
		bad("target.prometheus.instance_label", "got %q, want a label name", h.Prometheus.InstanceLabel)
	}
	v := reflect.ValueOf(h.names)
	for i := range v.NumField() {
		key := "metric_names." + v.Type().Field(i).Tag.Get("yaml")
		if _, set := h.Sources[key]; !set {
			continue // the reference engine's name
		}
		if name := v.Field(i).String(); !model.IsValidLegacyMetricName(name) {
			bad(key, "got %q, want a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)", name)
		}
	}
	return probs
}

// redactURL drops a URL's password (userinfo may carry a secret).
func redactURL(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	if strings.Contains(u, "@") {
		return "<unparsable url with userinfo>"
	}
	return u
}
