//go:build unix

// Tests of git's conventions on disk, against stock git working on the
// same repository: object modes, the ref lock protocol, packing, and reads
// while git repacks.
package gitstore_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(testtool.Require(t, "git"), append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=x", "GIT_AUTHOR_EMAIL=x@example.org", "GIT_COMMITTER_NAME=x", "GIT_COMMITTER_EMAIL=x@example.org")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestObjectModesAsGit: the loose objects concord writes have the mode
// stock git gives its own in the same repository, for each umask and
// core.sharedRepository, and so do their folders.
func TestObjectModesAsGit(t *testing.T) {
	for _, tc := range []struct {
		umask  int
		shared string
	}{{0o022, ""}, {0o077, ""}, {0o077, "group"}, {0o002, "all"}, {0o077, "0640"}} {
		t.Run(fmt.Sprintf("umask %03o shared %q", tc.umask, tc.shared), func(t *testing.T) {
			old := syscall.Umask(tc.umask)
			defer syscall.Umask(old)
			dir := filepath.Join(t.TempDir(), "r")
			g, err := gitstore.Init(dir)
			if err != nil {
				t.Fatal(err)
			}
			g.Close()
			if tc.shared != "" {
				gitIn(t, dir, "config", "core.sharedRepository", tc.shared)
			}
			g, err = gitstore.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			head := appendN(t, g, "", 1, "doc")
			ours, err := os.Stat(objectPath(dir, head))
			if err != nil {
				t.Fatal(err)
			}
			oursDir, _ := os.Stat(filepath.Dir(objectPath(dir, head)))
			// Stock git writes an object of its own; find one in a folder
			// it had to create.
			var theirs, theirsDir os.FileInfo
			for i := 0; theirsDir == nil; i++ {
				cmd := exec.Command("git", "-C", dir, "hash-object", "-w", "--stdin")
				cmd.Stdin = strings.NewReader(fmt.Sprint("stock ", i))
				out, err := cmd.Output()
				if err != nil {
					t.Fatal(err)
				}
				id := strings.TrimSpace(string(out))
				if id[:2] == head[:2] {
					continue
				}
				theirs, _ = os.Stat(objectPath(dir, id))
				theirsDir, _ = os.Stat(filepath.Dir(objectPath(dir, id)))
			}
			if ours.Mode() != theirs.Mode() {
				t.Errorf("object mode %v, stock git's %v", ours.Mode(), theirs.Mode())
			}
			if tc.shared != "" && oursDir.Mode() != theirsDir.Mode() {
				t.Errorf("object folder mode %v, stock git's %v", oursDir.Mode(), theirsDir.Mode())
			}
		})
	}
}

// TestRefLockWithStockGit interleaves a stock git push into the ledger
// with concord's move of the branch, at each step, deterministically: a
// push that lands before concord takes main.lock makes concord's write
// fail (ErrHeadMoved); one that comes while concord holds the lock fails
// itself. Either way one writer reports failure and no update is lost.
func TestRefLockWithStockGit(t *testing.T) {
	for _, step := range []string{"append: objects written", "set branch: locked", "set branch: lock file written"} {
		t.Run(step, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ledger")
			g, err := gitstore.Init(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			base := appendN(t, g, "", 1, "doc")
			// A colleague's stock repository with a commit of its own on base.
			other := filepath.Join(t.TempDir(), "other")
			gitIn(t, filepath.Dir(other), "clone", "-q", "--bare", dir, other)
			theirs := gitIn(t, other, "commit-tree", "-p", base, "-m", "stock", gitIn(t, other, "rev-parse", base+"^{tree}"))

			var pushErr error
			var pushOut []byte
			g.SetStepHook(func(s string) {
				if s == step {
					pushOut, pushErr = exec.Command("git", "-C", other, "push", "-q", dir, theirs+":refs/heads/main").CombinedOutput()
				}
			})
			ours, err := g.Append(gitstore.NewCommit{Parent: base, Message: "entry\n", Name: "a", Email: "a",
				Files: map[string][]byte{"doc/x.txt": []byte("x\n")}})
			g.SetStepHook(nil)
			if pushOut == nil && pushErr == nil {
				t.Fatalf("step %q never came", step)
			}
			head := gitIn(t, dir, "rev-parse", "refs/heads/main")
			switch {
			case err == nil && pushErr == nil:
				t.Fatalf("both writers report success; the branch is at %s (concord %s, git %s): an update was lost", head, ours, theirs)
			case err == nil:
				if head != ours {
					t.Fatalf("concord succeeded, git failed, yet the branch is at %s", head)
				}
				if !strings.Contains(string(pushOut), "lock") {
					t.Errorf("git's failure does not name the lock: %s", pushOut)
				}
			case pushErr == nil:
				if head != theirs || !errors.Is(err, gitstore.ErrHeadMoved) {
					t.Fatalf("git succeeded; concord: %v; branch at %s", err, head)
				}
			default:
				t.Fatalf("both failed: concord %v, git %v: %s", err, pushErr, pushOut)
			}
			if step == "append: objects written" && pushErr != nil {
				t.Errorf("a push before concord's lock failed: %s", pushOut)
			}
			if step != "append: objects written" && err != nil {
				t.Errorf("concord, holding the lock, failed: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "refs", "heads", "main.lock")); err == nil {
				t.Error("main.lock left behind")
			}
		})
	}
}

// TestPackingPastThreshold: with git known, writes that leave more than
// PackThreshold loose objects pack them (with git repack), and everything
// reads back, through the same Repo and through stock git's fsck.
func TestPackingPastThreshold(t *testing.T) {
	gitPath := testtool.Require(t, "git")
	dir := filepath.Join(t.TempDir(), "ledger")
	g, err := gitstore.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	g.UseGit(gitPath)
	// Each entry writes 4 objects (blob, two trees, root tree) and a commit.
	head := appendN(t, g, "", 2*gitstore.PackThreshold/5, "doc")
	packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "pack-*.pack"))
	if len(packs) == 0 {
		t.Fatal("no pack written")
	}
	count := gitIn(t, dir, "count-objects", "-v")
	t.Log(count)
	var loose int
	fmt.Sscanf(count, "count: %d", &loose)
	if loose > gitstore.PackThreshold*3/2 {
		t.Errorf("%d loose objects left", loose)
	}
	ids, err := g.FirstParentIDs(head)
	if err != nil || len(ids) != 2*gitstore.PackThreshold/5 {
		t.Fatalf("%d commits read: %v", len(ids), err)
	}
	for _, id := range ids {
		if err := g.Walk(id, func(string, []byte) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, dir, "fsck", "--strict")
}

// TestReadsDuringRepack: a Repo that listed the packs keeps reading every
// object while stock git repacks and removes what it read from: loose
// objects packed and pruned, then a pack replaced by another.
func TestReadsDuringRepack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	g, err := gitstore.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	head := appendN(t, g, "", 30, "doc")
	readAll := func() {
		t.Helper()
		ids, err := g.FirstParentIDs(head)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if _, err := g.ReadCommit(id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := g.ReadFile(head, "doc/0/text.txt"); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "repack", "-a", "-d", "-q") // every loose object packed and removed
	readAll()
	if _, err := g.ReadFile(head, "doc/29/text.txt"); err != nil {
		t.Fatalf("after git repack: %v", err)
	}
	gitIn(t, dir, "repack", "-a", "-d", "-f", "-q", "--window=50") // the pack replaced
	readAll()
	if _, err := g.ReadFile(head, "doc/17/text.txt"); err != nil {
		t.Fatalf("after a second git repack: %v", err)
	}
	gitIn(t, dir, "gc", "-q", "--prune=now")
	if err := g.Walk(head, func(string, []byte) error { return nil }); err != nil {
		t.Fatalf("after git gc: %v", err)
	}
}
