package integration

import (
	"bufio"
	"context"
	"fmt"
	"github.com/presoak/presoak/harness/checklist/userenv"
	"github.com/presoak/presoak/internal/modroot"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binDir  string // per-run directory for built binaries (TestMain)
	buildMu sync.Mutex
	built   = map[string]string{}
)

func TestMain(m *testing.M) {
	userenv.Clear() // the user's CONFIG, TARGET, ... are not this test's (commands inherit the rest)
	dir, err := os.MkdirTemp("", "presoak-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// moduleRoot is the directory holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// buildCmd builds ./cmd/<name> once per test binary and returns its path.
func buildCmd(t testing.TB, name string) string {
	t.Helper()
	return buildPkg(t, "./cmd/"+name)
}

// buildPkg builds the command in pkg (a path relative to the module root,
// such as ./fixtures/bots/bbgo/cmd/bbgostandin) once per test binary, not
// race-instrumented, and returns its path.
func buildPkg(t testing.TB, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[pkg]; ok {
		return p
	}
	out := filepath.Join(binDir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = moduleRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	built[pkg] = out
	return out
}

// proc is a process a test started; it is stopped in t.Cleanup.
type proc struct {
	cmd  *exec.Cmd
	addr string // host:port it serves on
	out  *lockedBuffer
	done chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProc starts cmd, waits for a line of its stdout matching addrRe
// (whose first group is host:port), then for http://addr+path to answer
// 200 (path "": for the address to accept connections).
func startProc(t testing.TB, cmd *exec.Cmd, addrRe *regexp.Regexp, path string) *proc {
	t.Helper()
	pr, pw := io.Pipe()
	p := &proc{cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout = io.MultiWriter(pw, p.out)
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			if m := addrRe.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		close(found)
	}()
	select {
	case a, ok := <-found:
		if !ok {
			t.Fatalf("%s exited before saying where it listens:\n%s", cmd.Path, p.out.String())
		}
		p.addr = a
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not say where it listens in 20s:\n%s", cmd.Path, p.out.String())
	}
	if path == "" {
		waitDial(t, p.addr, 20*time.Second)
	} else {
		waitHTTP(t, "http://"+p.addr+path, 20*time.Second)
	}
	return p
}

// waitDial waits until addr accepts a TCP connection.
func waitDial(t testing.TB, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not accepting connections in %v: %v", addr, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitHTTP polls url until it answers 200.
func waitHTTP(t testing.TB, url string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		cancel()
		if err == nil && resp.StatusCode == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready in %v: %v", url, within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill stops the process at once (SIGKILL), as a crash would.
func (p *proc) kill(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop asks the process to stop (SIGTERM), kills it after 5s, and waits.
func (p *proc) stop(t testing.TB) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Logf("%s did not stop on SIGTERM in 5s; killed", p.cmd.Path)
	}
}

// freePort returns a loopback port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

var mmbotAddr = regexp.MustCompile(`serving metrics at http://([^/\s]+)/metrics`)

// startMMBot starts the reference bot on a free loopback port with the
// fixtures' config and extra flags.
func startMMBot(t testing.TB, args ...string) *proc {
	t.Helper()
	bin := buildCmd(t, "mmbot")
	root := moduleRoot(t)
	cfg := filepath.Join(root, "fixtures", "config.yaml") + "," + filepath.Join(root, "fixtures", "config.soak_overrides.yaml")
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-config", cfg}, args...)...)
	cmd.Dir = root
	return startProc(t, cmd, mmbotAddr, "/metrics")
}

var pybotAddr = regexp.MustCompile(`serving metrics at http://([^/\s]+)/metrics`)

// startPyBot starts fixtures/pybot with python3 on a free loopback port.
func startPyBot(t testing.TB, args ...string) *proc {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 not found: run make deps")
		}
		t.Skip("SKIPPED: python3 not found; the Python bot is not checked")
	}
	root := moduleRoot(t)
	cmd := exec.Command(py, append([]string{filepath.Join(root, "fixtures", "pybot", "pybot.py"), "--port", "0"}, args...)...)
	cmd.Dir = root
	return startProc(t, cmd, pybotAddr, "") // a fault-injected bot may never answer 200
}
