package ledger

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestRemoteBranchLocked: a push to a remote whose branch's lock file is
// there (refs/heads/main.lock, left by a git killed on the server) was
// reported, after five attempts, as "remote … unreachable or failing
// while pushing: the remote's branch moved: !\trefs/heads/main:…\t[remote
// rejected] (failed to update ref)" — the branch had not moved, the tabs
// printed as <U+0009>, and the hint said to check the network. The
// failure says the branch is locked, with the server's words and the
// lock file, and a hint naming it; through git and go-git's fallback.
func TestRemoteBranchLocked(t *testing.T) {
	for _, transport := range []string{"git", "go-git"} {
		t.Run(transport, func(t *testing.T) {
			r := gitWorld(t)
			c := r.clone(t, r.dir)
			if transport == "go-git" {
				c.env.Git = ""
			}
			c.sign("pact", "a")
			lock := filepath.Join(r.dir, "refs", "heads", "main.lock")
			if err := os.WriteFile(lock, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			local, remote := c.state(), r.head()
			_, err := c.sync("")
			var re *RemoteError
			if !errors.As(err, &re) {
				t.Fatalf("sync: %v, want a RemoteError", err)
			}
			if k, _ := re.Kind(); k != gitstore.NetRemoteLocked {
				t.Fatalf("%v: kind %v", err, k)
			}
			msg := err.Error()
			if !strings.Contains(msg, "main.lock") || strings.Contains(msg, "moved") || strings.Contains(msg, "\t") {
				t.Errorf("message: %q", msg)
			}
			if !strings.Contains(re.Hint(), "refs/heads/main.lock") {
				t.Errorf("hint %q", re.Hint())
			}
			if c.state() != local || r.head() != remote {
				t.Errorf("a ledger changed")
			}
			os.Remove(lock)
			c.mustSync("")
		})
	}
}
