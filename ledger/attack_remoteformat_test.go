//go:build unix

package ledger

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestRemoteInSHA256: a remote in git's sha256 object format, which
// concord does not read, was "unreachable or failing" ("mismatched
// algorithms: client sha1; server sha256") with a hint to check the
// network, through git and through go-git alike. It is said to be a
// format concord does not read, with a hint of its own.
func TestRemoteInSHA256(t *testing.T) {
	r := gitWorld(t)
	tmp := t.TempDir()
	remote := filepath.Join(tmp, "sha256.git")
	runGit(t, tmp, "init", "-q", "--bare", "--object-format=sha256", remote)
	work := filepath.Join(tmp, "work")
	runGit(t, tmp, "init", "-q", "--object-format=sha256", "-b", "main", work)
	runGit(t, work, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit", "-q", "--allow-empty", "-m", "x")
	runGit(t, work, "push", "-q", remote, "main")
	for _, git := range []string{r.env.Git, ""} {
		w := *r
		w.env.Git = git
		err := tryClone(t, &w, remote)
		if k := netKind(t, err); k != gitstore.NetUnsupported {
			t.Fatalf("git %q: %v: kind %v", git, err, k)
		}
		if h := (&RemoteError{Err: err}).Hint(); !strings.Contains(h, "sha1") {
			t.Errorf("hint %q", h)
		}
	}
}
