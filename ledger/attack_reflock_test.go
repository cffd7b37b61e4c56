package ledger

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/signing"
)

// TestVerifyIgnoresRefLocks: a ref's lock file (NAME.lock, git's lock
// protocol) is no ref: stock git never lists one. A lock left by a git or
// concord killed while it moved a ref — empty, or already holding the new
// id — made verify exit 3 ("git overlay: the refs cannot be listed: ref
// file is empty") or list "refs/heads/main.lock" as a ref beside the
// branch. Verify reads the ledger as git does, and a writer still refuses
// the held branch lock.
func TestVerifyIgnoresRefLocks(t *testing.T) {
	r := gitWorld(t)
	for name, content := range map[string]string{"empty": "", "holding an id": r.head() + "\n"} {
		t.Run(name, func(t *testing.T) {
			locks := []string{
				filepath.Join(r.dir, "refs", "heads", "main.lock"),
				filepath.Join(r.dir, "refs", "tags", "v1.lock"),
				filepath.Join(r.dir, "packed-refs.lock"),
			}
			for _, l := range locks {
				if err := os.MkdirAll(filepath.Dir(l), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(l, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			defer func() {
				for _, l := range locks {
					os.Remove(l)
				}
			}()
			if out := runGit(t, r.dir, "for-each-ref"); strings.Contains(out, ".lock") {
				t.Fatalf("stock git lists a lock: %s", out)
			}
			for _, git := range []string{r.env.Git, ""} {
				rep, err := Verify(r.dir, VerifyOptions{Git: git})
				if err != nil || !rep.OK() {
					t.Fatalf("verify (git %q): %v\n%s", git, err, fmtReport(rep))
				}
				if notes := strings.Join(rep.Notes, "\n"); strings.Contains(notes, ".lock") {
					t.Errorf("verify lists a lock as a ref: %s", notes)
				}
			}
			if _, err := r.decide("pact", 0, "a", signing.Approve); err == nil || !strings.Contains(err.Error(), "main.lock") {
				t.Errorf("a write with the branch locked: %v", err)
			}
		})
	}
}
