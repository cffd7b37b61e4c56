package ledger

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// remoteOnly writes, with stock git, an unsigned commit on the remote's
// main adding a file: a commit, trees and a blob only the remote has, which
// no audit accepts. It returns their ids, the commit first.
func remoteOnly(t *testing.T, r *world) []string {
	t.Helper()
	blob := gitStdin(t, r.dir, "Only the remote has this.\n", "hash-object", "-w", "--stdin")
	index := filepath.Join(t.TempDir(), "index")
	gitEnvRun(t, r.dir, index, "read-tree", "HEAD")
	gitEnvRun(t, r.dir, index, "update-index", "--add", "--cacheinfo", "100644,"+blob+",zz-remote-only/file.txt")
	tree := gitEnvRun(t, r.dir, index, "write-tree")
	sub := runGit(t, r.dir, "rev-parse", tree+":zz-remote-only")
	bad := runGit(t, r.dir, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit-tree", "-p", "HEAD", "-m", "unsigned", tree)
	runGit(t, r.dir, "update-ref", "refs/heads/main", bad)
	return []string{bad, tree, sub, blob}
}

func gitStdin(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func gitEnvRun(t *testing.T, dir, index string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_INDEX_FILE="+index)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// notInRepository fails t for each of ids that stock git finds in the
// repository in dir, or that a ref of it names, saying at which step.
func notInRepository(t *testing.T, dir, step string, ids []string) {
	t.Helper()
	for _, id := range ids {
		if out, err := exec.Command("git", "-C", dir, "cat-file", "-e", id).CombinedOutput(); err == nil {
			t.Errorf("at %q, object %s of the refused remote is among the repository's (%s)", step, id, out)
		}
	}
	refs, err := exec.Command("git", "-C", dir, "for-each-ref", "--format=%(objectname) %(refname)").Output()
	if err != nil {
		t.Fatalf("git for-each-ref: %v", err)
	}
	if strings.Contains(string(refs), ids[0]) {
		t.Errorf("at %q, a ref names the refused commit %s:\n%s", step, ids[0], refs)
	}
}

// auditSteps are the steps at which a refused fetch is looked into: the
// fetch is done, the audit reads the objects.
var auditSteps = []string{"fetch: objects fetched", "read: objects preloaded"}

// TestRefusedFetchNeverInObjects: through git and through go-git, what a
// refused sync or clone fetched is never among the repository's objects, nor named by any
// of its refs — not after the refusal only, but at every step between: a
// stock git looking at the repository during the audit does not find it.
func TestRefusedFetchNeverInObjects(t *testing.T) {
	for _, transport := range []string{"git", "go-git"} {
		t.Run(transport, func(t *testing.T) { testRefusedFetchNeverInObjects(t, transport) })
	}
}

// transportWorld is gitWorld, with its syncs and clones through go-git
// for transport "go-git".
func transportWorld(t *testing.T, transport string) *world {
	t.Helper()
	r := gitWorld(t)
	if transport == "go-git" {
		r.env.Git = ""
	}
	return r
}

func testRefusedFetchNeverInObjects(t *testing.T, transport string) {
	t.Run("sync", func(t *testing.T) {
		r := transportWorld(t, transport)
		c := r.clone(t, r.dir)
		ids := remoteOnly(t, r)
		seen := map[string]bool{}
		c.env.StepHook = func(step string) {
			seen[step] = true
			notInRepository(t, c.dir, step, ids)
		}
		_, err := c.sync("")
		var rr *RemoteRejectedError
		if !errors.As(err, &rr) {
			t.Fatalf("sync: %v, want a RemoteRejectedError", err)
		}
		for _, s := range auditSteps {
			if !seen[s] {
				t.Errorf("step %q never came: seen %v", s, seen)
			}
		}
		notInRepository(t, c.dir, "after the refusal", ids)
		if stray := strayFiles(t, c.dir); len(stray) > 0 {
			t.Errorf("left behind: %v", stray)
		}
		c.env.StepHook = nil
		c.mustVerify()
	})
	t.Run("clone", func(t *testing.T) {
		r := transportWorld(t, transport)
		ids := remoteOnly(t, r)
		dir := filepath.Join(t.TempDir(), "clone")
		env := r.env
		seen := map[string]bool{}
		env.StepHook = func(step string) {
			seen[step] = true
			notInRepository(t, dir, step, ids)
		}
		_, err := Clone(context.Background(), r.dir, dir, env)
		var rr *RemoteRejectedError
		if !errors.As(err, &rr) {
			t.Fatalf("clone: %v, want a RemoteRejectedError", err)
		}
		if strings.Contains(err.Error(), "removing what the refused fetch brought") {
			t.Errorf("the refusal failed to clean up: %v", err)
		}
		for _, s := range auditSteps {
			if !seen[s] {
				t.Errorf("step %q never came: seen %v", s, seen)
			}
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the refused clone left %s: %v", dir, err)
		}
	})
}

// TestRefusedSyncConcurrentGit: a stock git push (or fetch) into the
// ledger's repository of the very objects a sync is refusing, made while
// the sync audits them, keeps them: git's ref then names complete objects
// (git fsck is clean), and the ledger still verifies.
func TestRefusedSyncConcurrentGit(t *testing.T) {
	for _, tc := range []struct{ transport, how string }{{"git", "push"}, {"git", "fetch"}, {"go-git", "push"}} {
		how := tc.how
		t.Run(tc.transport+"/"+how, func(t *testing.T) {
			r := transportWorld(t, tc.transport)
			c := r.clone(t, r.dir)
			ids := remoteOnly(t, r)
			done := false
			c.env.StepHook = func(step string) {
				if step != "read: objects preloaded" || done {
					return
				}
				done = true
				if how == "push" {
					runGit(t, r.dir, "push", "-q", c.dir, ids[0]+":refs/heads/colleague")
				} else {
					runGit(t, c.dir, "fetch", "-q", "--no-write-fetch-head", r.dir, "+refs/heads/main:refs/heads/colleague")
				}
			}
			_, err := c.sync("")
			var rr *RemoteRejectedError
			if !errors.As(err, &rr) {
				t.Fatalf("sync: %v, want a RemoteRejectedError", err)
			}
			if !done {
				t.Fatalf("the audit never started")
			}
			if got := runGit(t, c.dir, "rev-parse", "refs/heads/colleague"); got != ids[0] {
				t.Fatalf("git's ref at %s, want %s", got, ids[0])
			}
			for _, id := range ids {
				runGit(t, c.dir, "cat-file", "-e", id)
			}
			runGit(t, c.dir, "fsck", "--no-progress", "--no-dangling", "--strict")
			runGit(t, c.dir, "update-ref", "-d", "refs/heads/colleague") // an extra branch, which verify reports
			c.env.StepHook = nil
			c.mustVerify()
		})
	}
}

// TestAcceptedFetchKept: an accepted sync (through git, through go-git)
// leaves the fetched
// objects among the repository's, no quarantine behind, and a repository
// stock git finds whole.
func TestAcceptedFetchKept(t *testing.T) {
	for _, transport := range []string{"git", "go-git"} {
		t.Run(transport, func(t *testing.T) { testAcceptedFetchKept(t, transport) })
	}
}

func testAcceptedFetchKept(t *testing.T, transport string) {
	r := transportWorld(t, transport)
	c := r.clone(t, r.dir)
	r.sign("pact", "a")
	head := r.head()
	kept := false
	c.env.StepHook = func(step string) {
		if step == "fetch: objects kept" {
			kept = true
		}
	}
	if res := c.mustSync(""); res.Fetched != 1 || res.Head != head {
		t.Fatalf("sync: %+v", res)
	}
	if !kept {
		t.Errorf("the fetch was not kept through the quarantine")
	}
	if id, _ := c.open().repo.Ref(incomingRef); id != head {
		t.Errorf("%s at %q, want %s", incomingRef, id, head)
	}
	runGit(t, c.dir, "fsck", "--no-progress", "--no-dangling")
	if q, _ := filepath.Glob(filepath.Join(c.dir, ".concord-incoming-*")); len(q) > 0 {
		t.Errorf("quarantines left: %v", q)
	}
	if stray := strayFiles(t, c.dir); len(stray) > 0 {
		t.Errorf("left behind: %v", stray)
	}
}

// TestQuarantineCrashHelper is run by TestQuarantineCrash in a subprocess:
// a sync through git that kills itself with SIGKILL at the named step.
func TestQuarantineCrashHelper(t *testing.T) {
	dir := os.Getenv("CONCORD_QCRASH_DIR")
	if dir == "" {
		t.Skip("run by TestQuarantineCrash in a subprocess")
	}
	step := os.Getenv("CONCORD_QCRASH_STEP")
	env := testEnv()
	env.Git = os.Getenv("CONCORD_QCRASH_GIT")
	env.StepHook = func(s string) {
		if s == step {
			killSelf()
		}
	}
	w := &world{t: t, dir: dir, env: env}
	w.mustSync("")
}

// TestQuarantineCrash kills a sync through git as its fetch is held in
// the quarantine, as the audit reads it, and once its objects were kept
// (before the branch moved): each time the ledger still verifies at its
// old head, and the next sync completes and leaves no quarantine behind.
func TestQuarantineCrash(t *testing.T) {
	for _, step := range []string{"fetch: objects fetched", "read: objects preloaded", "fetch: objects kept"} {
		t.Run(step, func(t *testing.T) {
			r := gitWorld(t)
			c := r.clone(t, r.dir)
			r.sign("pact", "a")
			before := c.head()
			cmd := exec.Command(os.Args[0], "-test.run=^TestQuarantineCrashHelper$")
			cmd.Env = append(os.Environ(), "CONCORD_QCRASH_DIR="+c.dir, "CONCORD_QCRASH_STEP="+step, "CONCORD_QCRASH_GIT="+r.env.Git)
			out, err := cmd.CombinedOutput()
			if !killedBySelf(err) {
				t.Fatalf("the process was not killed at %q: %v\n%s", step, err, out)
			}
			if c.head() != before {
				t.Fatalf("the head moved")
			}
			c.mustVerify()
			if res := c.mustSync(""); res.Fetched != 1 || res.Head != r.head() {
				t.Fatalf("sync after the crash: %+v", res)
			}
			if q, _ := filepath.Glob(filepath.Join(c.dir, ".concord-incoming-*")); len(q) > 0 {
				t.Errorf("quarantines left: %v", q)
			}
			runGit(t, c.dir, "fsck", "--no-progress", "--no-dangling")
		})
	}
}
