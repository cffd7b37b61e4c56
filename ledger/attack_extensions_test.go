package ledger

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadsRepositoryExtensionsGitSets: stock git sets repository
// extensions that change nothing concord reads: git sparse-checkout in a
// checkout of the ledger sets extensions.worktreeConfig (per-worktree
// config), and a keeper who wants no object ever deleted sets
// extensions.preciousObjects. concord refused both ledgers ("not a
// concord ledger: core.repositoryformatversion does not support
// extension: worktreeconfig", exit 1) while git reads them. They verify,
// take entries, and keep their extensions; sha256 and reftable are still
// refused.
func TestReadsRepositoryExtensionsGitSets(t *testing.T) {
	r := gitWorld(t)
	tmp := t.TempDir()
	sparse := filepath.Join(tmp, "sparse")
	runGit(t, tmp, "clone", "-q", r.dir, sparse)
	runGit(t, sparse, "sparse-checkout", "set", "documents")
	precious := filepath.Join(tmp, "precious.git")
	runGit(t, tmp, "clone", "-q", "--bare", r.dir, precious)
	runGit(t, precious, "config", "extensions.preciousObjects", "true")
	precious1 := filepath.Join(tmp, "precious1.git")
	runGit(t, tmp, "clone", "-q", "--bare", r.dir, precious1)
	runGit(t, precious1, "config", "core.repositoryformatversion", "1")
	runGit(t, precious1, "config", "extensions.preciousObjects", "true")
	for name, dir := range map[string]string{"sparse-checkout": sparse, "preciousObjects": precious, "preciousObjects v1": precious1} {
		t.Run(name, func(t *testing.T) {
			exts := runGit(t, dir, "config", "--get-regexp", "^extensions\\.")
			for _, git := range []string{r.env.Git, ""} {
				rep, err := Verify(dir, VerifyOptions{Git: git})
				if err != nil || !rep.OK() {
					t.Fatalf("verify (git %q): %v\n%s", git, err, fmtReport(rep))
				}
			}
			c := &world{t: t, dir: dir, env: r.env, people: r.people}
			before := c.entries()
			c.sign("pact", "a")
			if c.entries() != before+1 {
				t.Fatalf("no entry written")
			}
			c.mustVerify()
			if got := runGit(t, dir, "config", "--get-regexp", "^extensions\\."); got != exts || !strings.Contains(strings.ToLower(got), "extensions.") {
				t.Errorf("extensions were %q, now %q", exts, got)
			}
		})
	}
}

// TestRecordingTheRemoteKeepsTheConfig: a sync with --remote on a ledger
// that records no remote records it — and rewrote the whole config file
// through go-git to do so, dropping what go-git does not keep: comments,
// and the extensions it cannot read (preciousObjects, hidden from it), so
// that a keeper's "no object may be deleted" was silently lifted. With
// git at hand the remote is recorded with git config, which changes
// nothing else.
func TestRecordingTheRemoteKeepsTheConfig(t *testing.T) {
	r := gitWorld(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "keeper.git")
	runGit(t, tmp, "clone", "-q", "--bare", r.dir, dir)
	runGit(t, dir, "remote", "remove", "origin")
	runGit(t, dir, "config", "extensions.preciousObjects", "true")
	cfg := filepath.Join(dir, "config")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append([]byte("# kept by the archive: do not prune\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &world{t: t, dir: dir, env: r.env, people: r.people}
	if _, err := Sync(t.Context(), dir, r.env, SyncOptions{Remote: r.dir}); err != nil {
		t.Fatalf("sync --remote: %v", err)
	}
	c.mustVerify()
	after, _ := os.ReadFile(cfg)
	for _, want := range []string{"# kept by the archive", "preciousObjects", r.dir} {
		if !strings.Contains(string(after), want) {
			t.Errorf("the config lost %q:\n%s", want, after)
		}
	}
}
