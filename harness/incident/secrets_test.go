package incident_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/incident"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
)

// sentinel is planted, through ${PRESOAK_SENTINEL}, in one config leaf at a
// time; it must never appear in any output or artifact.
const sentinel = "zq7-SENTINEL-do-not-print"

// overrideFor is a YAML layer setting the dotted key to a reference to the
// sentinel (a list key: the sentinel twice, so "listed twice" is exercised).
func overrideFor(key string) []byte {
	var v any = "${PRESOAK_SENTINEL}"
	if key == "symbols" {
		v = []string{"${PRESOAK_SENTINEL}", "${PRESOAK_SENTINEL}"}
	}
	parts := strings.Split(key, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		v = map[string]any{parts[i]: v}
	}
	b, _ := yaml.Marshal(v)
	return b
}

// downBot is a simulated target that cannot be read: target_down stops the
// soak after a few simulated minutes.
type downBot struct {
	mu  sync.Mutex
	now time.Time
}

func (b *downBot) Advance(d time.Duration) { b.mu.Lock(); b.now = b.now.Add(d); b.mu.Unlock() }
func (b *downBot) Now() time.Time          { b.mu.Lock(); defer b.mu.Unlock(); return b.now }
func (b *downBot) Close() error            { return nil }
func (b *downBot) Sample(context.Context) ([]signal.Sample, error) {
	return nil, errors.New("connection refused")
}

// Issue 17, item 4. Before: quoting.fair_value: ${PRESOAK_VENUE_API_KEY}
// printed `got "<the secret>", want one of mid, microprice` into every
// report, and a secret in venue.name landed in clear in the bundle's
// config.redacted.yaml. After: for every leaf of the default config, a
// value from the environment reaches no message, item, snapshot, rollback
// layer or plan, shadow artifact, soak report or incident bundle.
func TestSentinelInEveryLeafIsNeverShown(t *testing.T) {
	t.Setenv("PRESOAK_SENTINEL", sentinel)
	base, err := config.Load(layers(t)...)
	if err != nil {
		t.Fatal(err)
	}
	spec := loadSpec(t)
	shadows := 0
	for _, lf := range base.Leaves() {
		t.Run(lf.Key, func(t *testing.T) {
			ws := t.TempDir()
			override := filepath.Join(ws, "sentinel.yaml")
			if err := os.WriteFile(override, overrideFor(lf.Key), 0o644); err != nil {
				t.Fatal(err)
			}
			ls := append(layers(t), override)
			var out bytes.Buffer // every message and item text of the run
			env := checklist.LoadEnvAt(ws, strings.Join(ls, ","))
			fmt.Fprintf(&out, "%+v\n", checklist.ConfigLoads(env.Layers, env.LoadErr))
			if env.LoadErr != nil {
				fmt.Fprintln(&out, env.LoadErr)
			}
			_, lerr := config.Load(ls...)
			fmt.Fprintln(&out, lerr)
			if v, ok := env.View(); ok {
				for _, c := range checklist.ConfigChecks {
					fmt.Fprintf(&out, "%+v\n", c.Check(v))
				}
				fmt.Fprintf(&out, "%+v\n", checklist.LogDir(ws, v))
			}
			if l := env.Loaded; l != nil {
				for _, x := range l.Leaves() {
					fmt.Fprintln(&out, x.String())
				}
				y, err := l.Redacted()
				fmt.Fprintf(&out, "%s %v %s\n", y, err, l.Hash())
				so := safety.Options{Workspace: safety.Workspace{Root: ws}, ConfigLayers: ls,
					TargetsFile: filepath.Join(root(t), safety.TargetsFile), Meta: safety.Meta{Now: time.Now(), Version: "test", GitCommit: "unknown"}}
				_, err = safety.TakeSnapshot(so)
				fmt.Fprintln(&out, err)
				plan, err := safety.DryRun(so)
				fmt.Fprintf(&out, "%+v %v\n", plan, err)
				in, err := incident.New(incident.Options{Dir: filepath.Join(ws, "soak"), Spec: spec, Config: l, Safety: so, Action: incident.Rollback, Log: &out})
				if err != nil {
					t.Fatal(err)
				}
				rep, err := soak.Run(context.Background(), soak.Config{Spec: spec, Target: in.Watch(&downBot{now: t0()}), Duration: time.Hour,
					Dir: filepath.Join(ws, "soak"), OnStop: in.OnStop, Progress: &out})
				fmt.Fprintln(&out, err, in.Finish(rep), in.Err())
				if rep == nil || rep.Verdict != soak.Stopped || len(in.Bundles()) == 0 {
					t.Errorf("the soak did not stop with a bundle: %+v", rep)
				}
				r, err := safety.Restore(so)
				fmt.Fprintf(&out, "%+v %v\n", r, err)
				if l.FromEnv(lf.Key) && shadows < 3 || lf.Key == "venue.name" {
					shadows++ // a shadow run per string leaf that loads would be slow: three, and venue.name
					rs, err := baseline.RunShadow(context.Background(), baseline.ShadowSpec{Env: env, Duration: 300 * time.Millisecond,
						BudgetsPath: filepath.Join(root(t), "fixtures/budgets.yaml"),
						Dir:         filepath.Join(ws, "baseline"), DatasetsRoot: ws, Progress: &out, ProgressEvery: 100 * time.Millisecond})
					fmt.Fprintf(&out, "%+v %v\n", rs, err)
					if err != nil || len(rs) != 1 {
						t.Errorf("shadow: %d results, %v; want one", len(rs), err)
					}
				}
			}
			if i := strings.Index(out.String(), sentinel); i >= 0 {
				t.Errorf("an output shows the sentinel: ...%s...", out.String()[max(0, i-200):i+len(sentinel)])
			}
			_ = filepath.WalkDir(ws, func(path string, d fs.DirEntry, err error) error {
				if err != nil || path == override {
					return err
				}
				if strings.Contains(d.Name(), sentinel) && !d.IsDir() { // a log directory from the environment is made, not shown
					t.Errorf("a file is named after the sentinel: %s", path)
				}
				if d.Type().IsRegular() {
					b, _ := os.ReadFile(path)
					if i := bytes.Index(b, []byte(sentinel)); i >= 0 {
						t.Errorf("%s shows the sentinel: ...%s...", strings.TrimPrefix(path, ws), b[max(0, i-200):i+len(sentinel)])
					}
				}
				return nil
			})
		})
	}
}

func t0() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
