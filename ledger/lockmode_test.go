//go:build unix

package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
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
			testtool.SameMode(t, "the ledger lock", lockFile, filepath.Join(r.dir, "refs", "stock", "x"))
		})
	}
}

// modeSnapshot returns the mode of every file and folder under dir.
func modeSnapshot(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	m := map[string]os.FileMode{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		m[p] = fi.Mode()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSyncModesAsGit: in a clone shared with its group (umask 077,
// core.sharedRepository=group), every file and folder a sync then makes —
// through git and through go-git's fallback, fetching the remote's new
// entries and pushing a local one — has the mode stock git gives its own
// of that kind in the same repository: folders, refs, objects, the lock.
func TestSyncModesAsGit(t *testing.T) {
	for _, transport := range []string{"git", "go-git"} {
		t.Run(transport, func(t *testing.T) {
			old := syscall.Umask(0o077)
			defer syscall.Umask(old)
			r := gitWorld(t)
			if transport == "go-git" {
				r.env.Git = ""
			}
			c := r.clone(t, r.dir)
			runGit(t, c.dir, "config", "core.sharedRepository", "group")
			// What the clone's fetch left, made before the ledger was
			// shared; the next fetch makes it anew. (A ref concord
			// rewrites keeps its mode, as an object already there does.)
			os.Remove(filepath.Join(c.dir, filepath.FromSlash(incomingRef)))
			os.Remove(filepath.Join(c.dir, lockName)) // the clone's, which it holds while it fetches
			before := modeSnapshot(t, c.dir)

			r.sign("pact", "a")
			if res := c.mustSync(""); res.Fetched != 1 {
				t.Fatalf("sync: %+v", res)
			}
			c.propose("pact2", []string{"a"}, "all", "en", "Two.\n")
			if res := c.mustSync(""); res.Pushed != 1 {
				t.Fatalf("sync: %+v", res)
			}

			// Stock git's own, made now: a ref in a new folder, an object.
			runGit(t, c.dir, "update-ref", "refs/stock/x", "refs/heads/main")
			want := map[string]os.FileMode{}
			for kind, p := range map[string]string{"folder": filepath.Join(c.dir, "refs", "stock"), "ref": filepath.Join(c.dir, "refs", "stock", "x")} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				want[kind] = fi.Mode()
			}
			want["object"] = os.FileMode(0o440) // git's: 0444 less the umask 077, then the group's read
			checked := map[string]int{}
			for p, m := range modeSnapshot(t, c.dir) {
				if _, ok := before[p]; ok || strings.Contains(p, "refs/stock") {
					continue
				}
				rel, _ := filepath.Rel(c.dir, p)
				kind := "ref"
				switch {
				case m.IsDir():
					kind = "folder"
				case strings.HasPrefix(rel, "objects"+string(filepath.Separator)):
					kind = "object"
				}
				checked[kind]++
				if m != want[kind] {
					t.Errorf("%s (%s) has mode %v, stock git's %v", rel, kind, m, want[kind])
				}
			}
			if checked["object"] == 0 || checked["folder"] == 0 || checked["ref"] < 2 { // the lock, refs/concord/incoming
				t.Errorf("the syncs made too few new files or folders: %v", checked)
			}
		})
	}
}
