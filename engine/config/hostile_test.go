package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
)

// Must decide: a CONFIG that is a FIFO or a device. Before: the load hung
// without a word on a FIFO (os.Open waits for a writer). Decision: only
// regular files are read; anything else is a problem naming its kind.
func TestLoadReadsOnlyRegularFiles(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "config.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("SKIPPED, NOT TESTED: mkfifo: %v", err)
	}
	for path, want := range map[string]string{fifo: "a FIFO", os.DevNull: "a character device"} {
		done := make(chan error, 1)
		go func() { _, err := config.Load(path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "is not a regular file ("+want+")") {
				t.Errorf("%s: got %v, want a problem naming %s", path, err, want)
			}
		case <-time.After(10 * time.Second):
			// Unblock the open so the goroutine ends, then fail.
			if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				w.Close()
			}
			<-done
			t.Fatalf("%s: load still blocked after 10s, want a problem at once", path)
		}
	}
}

// Must decide: a file that is not YAML config (a passwd or shadow file)
// given as CONFIG. Decision: no line of it is echoed beyond its key (cut to
// 40 characters): never a value, never a whole line.
func TestLoadNeverEchoesANonConfigFilesValues(t *testing.T) {
	t.Parallel()
	secrets := []string{"K1Jd8hashvalue", "$6$salt", "hunter2pw", "s3cretvalue", "tailsecret", "19000"}
	for name, body := range map[string]string{
		"shadow":      "root:$6$salt$K1Jd8hashvalue:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
		"key value":   "root: hunter2pw\nsys: s3cretvalue\n",
		"bad yaml":    "root: [hunter2pw\nsys: s3cretvalue\n",
		"long key":    "a_very_long_key_name_that_goes_on_and_on_tailsecret: 1\n",
		"quoted":      "\"root\": \"hunter2pw\"\nx: {y: s3cretvalue}\n",
		"tab":         "root:\n\tpw: hunter2pw\n",
		"two docs":    "a: hunter2pw\n---\nb: s3cretvalue\n",
		"list at top": "- hunter2pw\n- s3cretvalue\n",
	} {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(path)
		if err == nil {
			t.Fatalf("%s: loaded, want an error", name)
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: the error echoes %q:\n%v", name, s, err)
			}
		}
	}
}
