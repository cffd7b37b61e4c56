package ledger

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"time"

	"github.com/concord-ledger/concord/ledger/rules"

	"github.com/concord-ledger/concord/internal/filelock"
)

// TestLockHeld: while another holder has the ledger's lock, a write is
// refused at once with a *LockError naming the lock file, and nothing moves.
func TestLockHeld(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Text.\n")
	head := w.open().Head()
	lockPath := filepath.Join(w.dir, lockName)
	other, err := filelock.TryLock(lockPath) // another open of the file, as another process has
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.decide("pact", 0, "a", "approve")
	var le *LockError
	if !errors.As(err, &le) || le.Path != lockPath {
		t.Fatalf("err = %v, want *LockError for %s", err, lockPath)
	}
	if want := "ledger is locked: another concord process holds " + lockPath; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if got := w.open().Head(); got != head {
		t.Errorf("a command refused for the lock moved the head")
	}
	other.Unlock()
	// Once the lock is free, the command works and leaves the lock free
	// (the empty file stays: it is never removed).
	w.sign("pact", "a")
	l, err := filelock.TryLock(lockPath)
	if err != nil {
		t.Fatalf("lock not free after a successful command: %v", err)
	}
	l.Unlock()
}

// TestLockUnusable: a lock file that cannot be opened (here a link into a
// missing folder) is an error naming it, not a *LockError, and nothing is
// written.
func TestLockUnusable(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Text.\n")
	head := w.open().Head()
	lockPath := filepath.Join(w.dir, lockName)
	os.Remove(lockPath)
	if err := os.Symlink(filepath.Join(w.dir, "no", "such", "file"), lockPath); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}
	_, err := w.decide("pact", 0, "a", "approve")
	var le *LockError
	if err == nil || errors.As(err, &le) || !strings.HasPrefix(err.Error(), "taking the ledger lock: ") || !strings.Contains(err.Error(), lockPath) {
		t.Fatalf("err = %v, want a lock failure naming %s that is not *LockError", err, lockPath)
	}
	if got := w.open().Head(); got != head {
		t.Errorf("a command that could not lock moved the head")
	}
}

// TestLockHolderHelper is run by TestLockOfKilledProcessIsFree in a
// subprocess: it takes the ledger's lock, says so and waits to be killed.
func TestLockHolderHelper(t *testing.T) {
	dir := os.Getenv("CONCORD_LOCK_DIR")
	if dir == "" {
		t.Skip("run by TestLockOfKilledProcessIsFree in a subprocess")
	}
	if _, err := lock(dir); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}

// TestLockOfKilledProcessIsFree: a process holding the ledger's lock is
// killed; the next command neither waits nor needs anything removed.
func TestLockOfKilledProcessIsFree(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Text.\n")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderHelper$")
	cmd.Env = append(os.Environ(), "CONCORD_LOCK_DIR="+w.dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("the helper did not take the lock: %q, %v", line, err)
	}
	var le *LockError
	if _, err := w.decide("pact", 0, "a", "approve"); !errors.As(err, &le) {
		t.Fatalf("while another process holds the lock: %v, want *LockError", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	w.sign("pact", "a")
}

func TestInitRefusals(t *testing.T) {
	s1, s2 := newPerson(t, "s1", true), newPerson(t, "s2", true)
	other := newPerson(t, "other", true)
	dup := s2.Member
	dup.ID = "s3"
	cases := []struct {
		name      string
		stewards  []rules.Member
		threshold int
		founder   string
		signer    *person
		want      string
	}{
		{"threshold above stewards", []rules.Member{s1.Member, s2.Member}, 3, "s1", s1, "threshold 3 does not fit 2 stewards"},
		{"threshold zero", []rules.Member{s1.Member}, 0, "s1", s1, "threshold 0"},
		{"founder not a steward", []rules.Member{s1.Member, s2.Member}, 1, "other", other, "founder \"other\" is not a founding steward"},
		{"wrong founder key", []rules.Member{s1.Member, s2.Member}, 1, "s1", s2, "is not founder s1's key"},
		{"one key under two ids", []rules.Member{s1.Member, s2.Member, dup}, 2, "s1", s1, "already enrolled for s2"},
		{"bad id", []rules.Member{{ID: "Bad_ID", Name: "x", Title: "x", Institution: "x", Country: "x", Key: s1.Key}}, 1, "Bad_ID", s1, "member id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ledger")
			_, err := Init(dir, testEnv(), InitOptions{Title: "T", Threshold: c.threshold, Stewards: c.stewards, Founder: c.founder, Signer: c.signer.signer})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused init left %s behind", dir)
			}
		})
	}
	// A folder that is not empty is refused and left as it was.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "keep"), []byte("x"), 0o644)
	_, err := Init(dir, testEnv(), InitOptions{Title: "T", Threshold: 1, Stewards: []rules.Member{s1.Member}, Founder: "s1", Signer: s1.signer})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("init into a non-empty folder: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("init touched a non-empty folder: %v", entries)
	}
}
