package stack

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
)

// buildBot builds the reference bot (./cmd/mmbot) to bin.
func buildBot(ctx context.Context, goCmd, root, bin string) error {
	cmd := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "./cmd/mmbot")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build bot: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// checkLoopback refuses a bot address that would listen beyond this machine.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("check bot address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("check bot address %q: not a loopback address; the stack only starts a bot on loopback (start it yourself and pass SCRAPE_URL)", addr)
}
