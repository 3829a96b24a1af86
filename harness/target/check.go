package target

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"

	"github.com/presoak/presoak/harness/profile"
)

// MaxFaultBytes bounds every text taken from outside (a bot's page, a
// server's answer, a transport error) that goes into a fault: a label value
// of 8 MB is cut here, with its length stated, so samples.jsonl and the
// incident bundle stay small whatever the bot serves.
const MaxFaultBytes = 300

// MaxSeriesFaults bounds how many series faults one sample carries; the
// rest are counted.
const MaxSeriesFaults = 16

// MaxLabelBytes bounds a label value of a series the signals read: a flag
// or stage name becomes a key of every sample, so a longer one (a bot
// writing 8 MB into a label) is a fault of that series, which is ignored.
const MaxLabelBytes = 256

// BoundText returns s when it is at most MaxFaultBytes long, else its first
// bytes (cut on a rune boundary) and "... (N bytes, cut)".
func BoundText(s string) string {
	if len(s) <= MaxFaultBytes {
		return s
	}
	cut := MaxFaultBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes, cut to %d)", s[:cut], len(s), cut)
}

// seriesFaults collects the faults of single series on a page, bounded.
type seriesFaults struct {
	list []string
	more int
}

func (f *seriesFaults) add(format string, args ...any) {
	if len(f.list) >= MaxSeriesFaults {
		f.more++
		return
	}
	f.list = append(f.list, BoundText(fmt.Sprintf(format, args...)))
}

func (f *seriesFaults) result() []string {
	if f.more > 0 {
		return append(f.list, fmt.Sprintf("... and %d more series faults", f.more))
	}
	return f.list
}

// checkFamilies validates the families the profile's engine signals read
// (profile.EngineMetrics), before DeriveProfile, and
// returns the faults of single series (bounded):
//
//   - a NaN or infinite counter or gauge value is kept (Derive records it;
//     the signals it feeds have no data while it is in their window) and
//     reported;
//   - a malformed histogram (a NaN or infinite count, buckets not
//     cumulative, no +Inf bucket, a +Inf bucket other than the count, the
//     count below a bucket) is removed from its family, so no percentile is
//     computed from it, and reported; a NaN or infinite _sum is reported and
//     kept (no signal reads the sum);
//   - a duplicate series (same name and labels twice) is reported and only
//     its first value kept, instead of being summed.
func checkFamilies(fams map[string]*dto.MetricFamily, p *profile.Profile) []string {
	var sf seriesFaults
	names, _ := p.EngineMetrics()
	for _, name := range names {
		f := fams[name]
		if f == nil {
			continue
		}
		seen := make(map[string]int, len(f.GetMetric()))
		kept := f.Metric[:0]
		for _, m := range f.GetMetric() {
			id := seriesID(name, m)
			if n, dup := seen[id]; dup {
				seen[id] = n + 1
				continue
			}
			seen[id] = 1
			if l := longLabel(m); l != nil {
				sf.add("%s: label %s has a value of %d bytes, over %d; series ignored", name, BoundText(l.GetName()), len(l.GetValue()), MaxLabelBytes)
				continue
			}
			if h := m.GetHistogram(); h != nil && m.Counter == nil && m.Gauge == nil && m.Untyped == nil {
				if why := badHistogram(h); why != "" {
					sf.add("%s: malformed histogram: %s; ignored", id, why)
					continue
				}
				if s := h.GetSampleSum(); math.IsNaN(s) || math.IsInf(s, 0) {
					sf.add("%s: _sum is %v", id, s)
				}
			} else if v, ok := scalar(m); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
				sf.add("%s: value is %v; the signals it feeds have no data", id, v)
			}
			kept = append(kept, m)
		}
		f.Metric = kept
		ids := make([]string, 0)
		for id, n := range seen {
			if n > 1 {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			sf.add("%s: duplicate series (%d times); the first kept", id, seen[id])
		}
	}
	return sf.result()
}

// longLabel is the first label of m whose value is over MaxLabelBytes.
func longLabel(m *dto.Metric) *dto.LabelPair {
	for _, l := range m.GetLabel() {
		if len(l.GetValue()) > MaxLabelBytes {
			return l
		}
	}
	return nil
}

// seriesID is name{labels} with the labels sorted.
func seriesID(name string, m *dto.Metric) string {
	ls := append([]*dto.LabelPair(nil), m.GetLabel()...)
	sort.Slice(ls, func(i, j int) bool { return ls[i].GetName() < ls[j].GetName() })
	var b strings.Builder
	b.WriteString(name)
	if len(ls) > 0 {
		b.WriteByte('{')
		for i, l := range ls {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s=%q", l.GetName(), l.GetValue())
		}
		b.WriteByte('}')
	}
	return b.String()
}

// badHistogram says what is wrong with a cumulative histogram ("" when
// nothing is).
func badHistogram(h *dto.Histogram) string {
	count := float64(h.GetSampleCount())
	if h.SampleCountFloat != nil {
		count = h.GetSampleCountFloat()
	}
	if math.IsNaN(count) || math.IsInf(count, 0) || count < 0 {
		return fmt.Sprintf("count is %v", count)
	}
	type bk struct{ ub, c float64 }
	bs := make([]bk, 0, len(h.GetBucket()))
	for _, b := range h.GetBucket() {
		c := float64(b.GetCumulativeCount())
		if b.CumulativeCountFloat != nil {
			c = b.GetCumulativeCountFloat()
		}
		if math.IsNaN(b.GetUpperBound()) {
			return "a bucket with le=NaN"
		}
		if math.IsNaN(c) || math.IsInf(c, 0) || c < 0 {
			return fmt.Sprintf("bucket le=%v has count %v", b.GetUpperBound(), c)
		}
		bs = append(bs, bk{b.GetUpperBound(), c})
	}
	if len(bs) == 0 {
		return "no buckets"
	}
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].ub < bs[j].ub })
	for i := 1; i < len(bs); i++ {
		if bs[i].ub == bs[i-1].ub {
			return fmt.Sprintf("bucket le=%v twice", bs[i].ub)
		}
		if bs[i].c < bs[i-1].c {
			return fmt.Sprintf("bucket le=%v has %v, below le=%v's %v (buckets must be cumulative)", bs[i].ub, bs[i].c, bs[i-1].ub, bs[i-1].c)
		}
	}
	last := bs[len(bs)-1]
	if !math.IsInf(last.ub, 1) {
		if count < last.c {
			return fmt.Sprintf("count %v below bucket le=%v's %v", count, last.ub, last.c)
		}
		return "no le=\"+Inf\" bucket"
	}
	if last.c != count {
		return fmt.Sprintf("le=\"+Inf\" bucket %v, want the count %v", last.c, count)
	}
	return ""
}

// countLines is the number of newlines in b.
func countLines(b []byte) int { return bytes.Count(b, []byte{'\n'}) }
