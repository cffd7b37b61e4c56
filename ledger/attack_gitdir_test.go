package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLedgerBehindGitFile: stock git reads a repository through a .git
// file ("gitdir: PATH", as git init --separate-git-dir and submodules
// write it) and through a worktree made by git worktree add (a .git file
// naming worktrees/NAME, whose commondir is the repository). concord read
// the first as a ledger whose HEAD "cannot be read" (exit 3, "tampered")
// and the second as "not a concord ledger: the repository has no
// entries". Both verify as the repository they lead to, and an entry
// written through them lands on its branch.
func TestLedgerBehindGitFile(t *testing.T) {
	r := gitWorld(t)
	tmp := t.TempDir()
	abs := filepath.Join(tmp, "abs")
	rel := filepath.Join(tmp, "rel")
	for dir, target := range map[string]string{abs: r.dir, rel: mustRel(t, rel, r.dir)} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".git"), []byte("gitdir: "+target+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wt := filepath.Join(tmp, "worktree")
	runGit(t, r.dir, "worktree", "add", "-q", wt, "main")
	for name, dir := range map[string]string{"gitdir absolute": abs, "gitdir relative": rel, "worktree": wt} {
		t.Run(name, func(t *testing.T) {
			if got, want := runGit(t, dir, "rev-parse", "main"), r.head(); got != want {
				t.Fatalf("stock git reads %s, want %s", got, want)
			}
			for _, git := range []string{r.env.Git, ""} {
				rep, err := Verify(dir, VerifyOptions{Git: git})
				if err != nil || !rep.OK() {
					t.Fatalf("verify (git %q): %v\n%s", git, err, fmtReport(rep))
				}
			}
		})
	}
	before := r.entries()
	c := &world{t: t, dir: wt, env: r.env, people: r.people}
	c.sign("pact", "a")
	if r.entries() != before+1 {
		t.Fatalf("an entry written through the worktree is not on the repository's branch: %d entries, want %d", r.entries(), before+1)
	}
	r.mustVerify()
}

func mustRel(t *testing.T, from, to string) string {
	t.Helper()
	p, err := filepath.Rel(from, to)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
