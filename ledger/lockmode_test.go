//go:build unix

package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestLedgerLockModeAsGit: the ledger's lock file, made by the first
// write, has the mode git gives a file it makes in the repository (umask,
// core.sharedRepository), so that in a ledger shared by a group another
// member's concord can open it to take the lock.
func TestLedgerLockModeAsGit(t *testing.T) {
	for _, tc := range []struct {
		umask  int
		shared string
	}{{0o022, ""}, {0o002, ""}, {0o077, "group"}, {0o002, "all"}, {0o077, "0640"}} {
		t.Run(fmt.Sprintf("umask %03o shared %q", tc.umask, tc.shared), func(t *testing.T) {
			old := syscall.Umask(tc.umask)
			defer syscall.Umask(old)
			isolateGit(t, "")
			r := newWorld(t)
			if tc.shared != "" {
				runGit(t, r.dir, "config", "core.sharedRepository", tc.shared)
			}
			lockFile := filepath.Join(r.dir, lockName)
			// Made before the repository was shared, as a file git made
			// then would be; the next write makes it anew.
			if err := os.Remove(lockFile); err != nil {
				t.Fatal(err)
			}
			r.propose("pact", []string{"a"}, "all", "en", "Pact.\n")
			runGit(t, r.dir, "update-ref", "refs/stock/x", "refs/heads/main")
			sameFileMode(t, lockFile, filepath.Join(r.dir, "refs", "stock", "x"))
		})
	}
}

// sameFileMode fails t unless the files ours and git's have the same mode.
func sameFileMode(t *testing.T, ours, gits string) {
	t.Helper()
	o, err := os.Stat(ours)
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.Stat(gits)
	if err != nil {
		t.Fatal(err)
	}
	if o.Mode() != g.Mode() {
		t.Errorf("%s has mode %v, stock git's %s %v", ours, o.Mode(), gits, g.Mode())
	}
}
