package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/rules"
)

func TestLockHeldAndStale(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Text.\n")
	head := w.open().Head()
	lockPath := filepath.Join(w.dir, lockName)
	cases := []struct {
		name      string
		pid       int
		wantStale bool
	}{
		{"held by a live process", os.Getpid(), false},
		{"left by a dead process", 999999999, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(lockPath, []byte(fmt.Sprintf("%d 2026-01-02T03:04:05Z\n", c.pid)), 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(lockPath)
			_, err := w.decide("pact", 0, "a", "approve")
			var le *LockError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want *LockError", err)
			}
			if le.PID != c.pid || le.Stale != c.wantStale {
				t.Errorf("lock error = %+v, want pid %d stale %v", le, c.pid, c.wantStale)
			}
			if !strings.Contains(le.Hint(), lockPath) {
				t.Errorf("hint %q does not say which file to remove", le.Hint())
			}
			if got := w.open().Head(); got != head {
				t.Errorf("a command refused for the lock moved the head")
			}
			if _, err := os.Stat(lockPath); err != nil {
				t.Errorf("the lock of another process was removed: %v", err)
			}
		})
	}
	// Once the lock is gone, the command works and leaves no lock behind.
	w.sign("pact", "a")
	if _, err := os.Stat(lockPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock left behind after a successful command: %v", err)
	}
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
