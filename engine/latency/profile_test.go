package latency

import (
	"github.com/presoak/presoak/internal/modroot"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestDefaultFixtureMatchesDefault(t *testing.T) {
	t.Parallel()
	p, err := Load(filepath.Join(moduleRoot(t), "fixtures/latency/default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, Default()) {
		t.Fatalf("fixtures/latency/default.yaml differs from latency.Default():\n%+v\n%+v", p, Default())
	}
}

func TestLognormalHitsItsPercentiles(t *testing.T) {
	t.Parallel()
	d := Default().Dependencies[VenueMD]
	r := rand.New(rand.NewPCG(7, 7))
	vals := make([]int64, 50_000)
	for i := range vals {
		vals[i] = d.Sample(r)
	}
	slices.Sort(vals)
	p50 := time.Duration(vals[len(vals)/2])
	p95 := time.Duration(vals[len(vals)*95/100])
	if p50 < 17*time.Millisecond || p50 > 19*time.Millisecond {
		t.Errorf("p50 = %v, want about 18ms", p50)
	}
	if p95 < 28*time.Millisecond || p95 > 32*time.Millisecond {
		t.Errorf("p95 = %v, want about 30ms", p95)
	}
	if vals[len(vals)-1] > int64(250*time.Millisecond) {
		t.Errorf("max = %v, want clamped to 250ms", time.Duration(vals[len(vals)-1]))
	}
}

func TestLoadRejectsBadProfiles(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"unknown dist":       "dependencies: {venue_md: {dist: gamma}, order_entry: {dist: constant}, md_cache: {dist: constant}}",
		"p95 below p50":      "dependencies: {venue_md: {dist: lognormal, p50: 5ms, p95: 1ms}, order_entry: {dist: constant}, md_cache: {dist: constant}}",
		"missing dependency": "dependencies: {venue_md: {dist: constant, value: 1ms}}",
		"unknown stage":      "dependencies: {venue_md: {dist: constant}, order_entry: {dist: constant}, md_cache: {dist: constant}}\ncompute: {think: {dist: constant}}",
		"unknown key":        "dependencies: {venue_md: {dist: constant, valu: 1ms}, order_entry: {dist: constant}, md_cache: {dist: constant}}",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "p.yaml")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.HasPrefix(err.Error(), "load latency profile") {
				t.Fatalf("got %v, want a load latency profile error", err)
			}
		})
	}
}

func TestSampleDoesNotAllocate(t *testing.T) {
	d := Default().Dependencies[VenueMD]
	r := rand.New(rand.NewPCG(1, 1))
	if n := testing.AllocsPerRun(1000, func() { d.Sample(r) }); n != 0 {
		t.Fatalf("Sample allocates %.0f, want 0", n)
	}
}
