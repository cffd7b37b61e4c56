package ledger

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestVerifyAlternatesAsGitReadsThem: objects/info/alternates is read as
// git reads it (gitrepository-layout(5)): a relative path is relative to
// the objects folder, and lines starting with '#' are comments. A ledger
// whose objects come from such a file — written by hand, or by a tool
// that moved a clone --shared together with its source — is read by stock
// git in full and must verify, not be reported "tampered" (exit 3) with
// its objects "missing"; with git's preload and through go-git alone.
func TestVerifyAlternatesAsGitReadsThem(t *testing.T) {
	r := gitWorld(t)
	r.sign("pact", "a")
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src.git")
	runGit(t, tmp, "clone", "-q", "--bare", r.dir, src)
	runGit(t, src, "repack", "-q", "-a", "-d")
	for name, alternates := range map[string]string{
		"relative":         "../../src.git/objects\n",
		"comment":          "# the objects of the source\n" + filepath.Join(src, "objects") + "\n",
		"relative+comment": "# the source\n\n../../src.git/objects\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(tmp, name+".git")
			runGit(t, tmp, "clone", "-q", "--bare", "--shared", src, dir)
			if err := os.WriteFile(filepath.Join(dir, "objects", "info", "alternates"), []byte(alternates), 0o644); err != nil {
				t.Fatal(err)
			}
			if n := runGit(t, dir, "rev-list", "--count", "--objects", "main"); n == "" {
				t.Fatal("stock git does not read the copy")
			}
			for _, git := range []string{r.env.Git, ""} {
				rep, err := Verify(dir, VerifyOptions{Git: git})
				if err != nil || !rep.OK() {
					t.Fatalf("verify (git %q): %v\n%s", git, err, fmtReport(rep))
				}
			}
		})
	}
}

func fmtReport(rep *Report) string {
	if rep == nil {
		return "(no report)"
	}
	return fmtProblems(rep)
}

// TestVerifyChainedAlternates: a clone --shared of a clone --shared reads
// its objects through its alternate's own alternates, as git does (to
// five levels). concord read only the first level: exit 3, "missing"
// objects, on a copy stock git reads in full; and a folder gone at the
// second level is an incomplete copy, not tampering.
func TestVerifyChainedAlternates(t *testing.T) {
	r := gitWorld(t)
	r.sign("pact", "a")
	tmp := t.TempDir()
	a := filepath.Join(tmp, "a.git")
	runGit(t, tmp, "clone", "-q", "--bare", r.dir, a)
	runGit(t, a, "repack", "-q", "-a", "-d")
	b := filepath.Join(tmp, "b.git")
	runGit(t, tmp, "clone", "-q", "--bare", "--shared", a, b)
	c := filepath.Join(tmp, "c.git")
	runGit(t, tmp, "clone", "-q", "--bare", "--shared", b, c)
	// b's alternate relative, as a hand-made chain has it.
	if err := os.WriteFile(filepath.Join(b, "objects", "info", "alternates"), []byte("# a\n../../a.git/objects\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, c, "rev-list", "--objects", "main")
	for _, git := range []string{r.env.Git, ""} {
		rep, err := Verify(c, VerifyOptions{Git: git})
		if err != nil || !rep.OK() {
			t.Fatalf("verify (git %q): %v\n%s", git, err, fmtReport(rep))
		}
	}
	if err := os.RemoveAll(a); err != nil {
		t.Fatal(err)
	}
	var ie *gitstore.IncompleteError
	if _, err := Verify(c, VerifyOptions{}); !errors.As(err, &ie) {
		t.Fatalf("verify with the second alternate gone: %v, want an IncompleteError", err)
	}
}
