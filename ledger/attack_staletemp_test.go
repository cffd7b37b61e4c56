package ledger

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestStaleRefTempRemoved: a ref update writes the new id to a temporary
// file .concord-ref-* in the git folder, then links it into place as the
// lock; a concord killed between the two (kill -9, a power cut) left that
// file there for good. A sync killed mid-fetch leaves its quarantine
// (.concord-incoming-*), which only the next fetch removed. The next
// writer, holding the ledger's lock (so no write or fetch of another
// concord is under way), removes both.
func TestStaleRefTempRemoved(t *testing.T) {
	r := gitWorld(t)
	stale := filepath.Join(r.dir, ".concord-ref-1234567")
	if err := os.WriteFile(stale, []byte(r.head()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	quarantine := filepath.Join(r.dir, ".concord-incoming-7654321")
	if err := os.MkdirAll(filepath.Join(quarantine, "objects", "pack"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(quarantine, "objects", "pack", "tmp_pack_x"), []byte("half a pack"), 0o444); err != nil {
		t.Fatal(err)
	}
	r.sign("pact", "a")
	for _, p := range []string{stale, quarantine} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there: %v", p, err)
		}
	}
	r.mustVerify()
}

// TestCloneHoldsLock: a clone fetched into its new folder without the
// ledger's lock, so any concord writer pointed at that folder meanwhile
// (a scheduled 'concord sync --ledger DIR', a sign run too early) took the
// lock, took the clone's quarantine for one a killed sync left, and
// removed it under the running fetch: the clone failed. The clone holds
// the lock from the moment the folder is a repository: the other writer
// is told the ledger is locked, and the clone succeeds.
func TestCloneHoldsLock(t *testing.T) {
	r := gitWorld(t)
	dir := filepath.Join(t.TempDir(), "clone")
	env := r.env
	var other error
	env.StepHook = func(step string) {
		if step != "fetch: objects fetched" || other != nil {
			return
		}
		other = withLockAs(dir, r.env, nil, false, func(*Ledger) error { return nil })
		if other == nil {
			other = errors.New("no error")
		}
	}
	if _, err := Clone(context.Background(), r.dir, dir, env); err != nil {
		t.Fatalf("clone: %v", err)
	}
	var le *LockError
	if !errors.As(other, &le) {
		t.Errorf("a writer during the clone: %v, want a LockError", other)
	}
	c := &world{t: t, dir: dir, env: r.env, people: r.people}
	c.mustVerify()
}
