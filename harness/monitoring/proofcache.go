package monitoring

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/presoak/presoak/internal/atomicfile"
)

// ProofCache remembers the rule sets promtool has proven, so the readiness
// gate does not re-run minutes of simulated evaluations (about 7 s of CPU for
// the default criteria) on bytes it has already proven. It is
// content-addressed, like Go's build and test caches: the key is the SHA-256
// of promtool's version line, the rules file and the generated rule tests, so
// a changed rule, criterion, generator or promtool misses and runs promtool
// again. Only a success is kept; a failure always re-runs. presoak's own
// evaluator (Parity) runs every time: it is cheap, and it is half the proof.
//
// How not to use it: do not share one Dir between machines with different
// promtool builds of the same version string, and do not use it in the
// harness's own tests unless a test sets Dir to its own temp directory.
type ProofCache struct {
	// Dir holds one JSON file per proven rule set.
	Dir string
}

// Proof is a cached promtool success.
type Proof struct {
	// Promtool is promtool's version line.
	Promtool string `json:"promtool"`
	// ProvedAt is when promtool proved these bytes.
	ProvedAt time.Time `json:"proved_at"`
	// Output is what promtool printed.
	Output string `json:"output"`
}

// UserProofCache is the cache under the user's cache directory
// (os.UserCacheDir()/presoak/promtool-proofs); nil when there is none.
func UserProofCache() *ProofCache {
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil
	}
	return &ProofCache{Dir: filepath.Join(dir, "presoak", "promtool-proofs")}
}

// proofKey is the cache key of promtool version, rules and tests.
func proofKey(version string, rules, tests []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(version), rules, tests} {
		fmt.Fprintf(h, "%d\n", len(part))
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *ProofCache) path(key string) string { return filepath.Join(c.Dir, key+".json") }

// lookup returns the proof stored under key; ok is false on a miss or a
// file that does not read back whole.
func (c *ProofCache) lookup(key, version string) (Proof, bool) {
	if c == nil || c.Dir == "" {
		return Proof{}, false
	}
	data, err := os.ReadFile(c.path(key))
	if err != nil {
		return Proof{}, false
	}
	var p Proof
	if err := json.Unmarshal(data, &p); err != nil || p.Promtool != version || p.ProvedAt.IsZero() {
		return Proof{}, false
	}
	return p, true
}

// store keeps a success under key. An error only costs the next run time.
func (c *ProofCache) store(key string, p Proof) error {
	if c == nil || c.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("proof cache: %w", err)
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("proof cache: %w", err)
	}
	if err := atomicfile.WriteFile(c.path(key), data); err != nil {
		return fmt.Errorf("proof cache: %w", err)
	}
	return nil
}
