package filelock

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHeldIsRefusedAtOnce(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	l, err := TryLock(p)
	if err != nil {
		t.Fatal(err)
	}
	// A second holder (another open file, as another process would have)
	// is refused without waiting.
	start := time.Now()
	_, err = TryLock(p)
	var held *HeldError
	if !errors.As(err, &held) || held.Path != p {
		t.Fatalf("second TryLock: %v, want *HeldError for %s", err, p)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a held lock was waited on for %v", d)
	}
	if !strings.Contains(err.Error(), p) {
		t.Errorf("error %q does not name the lock file", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	// Released: the file stays, empty, and the lock can be taken again.
	if data, err := os.ReadFile(p); err != nil || len(data) != 0 {
		t.Errorf("lock file after unlock: %q, %v; want it empty and present", data, err)
	}
	l2, err := TryLock(p)
	if err != nil {
		t.Fatalf("TryLock after Unlock: %v", err)
	}
	l2.Unlock()
}

func TestOldContentIsIgnored(t *testing.T) {
	// A lock file left by an older concord (a pid and a time) is just a file.
	p := filepath.Join(t.TempDir(), "x.lock")
	if err := os.WriteFile(p, []byte("1 2026-01-01T00:00:00Z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := TryLock(p)
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
}

func TestUnusableFileIsNotHeld(t *testing.T) {
	p := filepath.Join(t.TempDir(), "missing", "x.lock")
	_, err := TryLock(p)
	var held *HeldError
	if err == nil || errors.As(err, &held) {
		t.Fatalf("TryLock in a missing folder: %v, want an error that is not *HeldError", err)
	}
	if !strings.Contains(err.Error(), p) {
		t.Errorf("error %q does not name the lock file", err)
	}
}

// TestHolderHelper is run by TestKilledHolderReleases in a subprocess: it
// takes the lock, says so, and waits to be killed.
func TestHolderHelper(t *testing.T) {
	p := os.Getenv("FILELOCK_TEST_HOLD")
	if p == "" {
		t.Skip("run by TestKilledHolderReleases in a subprocess")
	}
	if _, err := TryLock(p); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}

// TestKilledHolderReleases: a process holding the lock is killed (SIGKILL
// on Unix, TerminateProcess on Windows): it never unlocks, and the lock is
// free all the same.
func TestKilledHolderReleases(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHolderHelper$")
	cmd.Env = append(os.Environ(), "FILELOCK_TEST_HOLD="+p)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("the helper did not take the lock: %q, %v", line, err)
	}
	var held *HeldError
	if _, err := TryLock(p); !errors.As(err, &held) {
		t.Fatalf("lock held by another process: %v, want *HeldError", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	l, err := TryLock(p)
	if err != nil {
		t.Fatalf("lock of a killed process: %v, want it free", err)
	}
	l.Unlock()
}
