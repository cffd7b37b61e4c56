//go:build unix

package ledger

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestGitProgramMissing: with $CONCORD_GIT naming a program that is not
// there (a typo, git uninstalled after the setting was made), clone and
// sync said "remote … unreachable or failing …: git failed and said
// nothing" with a hint to check the network: the remote was never tried.
// The failure names the program that cannot be run, with a hint of its
// own, and leaves nothing behind.
func TestGitProgramMissing(t *testing.T) {
	r := gitWorld(t)
	c := r.clone(t, r.dir)
	missing := filepath.Join(t.TempDir(), "no-such-git")
	r.env.Git, c.env.Git = missing, missing
	errs := map[string]error{"clone": tryClone(t, r, r.dir)}
	_, errs["sync"] = c.sync("")
	for op, err := range errs {
		if k := netKind(t, err); k != gitstore.NetNoGit {
			t.Errorf("%s: %v: kind %v", op, err, k)
		}
		if !strings.Contains(err.Error(), missing) || strings.Contains(err.Error(), "said nothing") {
			t.Errorf("%s: message %q", op, err)
		}
		if h := (&RemoteError{Err: err}).Hint(); !strings.Contains(h, "CONCORD_GIT") {
			t.Errorf("%s: hint %q", op, h)
		}
	}
}
