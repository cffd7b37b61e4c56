package ledger

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteIntoCheckout: an entry written into a checkout of the ledger
// whose checked-out branch is main (a 'git clone' without --bare, or a
// 'git worktree add' of main) moved the branch under the checkout and
// left its index and files as they were: 'git status' then showed the new
// entry's files as staged deletions, which a 'git commit' would record.
// The checkout is brought forward as git's receive.denyCurrentBranch =
// updateInstead brings one forward on a push (read-tree -u -m OLD NEW);
// a change of the user's own there is kept.
func TestWriteIntoCheckout(t *testing.T) {
	r := gitWorld(t)
	tmp := t.TempDir()
	co := filepath.Join(tmp, "checkout")
	runGit(t, tmp, "clone", "-q", r.dir, co)
	wt := filepath.Join(tmp, "worktree")
	bare := filepath.Join(tmp, "bare.git")
	runGit(t, tmp, "clone", "-q", "--bare", r.dir, bare)
	runGit(t, bare, "worktree", "add", "-q", wt, "main")
	for name, dir := range map[string]string{"checkout": co, "worktree": wt} {
		t.Run(name, func(t *testing.T) {
			c := &world{t: t, dir: dir, env: r.env, people: r.people}
			c.sign("pact", "a")
			if st := runGit(t, dir, "status", "--porcelain"); st != "" {
				t.Fatalf("git status after a write:\n%s", st)
			}
			if got := runGit(t, dir, "ls-files"); !strings.Contains(got, "approvals") && !strings.Contains(got, "/a") {
				t.Logf("files: %s", got)
			}
			// A change of the user's own in the checkout is kept.
			readme := filepath.Join(dir, "notes.txt")
			if err := os.WriteFile(readme, []byte("mine\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			c.sign("pact", "b")
			if data, err := os.ReadFile(readme); err != nil || string(data) != "mine\n" {
				t.Errorf("the user's file: %q, %v", data, err)
			}
			if st := runGit(t, dir, "status", "--porcelain"); st != "?? notes.txt" {
				t.Errorf("git status after a second write:\n%s", st)
			}
			c.mustVerify()
		})
	}
	t.Run("sync", func(t *testing.T) {
		co := filepath.Join(t.TempDir(), "co")
		runGit(t, filepath.Dir(co), "clone", "-q", r.dir, co)
		w := &world{t: t, dir: co, env: r.env, people: r.people}
		r.propose("pact3", []string{"a"}, "all", "en", "Three.\n")
		if res := w.mustSync(""); res.Fetched == 0 {
			t.Fatalf("sync: %+v", res)
		}
		if st := runGit(t, co, "status", "--porcelain"); st != "" {
			t.Fatalf("git status after a sync:\n%s", st)
		}
	})
}
