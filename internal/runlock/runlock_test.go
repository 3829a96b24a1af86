package runlock

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestSecondAcquireRefusesNamingTheFirst(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "soak")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, "soak")
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "soak (pid ") {
		t.Fatalf("second acquire: got %v, want ErrBusy naming the soak and its pid", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir, "shadow")
	if err != nil {
		t.Fatalf("after release: %v, want the lock", err)
	}
	l2.Close()
}

// A lock held by a process that died is free: the kernel drops an flock
// with its last descriptor.
func TestDeadHolderDoesNotHoldTheLock(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "soak")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "30")
	cmd.ExtraFiles = []*os.File{l.File()} // the child holds it after we let go
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if _, err := Acquire(dir, "soak"); !errors.Is(err, ErrBusy) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child holding the descriptor: got %v, want ErrBusy", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := Acquire(dir, "soak")
		if err == nil {
			l.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("holder dead: got %v, want the lock", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartTicks(t *testing.T) {
	a, err := StartTicks(os.Getpid())
	if err != nil || a == 0 {
		t.Fatalf("got %d, %v; want a start time", a, err)
	}
	if _, err := StartTicks(-1); err == nil {
		t.Error("pid -1: got no error")
	}
}
