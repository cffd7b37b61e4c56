package gitstore

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// quarantineWorld is a remote with n commits written by concord, and a
// local repository that fetched and kept them, through git (gitPath) or
// through go-git ("").
func quarantineWorld(t *testing.T, n int, gitPath string) (remote *Repo, local *Repo, localDir string, head string) {
	t.Helper()
	testtool.Require(t, "git") // for the checks
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	remote, err := Init(filepath.Join(t.TempDir(), "remote.git"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { remote.Close() })
	head = appendFiles(t, remote, "", n, "old")
	localDir = filepath.Join(t.TempDir(), "local.git")
	local, err = Init(localDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { local.Close() })
	local.UseGit(gitPath)
	got, err := local.Fetch(context.Background(), remote.GitDir(), "refs/concord/incoming")
	if err != nil || got != head {
		t.Fatalf("fetch: %s, %v; want %s", got, err, head)
	}
	if err := local.KeepFetched(); err != nil {
		t.Fatal(err)
	}
	if err := local.SetHead(head, ""); err != nil {
		t.Fatal(err)
	}
	return remote, local, localDir, head
}

func appendFiles(t *testing.T, g *Repo, parent string, n int, prefix string) string {
	t.Helper()
	for i := 0; i < n; i++ {
		id, err := g.Append(NewCommit{Parent: parent, Message: "entry\n", Name: "a", Email: "a@example.org",
			When:  time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC),
			Files: map[string][]byte{prefix + "/" + strings.Repeat("x", i+1) + ".txt": []byte(prefix + " text " + strings.Repeat("y", i) + "\n")}})
		if err != nil {
			t.Fatal(err)
		}
		parent = id
	}
	return parent
}

// stockHas reports whether stock git finds object id in the repository in
// dir (its objects/ and their alternates: not a quarantine).
func stockHas(t *testing.T, dir, id string) bool {
	t.Helper()
	cmd := exec.Command(testtool.Require(t, "git"), "--git-dir="+dir, "cat-file", "-e", id)
	return cmd.Run() == nil
}

// quarantinedObjects returns the ids git finds in the pending fetch's
// quarantine alone.
func quarantinedObjects(t *testing.T, g *Repo) []string {
	t.Helper()
	if g.quar == nil {
		t.Fatal("no fetch is pending")
	}
	cmd := exec.Command(testtool.Require(t, "git"), "--git-dir="+g.quar.dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
	cmd.Env = append(os.Environ(), "GIT_ALTERNATE_OBJECT_DIRECTORIES=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))
}

// TestFetchQuarantine: a fetch through git leaves the repository's
// objects and refs as they were; its objects are read (through go-git and
// through Preload) from the quarantine, which holds only what is new (git
// negotiated with the repository's refs); KeepFetched moves them into the
// repository and writes the ref, DiscardFetched removes the quarantine
// and nothing else.
func TestFetchQuarantine(t *testing.T) {
	for _, transport := range []string{"git", "go-git"} {
		t.Run(transport, func(t *testing.T) { testFetchQuarantine(t, transport) })
	}
}

func testFetchQuarantine(t *testing.T, transport string) {
	gitPath := ""
	if transport == "git" {
		gitPath = testtool.Require(t, "git")
	}
	remote, local, dir, old := quarantineWorld(t, 30, gitPath)

	for _, keep := range []bool{false, true} {
		if cur, _ := remote.Head(); cur != old {
			if err := remote.SetHead(old, cur); err != nil { // the refused commit is gone
				t.Fatal(err)
			}
		}
		incomingBefore, _ := local.Ref("refs/concord/incoming")
		head := appendFiles(t, remote, old, 1, map[bool]string{false: "refused", true: "kept"}[keep])
		got, err := local.Fetch(context.Background(), remote.GitDir(), "refs/concord/incoming")
		if err != nil || got != head {
			t.Fatalf("fetch: %s, %v; want %s", got, err, head)
		}
		c, err := local.ReadCommit(head)
		if err != nil {
			t.Fatalf("reading the fetched commit: %v", err)
		}
		fresh := []string{head, c.Tree}
		if stockHas(t, dir, head) || stockHas(t, dir, c.Tree) {
			t.Fatalf("the fetched objects are among the repository's before they are kept")
		}
		if id, _ := local.Ref("refs/concord/incoming"); id != incomingBefore {
			t.Fatalf("the fetch moved the repository's ref to %s", id)
		}
		// One commit adds one file in one new folder: commit, root tree,
		// folder, blob. The 30 commits before are not fetched again.
		if q := quarantinedObjects(t, local); len(q) != 4 {
			t.Fatalf("the quarantine holds %d objects, want the 4 new ones: %v", len(q), q)
		}
		local.Preload(context.Background(), PreloadBudget)
		if pre := preloadedIDs(local); gitPath != "" && (!pre[plumbing.NewHash(head)] || !pre[plumbing.NewHash(old)]) {
			t.Fatalf("Preload did not read both the quarantine and the repository")
		}
		local.dropPreloaded()
		local.PreloadFetched(context.Background(), PreloadBudget)
		if pre := preloadedIDs(local); gitPath != "" && (len(pre) != 4 || !pre[plumbing.NewHash(head)]) {
			t.Fatalf("PreloadFetched read %d objects, want the 4 the fetch brought", len(pre))
		}
		local.dropPreloaded()
		if ok, err := local.IsAncestor(old, head); !ok || err != nil {
			t.Fatalf("IsAncestor across the quarantine: %v, %v", ok, err)
		}
		if _, err := local.FirstParentIDs(head); err != nil {
			t.Fatal(err)
		}
		qdir := local.quar.dir
		if keep {
			if err := local.KeepFetched(); err != nil {
				t.Fatal(err)
			}
			for _, id := range fresh {
				if !stockHas(t, dir, id) {
					t.Errorf("%s not among the repository's objects once kept", id)
				}
			}
			if id, _ := local.Ref("refs/concord/incoming"); id != head {
				t.Errorf("refs/concord/incoming at %q once kept, want %s", id, head)
			}
			if _, err := local.ReadCommit(head); err != nil {
				t.Errorf("reading the kept commit: %v", err)
			}
			if _, ok := local.known.at[head]; !ok {
				t.Errorf("the walk of the kept history was forgotten")
			}
		} else {
			if err := local.DiscardFetched("refs/concord/incoming"); err != nil {
				t.Fatal(err)
			}
			for _, id := range fresh {
				if stockHas(t, dir, id) {
					t.Errorf("%s among the repository's objects once discarded", id)
				}
			}
			if _, err := local.ReadCommit(head); err == nil {
				t.Errorf("the discarded commit still reads")
			}
			// A walk must not stop at a commit that is gone.
			if _, ok := local.known.at[head]; ok {
				t.Errorf("the walk of the discarded history is still known")
			}
			if _, err := local.ReadCommit(old); err != nil {
				t.Errorf("the repository's own commit: %v", err)
			}
		}
		if _, err := os.Stat(qdir); !os.IsNotExist(err) {
			t.Errorf("the quarantine %s is still there: %v", qdir, err)
		}
		if local.quar != nil {
			t.Errorf("a fetch is still pending")
		}
	}
	fsck := exec.Command(testtool.Require(t, "git"), "--git-dir="+dir, "fsck", "--no-dangling", "--no-progress")
	if out, err := fsck.CombinedOutput(); err != nil {
		t.Errorf("git fsck: %v\n%s", err, out)
	}
}

// TestFetchQuarantineStaleRefLock: a lock left on the fetch's ref in the
// repository (by a process killed while it wrote the ref) makes
// KeepFetched fail with a RefLockError naming it, after the objects were
// moved: the caller has not moved the branch.
func TestFetchQuarantineStaleRefLock(t *testing.T) {
	remote, local, dir, old := quarantineWorld(t, 2, testtool.Require(t, "git"))
	head := appendFiles(t, remote, old, 1, "new")
	lock := filepath.Join(dir, "refs", "concord", "incoming.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Fetch(context.Background(), remote.GitDir(), "refs/concord/incoming"); err != nil {
		t.Fatal(err)
	}
	err := local.KeepFetched()
	if le, ok := err.(*RefLockError); !ok || le.Path != lock {
		t.Fatalf("KeepFetched: %v, want a RefLockError for %s", err, lock)
	}
	if id, _ := local.Ref("refs/concord/incoming"); id == head {
		t.Errorf("the ref moved under a lock")
	}
}

// TestFetchQuarantineOddPathAndConfig: the quarantine works in a
// repository whose path holds a space, quotes, a colon (git's list
// separator) and a backslash, and git applies the repository's own
// config there: with core.sharedRepository 0660, the objects a fetch
// brought get the mode git gives its own in the repository (0440).
func TestFetchQuarantineOddPathAndConfig(t *testing.T) {
	git := testtool.Require(t, "git")
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	remote, err := Init(filepath.Join(t.TempDir(), "remote.git"))
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	head := appendFiles(t, remote, "", 3, "text")
	dir := filepath.Join(t.TempDir(), `odd "dir":x\y`)
	local, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	if out, err := exec.Command(git, "--git-dir="+dir, "config", "core.sharedRepository", "0660").CombinedOutput(); err != nil {
		t.Fatalf("git config: %v\n%s", err, out)
	}
	local.UseGit(git)
	got, err := local.Fetch(context.Background(), remote.GitDir(), "refs/concord/incoming")
	if err != nil || got != head {
		t.Fatalf("fetch: %s, %v; want %s", got, err, head)
	}
	local.Preload(context.Background(), PreloadBudget)
	if pre := preloadedIDs(local); !pre[plumbing.NewHash(head)] {
		t.Fatalf("Preload did not read the quarantine")
	}
	if err := local.KeepFetched(); err != nil {
		t.Fatal(err)
	}
	if !stockHas(t, dir, head) {
		t.Fatalf("%s not kept", head)
	}
	fi, err := os.Stat(filepath.Join(dir, "objects", head[:2], head[2:]))
	if err != nil {
		t.Fatalf("the fetch's objects are not loose: %v", err)
	}
	if fi.Mode().Perm() != 0o440 {
		t.Errorf("a fetched object has mode %v, git's in this repository 0440", fi.Mode().Perm())
	}
	if err := local.SetHead(head, ""); err != nil {
		t.Fatal(err)
	}
	// The repository's objects, named by GIT_ALTERNATE_OBJECT_DIRECTORIES
	// in quotes, are seen: git negotiates with its refs, Preload reads them.
	next := appendFiles(t, remote, head, 1, "more")
	if got, err := local.Fetch(context.Background(), remote.GitDir(), "refs/concord/incoming"); err != nil || got != next {
		t.Fatalf("fetch: %s, %v; want %s", got, err, next)
	}
	if q := quarantinedObjects(t, local); len(q) != 4 {
		t.Errorf("the quarantine holds %d objects, want the 4 new ones", len(q))
	}
	local.Preload(context.Background(), PreloadBudget)
	if pre := preloadedIDs(local); !pre[plumbing.NewHash(head)] || !pre[plumbing.NewHash(next)] {
		t.Errorf("Preload did not read both the quarantine and the repository")
	}
}
