//go:build unix

package gitstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

// refModeCases are the umasks and core.sharedRepository values the mode
// tests run under.
var refModeCases = []struct {
	umask  int
	shared string
}{{0o022, ""}, {0o002, ""}, {0o077, ""}, {0o077, "group"}, {0o002, "all"}, {0o077, "0640"}}

// sharedRepo makes a ledger with one entry in a new folder, under the
// umask given (restored when the test ends), with core.sharedRepository
// set to shared unless it is "", and opens it.
func sharedRepo(t *testing.T, umask int, shared string) (string, *gitstore.Repo, string) {
	t.Helper()
	old := syscall.Umask(umask)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "r")
	g, err := gitstore.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	if shared != "" {
		gitIn(t, dir, "config", "core.sharedRepository", shared)
	}
	g, err = gitstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return dir, g, appendN(t, g, "", 1, "doc")
}

// TestRefModesAsGit: the ref files concord writes (its own refs under
// refs/concord, the branch) and the folders it creates for them have the
// modes stock git gives its own in the same repository, for each umask
// and core.sharedRepository; so does packed-refs once concord removed a
// ref from it.
func TestRefModesAsGit(t *testing.T) {
	for _, tc := range refModeCases {
		t.Run(fmt.Sprintf("umask %03o shared %q", tc.umask, tc.shared), func(t *testing.T) {
			dir, g, head := sharedRepo(t, tc.umask, tc.shared)
			// Stock git makes a ref in a folder it creates.
			gitIn(t, dir, "update-ref", "refs/stock/x", head)
			stockRef := filepath.Join(dir, "refs", "stock", "x")

			for _, ref := range []string{"refs/concord/verified", "refs/concord/synced", "refs/concord/deep/er"} {
				if err := g.SetRef(ref, head); err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, filepath.FromSlash(ref))
				testtool.SameMode(t, ref, p, stockRef)
				testtool.SameMode(t, "the folder of "+ref, filepath.Dir(p), filepath.Dir(stockRef))
			}
			testtool.SameMode(t, "the branch", filepath.Join(dir, "refs", "heads", "main"), stockRef)
			second := appendN(t, g, head, 1, "more")
			testtool.SameMode(t, "the branch moved", filepath.Join(dir, "refs", "heads", "main"), stockRef)

			// git gc packs the refs; concord then deletes one of them,
			// which rewrites packed-refs.
			gitIn(t, dir, "pack-refs", "--all")
			packed := filepath.Join(dir, "packed-refs")
			before, err := os.Stat(packed)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.DiscardFetched("refs/concord/synced"); err != nil {
				t.Fatal(err)
			}
			after, err := os.Stat(packed)
			if err != nil {
				t.Fatal(err)
			}
			if after.Mode() != before.Mode() {
				t.Errorf("packed-refs: mode %v after concord rewrote it, stock git's %v", after.Mode(), before.Mode())
			}
			if id, _ := g.Ref("refs/concord/synced"); id != "" {
				t.Errorf("refs/concord/synced still at %s", id)
			}
			if id, _ := g.Ref("refs/concord/verified"); id != head {
				t.Errorf("refs/concord/verified at %q, want %s", id, head)
			}
			if h, _ := g.Head(); h != second {
				t.Errorf("head %s, want %s", h, second)
			}
		})
	}
}

// TestFallbackRefModesAsGit: through go-git's transport (no git program),
// the ref an accepted fetch writes in the local ledger, and the branch a push over
// file:// moves in the remote (the in-process server) and the ledger lock
// it takes there, have the modes stock git gives its refs in each
// repository.
func TestFallbackRefModesAsGit(t *testing.T) {
	for _, tc := range refModeCases {
		t.Run(fmt.Sprintf("umask %03o shared %q", tc.umask, tc.shared), func(t *testing.T) {
			remote, rg, head := sharedRepo(t, tc.umask, tc.shared)
			rg.Close()
			gitIn(t, remote, "update-ref", "refs/stock/x", head)
			local := filepath.Join(t.TempDir(), "local")
			gitIn(t, filepath.Dir(local), "clone", "-q", "--bare", remote, local)
			if tc.shared != "" {
				gitIn(t, local, "config", "core.sharedRepository", tc.shared)
			}
			gitIn(t, local, "update-ref", "refs/stock/x", head)
			lg, err := gitstore.Open(local)
			if err != nil {
				t.Fatal(err)
			}
			defer lg.Close()
			lg.UseGit("")
			ours := appendN(t, lg, head, 1, "local")

			got, err := lg.Fetch(context.Background(), "file://"+remote, "refs/concord/incoming")
			if err != nil || got != head {
				t.Fatalf("fetch: %s, %v", got, err)
			}
			if err := lg.KeepFetched(); err != nil { // the ref is written once accepted
				t.Fatal(err)
			}
			p := filepath.Join(local, "refs", "concord", "incoming")
			testtool.SameMode(t, "the fetched ref", p, filepath.Join(local, "refs", "stock", "x"))
			testtool.SameMode(t, "its folder", filepath.Dir(p), filepath.Join(local, "refs", "stock"))

			if err := lg.Push(context.Background(), "file://"+remote, head); err != nil {
				t.Fatalf("push: %v", err)
			}
			if id := gitIn(t, remote, "rev-parse", "refs/heads/main"); id != ours {
				t.Fatalf("the remote's branch is at %s, want %s", id, ours)
			}
			testtool.SameMode(t, "the remote's branch", filepath.Join(remote, "refs", "heads", "main"), filepath.Join(remote, "refs", "stock", "x"))
			testtool.SameMode(t, "the remote's ledger lock", filepath.Join(remote, gitstore.LedgerLockName), filepath.Join(remote, "refs", "stock", "x"))
		})
	}
}

// TestInitModesAsGit: the folders and files of a new ledger have the
// modes git init --bare gives its own under the same umask.
func TestInitModesAsGit(t *testing.T) {
	for _, umask := range []int{0o022, 0o002, 0o077} {
		t.Run(fmt.Sprintf("umask %03o", umask), func(t *testing.T) {
			old := syscall.Umask(umask)
			defer syscall.Umask(old)
			d := t.TempDir()
			g, err := gitstore.Init(filepath.Join(d, "ours"))
			if err != nil {
				t.Fatal(err)
			}
			g.Close()
			gitIn(t, d, "init", "-q", "--bare", "theirs")
			for _, p := range []string{".", "HEAD", "config", "objects", "objects/info", "objects/pack", "refs", "refs/heads", "refs/tags"} {
				testtool.SameMode(t, p, filepath.Join(d, "ours", p), filepath.Join(d, "theirs", p))
			}
		})
	}
}
