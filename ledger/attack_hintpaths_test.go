package ledger

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/shellword"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestLibraryHintsQuotePaths: the git command lines the library's hints
// print put the ledger's folder or the remote's address in as it was: a
// ledger at '/srv/my ledger' gave 'git -C /srv/my ledger update-ref -d
// …' (git -C /srv/my, then a command 'ledger'), and one with '$(…)' in
// its name ran that when pasted. Each is one shell word (shellword.Quote).
func TestLibraryHintsQuotePaths(t *testing.T) {
	r := gitWorld(t)
	r.sign("pact", "a")
	r.sign("pact", "b")
	shallow := filepath.Join(t.TempDir(), "my $(id) ledger")
	runGit(t, r.dir, "clone", "-q", "--bare", "--depth", "2", "file://"+r.dir, shallow)
	repo, err := gitstore.Open(shallow)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	var ie *gitstore.IncompleteError
	if err := repo.Complete(); !errors.As(err, &ie) {
		t.Fatalf("a shallow clone: %v", err)
	} else if h := ie.Hint(); !strings.Contains(h, "git -C "+shellword.Quote(shallow)+" fetch --unshallow") {
		t.Errorf("shallow hint: %s", h)
	}
	for _, dir := range []string{"/srv/my ledger", "/srv/$(id)", "/srv/a!b"} {
		q := shellword.Quote(dir)
		if h := (&SyncedRefMissingError{Dir: dir, ID: strings.Repeat("a", 40)}).Hint(); !strings.Contains(h, "git -C "+q+" update-ref") {
			t.Errorf("synced ref hint: %s", h)
		}
		re := &RemoteError{URL: "ssh://host" + dir, Op: "fetching", Err: &gitstore.NetError{Kind: gitstore.NetAuthRefused, Detail: "refused"}}
		if h := re.Hint(); !strings.Contains(h, "git ls-remote "+shellword.Quote("ssh://host"+dir)+"'") {
			t.Errorf("refused login hint: %s", h)
		}
	}
}
