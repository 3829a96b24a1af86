package home

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirIsPresoaksModule(t *testing.T) {
	d, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if got := modulePathOf(d); got != ModulePath {
		t.Fatalf("Dir %s declares module %q, want %q", filepath.Base(d), got, ModulePath)
	}
	for _, kv := range Defaults {
		p, err := Data(kv[1])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("default %s: presoak's %s: %v", kv[0], kv[1], err)
		}
	}
}

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestTree(t *testing.T) {
	own, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	team := t.TempDir()
	t.Run("workdir wins", func(t *testing.T) {
		got, where, err := Tree(env(map[string]string{EnvWorkdir: team}))
		if err != nil || got != team || where != FromWorkdir {
			t.Fatalf("got %s %q %v, want the workdir", got, where, err)
		}
	})
	t.Run("workdir not a directory", func(t *testing.T) {
		_, _, err := Tree(env(map[string]string{EnvWorkdir: filepath.Join(team, "missing")}))
		if err == nil {
			t.Fatal("got no error for a missing PRESOAK_WORKDIR")
		}
	})
	t.Run("a missing profile is not ignored", func(t *testing.T) {
		_, _, err := Tree(env(map[string]string{EnvProfile: filepath.Join(team, "presoak.profile.yaml"), EnvWorkdir: team}))
		if !errors.Is(err, ErrNoProfile) {
			t.Fatalf("got %v, want ErrNoProfile", err)
		}
	})
	t.Run("a profile's directory is the tree", func(t *testing.T) {
		pf := filepath.Join(team, "bot.yaml")
		if err := os.WriteFile(pf, []byte("version: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(pf)
		got, where, err := Tree(env(map[string]string{EnvProfile: pf}))
		if err != nil || where != FromProfile || (got != team && !strings.HasPrefix(team, got)) {
			t.Fatalf("got %s %q %v, want %s (or its module root) from the profile", got, where, err, team)
		}
	})
	t.Run("the working directory's module", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(team, "go.mod"), []byte("module example.com/team\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		sub := filepath.Join(team, "deploy")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Chdir(sub)
		got, where, err := Tree(env(nil))
		if err != nil || !samePath(got, team) || where != FromCwd {
			t.Fatalf("got %s %q %v, want the team's module root from the cwd", got, where, err)
		}
	})
	t.Run("presoak's own checkout", func(t *testing.T) {
		t.Chdir(filepath.Join(own, "internal", "home")) // go test's parent runs inside this checkout too
		got, _, err := Tree(env(nil))
		if err != nil || !samePath(got, own) {
			t.Fatalf("got %s %v, want presoak's own directory", got, err)
		}
	})
}

func TestApplyDefaults(t *testing.T) {
	own, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"CRITERIA": "mine.yaml"}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	setenv := func(k, v string) error { vars[k] = v; return nil }

	set, err := ApplyDefaults(own, lookup, setenv)
	if err != nil || len(set) != 0 {
		t.Fatalf("in presoak's checkout: set %v (%v), want nothing: relative defaults already resolve there", set, err)
	}
	set, err = ApplyDefaults(t.TempDir(), lookup, setenv)
	if err != nil {
		t.Fatal(err)
	}
	if vars["CRITERIA"] != "mine.yaml" {
		t.Errorf("CRITERIA the team set was replaced by %s", vars["CRITERIA"])
	}
	if v, ok := vars["BUDGETS"]; ok {
		t.Errorf("BUDGETS = %s, want it unset: the profile may name the budgets (harness/profile.Pick decides)", v)
	}
	if want := filepath.Join(own, "fixtures", "presoak.yaml"); vars["HARNESS"] != want {
		t.Errorf("HARNESS = %s, want presoak's %s", vars["HARNESS"], want)
	}
	if len(set) != 1 {
		t.Errorf("set %v, want HARNESS", set)
	}
}

// TestProfile: PROFILE (make's name) wins, PRESOAK_PROFILE (a team's
// module) else, blanks are none.
func TestProfile(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PROFILE": " a.yaml ", EnvProfile: "b.yaml"}, "a.yaml"},
		{map[string]string{"PROFILE": " ", EnvProfile: "b.yaml"}, "b.yaml"},
		{map[string]string{}, ""},
	} {
		if got := Profile(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.env, got, tc.want)
		}
	}
}
