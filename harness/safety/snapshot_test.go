package safety_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/safety"
)

func TestTakeSnapshotRecordsFlagsLimitsProvenanceAndTargets(t *testing.T) {
	o := newOptions(t)
	s, err := safety.TakeSnapshot(o)
	if err != nil {
		t.Fatal(err)
	}
	eff := mustLoad(t, o.ConfigLayers...)
	if s.ConfigHash != eff.Hash {
		t.Errorf("config_hash: got %s, want %s", s.ConfigHash, eff.Hash)
	}
	if got := strings.Join(slices.Sorted(maps.Keys(s.Flags)), ","); got != "adaptive_spread.enabled,md_cache.enabled,pipeline.enabled,queue_aware.enabled" {
		t.Errorf("flags: got %s, want every <section>.enabled", got)
	}
	overrides := o.ConfigLayers[1]
	want := map[string]safety.Entry{
		"pipeline.enabled":              {Value: true, Source: at(t, overrides, "pipeline.enabled"), RollbackTarget: false},
		"adaptive_spread.enabled":       {Value: true, Source: at(t, o.ConfigLayers[0], "adaptive_spread.enabled"), RollbackTarget: false},
		"taker_cap.max_taker_share_pct": {Value: json.Number("9"), Source: at(t, overrides, "taker_cap.max_taker_share_pct"), RollbackTarget: nil},
		"tick.deadline":                 {Value: "150ms", Source: at(t, o.ConfigLayers[0], "tick.deadline"), RollbackTarget: nil},
		"md_cache.ttl":                  {Value: "100ms", Source: at(t, o.ConfigLayers[0], "md_cache.ttl"), RollbackTarget: nil},
		"risk.max_inventory":            {Value: json.Number("0.5"), Source: at(t, o.ConfigLayers[0], "risk.max_inventory"), RollbackTarget: nil},
		"risk.max_order_size":           {Value: json.Number("0.05"), Source: at(t, o.ConfigLayers[0], "risk.max_order_size"), RollbackTarget: nil},
	}
	// Compare what is on disk, as a reader sees it.
	onDisk, err := safety.ReadSnapshot(o.Workspace.SnapshotPath())
	if err != nil {
		t.Fatal(err)
	}
	for key, w := range want {
		got, ok := onDisk.Lookup(key)
		if !ok {
			t.Errorf("%s: missing from the snapshot", key)
			continue
		}
		if got.Value != w.Value || got.Source != w.Source || got.RollbackTarget != w.RollbackTarget {
			t.Errorf("%s: got %#v, want %#v", key, got, w)
		}
	}
	if onDisk.GeneratedAt != "2026-01-02T03:04:05Z" || onDisk.PresoakVersion != "test" || onDisk.GitCommit != "unknown" {
		t.Errorf("meta: got %s %s %s", onDisk.GeneratedAt, onDisk.PresoakVersion, onDisk.GitCommit)
	}
	if strings.Join(onDisk.ConfigLayers, ",") != strings.Join(o.ConfigLayers, ",") {
		t.Errorf("config_layers: got %v, want %v", onDisk.ConfigLayers, o.ConfigLayers)
	}
}

func TestSnapshotValidatesAgainstItsSchema(t *testing.T) {
	schema, err := os.ReadFile(moduleFile(t, safety.SchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	for name, layers := range map[string][]string{
		"base and overrides": nil,
		"base only":          {moduleFile(t, "fixtures/config.yaml")},
	} {
		t.Run(name, func(t *testing.T) {
			o := newOptions(t, layers...)
			if _, err := safety.TakeSnapshot(o); err != nil {
				t.Fatal(err)
			}
			doc, err := os.ReadFile(o.Workspace.SnapshotPath())
			if err != nil {
				t.Fatal(err)
			}
			if err := safety.ValidateJSON(schema, doc); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("schema rejects a tampered snapshot", func(t *testing.T) {
		o := newOptions(t)
		if _, err := safety.TakeSnapshot(o); err != nil {
			t.Fatal(err)
		}
		doc, _ := os.ReadFile(o.Workspace.SnapshotPath())
		tampered := bytes.Replace(doc, []byte(`"source": "`), []byte(`"source": 7, "x": "`), 1)
		if err := safety.ValidateJSON(schema, tampered); err == nil {
			t.Fatal("got valid, want the schema to reject a non-string source and an extra property")
		}
	})
}

func TestSnapshotIsDeterministic(t *testing.T) {
	o := newOptions(t)
	var runs [][]byte
	for range 3 {
		if _, err := safety.TakeSnapshot(o); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(o.Workspace.SnapshotPath())
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, b)
	}
	for i := 1; i < len(runs); i++ {
		if !bytes.Equal(runs[0], runs[i]) {
			t.Fatalf("run %d differs from run 0:\n%s\n---\n%s", i, runs[0], runs[i])
		}
	}
	order := []string{`"format_version"`, `"generated_at"`, `"presoak_version"`, `"git_commit"`, `"config_hash"`, `"config_layers"`, `"rollback_targets_file"`, `"flags"`, `"limits"`}
	last := -1
	for _, k := range order {
		i := bytes.Index(runs[0], []byte(k))
		if i < last {
			t.Errorf("key %s out of order", k)
		}
		last = i
	}
}

func TestSnapshotNeverHoldsASecret(t *testing.T) {
	const planted = "planted-secret-7f3a9c"
	t.Setenv("PRESOAK_VENUE_API_KEY", planted)
	t.Setenv("PRESOAK_VENUE_API_SECRET", planted+"-2")
	o := newOptions(t)
	// Ask for the whole venue section: the secret leaves must still be left out.
	dir := t.TempDir()
	o.TargetsFile = writeFile(t, dir, "rollback.yaml", "version: 1\ntargets:\n  - {key: pipeline.enabled, value: false}\nlimits: [venue]\n")
	s, err := safety.TakeSnapshot(o)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(o.Workspace.SnapshotPath())
	if bytes.Contains(doc, []byte(planted)) {
		t.Fatalf("the snapshot holds the planted secret:\n%s", doc)
	}
	for _, k := range []string{"venue.api_key", "venue.api_secret"} {
		if _, ok := s.Lookup(k); ok {
			t.Errorf("%s: a secret key is in the snapshot", k)
		}
	}
	if _, ok := s.Lookup("venue.name"); !ok {
		t.Error("venue.name: want the non-secret venue leaves recorded")
	}
	// A target naming a secret is refused without echoing it.
	o.TargetsFile = writeFile(t, dir, "secret.yaml", "version: 1\ntargets:\n  - {key: venue.api_key, value: x}\n")
	_, err = safety.TakeSnapshot(o)
	if err == nil || !strings.Contains(err.Error(), "is a secret") || strings.Contains(err.Error(), planted) {
		t.Errorf("got %v, want a refusal naming the key and not its value", err)
	}
}

func TestParseSnapshotRejectsCorruptSnapshots(t *testing.T) {
	o := newOptions(t)
	if _, err := safety.TakeSnapshot(o); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(o.Workspace.SnapshotPath())
	tests := map[string]struct {
		doc  string
		want string
	}{
		"truncated":        {string(good[:len(good)/2]), "unexpected EOF"},
		"empty":            {"", "EOF"},
		"garbage":          {"\x00\x01not json", "invalid character"},
		"empty object":     {"{}", "config_hash"},
		"unknown field":    {strings.Replace(string(good), `"flags"`, `"flagz": {}, "flags"`, 1), `unknown field "flagz"`},
		"bad hash":         {strings.Replace(string(good), `"config_hash": "`, `"config_hash": "zz`, 1), "want 64 hex digits"},
		"trailing data":    {string(good) + "{}", "data after"},
		"wrong version":    {strings.Replace(string(good), `"format_version": 1`, `"format_version": 9`, 1), "format_version: got 9"},
		"entry w/o source": {strings.Replace(string(good), `"source": "`, `"sourc": "`, 1), "unknown field"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := safety.ParseSnapshot([]byte(tt.doc))
			if err == nil || !errors.Is(err, safety.ErrCorruptSnapshot) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrCorruptSnapshot mentioning %q", err, tt.want)
			}
		})
	}
}

func TestTakeSnapshotFailsCleanly(t *testing.T) {
	t.Run("artifacts is a regular file (read-only artifacts dir)", func(t *testing.T) {
		o := newOptions(t)
		writeFile(t, o.Workspace.Root, "artifacts", "not a directory")
		_, err := safety.TakeSnapshot(o)
		if err == nil || !strings.Contains(err.Error(), "take snapshot: write") {
			t.Fatalf("got %v, want a write error", err)
		}
		if got := listFiles(t, o.Workspace.Root); len(got) != 1 {
			t.Errorf("files: got %v, want only the blocking file", got)
		}
	})
	t.Run("target names a key the config does not have", func(t *testing.T) {
		o := newOptions(t)
		o.TargetsFile = writeFile(t, t.TempDir(), "r.yaml", "version: 1\ntargets:\n  - {key: pipelin.enabled, value: false}\nlimits: [risk.max_leverage]\n")
		_, err := safety.TakeSnapshot(o)
		if !errors.Is(err, safety.ErrUnknownKey) || !strings.Contains(err.Error(), "r.yaml:3: target pipelin.enabled") || !strings.Contains(err.Error(), "limit risk.max_leverage") {
			t.Fatalf("got %v, want ErrUnknownKey naming both keys", err)
		}
		if got := listFiles(t, o.Workspace.Root); len(got) != 0 {
			t.Errorf("files: got %v, want none", got)
		}
	})
	t.Run("config does not load", func(t *testing.T) {
		o := newOptions(t, filepath.Join(t.TempDir(), "missing.yaml"))
		if _, err := safety.TakeSnapshot(o); err == nil {
			t.Fatal("got no error for a missing config")
		}
		if got := listFiles(t, o.Workspace.Root); len(got) != 0 {
			t.Errorf("files: got %v, want none", got)
		}
	})
	t.Run("refused while the rollback layer is active", func(t *testing.T) {
		o := newOptions(t)
		writeFile(t, o.Workspace.Root, safety.RollbackLayerFile, "pipeline:\n  enabled: false\n")
		_, err := safety.TakeSnapshot(o)
		if !errors.Is(err, safety.ErrRollbackActive) || !strings.Contains(err.Error(), "make restore") {
			t.Fatalf("got %v, want ErrRollbackActive with the fix", err)
		}
		if _, err := os.Stat(o.Workspace.SnapshotPath()); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a snapshot was written: %v", err)
		}
	})
}

func TestSnapshotRecordsAListLimitAsAnArray(t *testing.T) {
	o := newOptions(t)
	o.TargetsFile = writeFile(t, t.TempDir(), "r.yaml", "version: 1\ntargets:\n  - {key: pipeline.enabled, value: false}\nlimits: [symbols]\n")
	if _, err := safety.TakeSnapshot(o); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(o.Workspace.SnapshotPath())
	var raw struct {
		Limits map[string]struct{ Value any } `json:"limits"`
	}
	if err := json.Unmarshal(doc, &raw); err != nil {
		t.Fatal(err)
	}
	if v, ok := raw.Limits["symbols"].Value.([]any); !ok || len(v) != 1 || v[0] != "BTCUSDT" {
		t.Errorf("symbols: got %#v, want [BTCUSDT]", raw.Limits["symbols"].Value)
	}
	schema, _ := os.ReadFile(moduleFile(t, safety.SchemaFile))
	if err := safety.ValidateJSON(schema, doc); err != nil {
		t.Error(err)
	}
}
