//go:build unix

package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverlayFormsGitReadsAsNone: what stock git reads as no overlay is
// none. A HEAD that is a symbolic link to refs/heads/main (what git writes
// with core.preferSymlinkRefs) was read through the link as a detached
// HEAD, a HEAD of "ref:" and a tab (git skips white space there) as
// another HEAD, and an info/grafts holding only comments and blank lines
// (git skips them) as grafts: each made verify exit 3, "tampered", on a ledger
// stock git shows as it is. A graft line after the comments, and a HEAD
// linked to another branch, are still reported.
func TestOverlayFormsGitReadsAsNone(t *testing.T) {
	r := gitWorld(t)
	r.sign("pact", "a")
	head := filepath.Join(r.dir, "HEAD")
	runGit(t, r.dir, "-c", "core.preferSymlinkRefs=true", "symbolic-ref", "HEAD", "refs/heads/main")
	if fi, err := os.Lstat(head); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("git wrote no symbolic link: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(r.dir, "info"), 0o755); err != nil {
		t.Fatal(err)
	}
	grafts := filepath.Join(r.dir, "info", "grafts")
	if err := os.WriteFile(grafts, []byte("# grafts: none\n\n# (kept for old tools)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := runGit(t, r.dir, "-c", "advice.graftFileDeprecated=false", "rev-list", "--count", "HEAD"); n != fmt.Sprint(r.entries()) {
		t.Fatalf("stock git shows %s commits", n)
	}
	if rep := r.mustVerify(); len(rep.Notes) != 0 {
		t.Errorf("notes: %q", rep.Notes)
	}

	// HEAD as git also reads it: any white space after "ref:".
	os.Remove(head)
	if err := os.WriteFile(head, []byte("ref:\trefs/heads/main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := runGit(t, r.dir, "symbolic-ref", "HEAD"); got != "refs/heads/main" {
		t.Fatalf("stock git reads HEAD as %q", got)
	}
	r.mustVerify()

	parent := runGit(t, r.dir, "rev-parse", "main~1")
	if err := os.WriteFile(grafts, []byte("# grafts\n"+parent+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep := r.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), "grafts") {
		t.Errorf("a graft after comments is not reported:\n%s", fmtProblems(rep))
	}
	os.Remove(grafts)
	runGit(t, r.dir, "branch", "other", "main~1")
	os.Remove(head)
	if err := os.Symlink("refs/heads/other", head); err != nil {
		t.Fatal(err)
	}
	if rep := r.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), "HEAD") {
		t.Errorf("a HEAD linked to another branch is not reported:\n%s", fmtProblems(rep))
	}
}
