package ledger

import (
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestReadAfterPackReplaced: a stock git repack (git gc, git maintenance)
// replaces a pack between the moment go-git listed it and the moment a
// read opens it. The read failed with go-git's "packfile not found"
// (verify: "reading entry 19: packfile not found", exit 1, found running
// verify in a loop beside git gc and git repack -a -d); a missing object
// is looked up again after the packs are listed anew, and so must this.
func TestReadAfterPackReplaced(t *testing.T) {
	r := gitWorld(t)
	r.sign("pact", "a")
	runGit(t, r.dir, "repack", "-q", "-a", "-d")
	repo, err := gitstore.Open(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	// A read of a missing object lists the packs and loads their indexes,
	// opening no pack.
	if _, err := repo.ReadCommit(strings.Repeat("f", 40)); err == nil {
		t.Fatal("a missing commit was read")
	}
	// git packs a new object with the others into a new pack and removes
	// the old one.
	blob := runGit(t, r.dir, "hash-object", "-w", "--stdin")
	runGit(t, r.dir, "update-ref", "refs/tags/extra", blob)
	before := runGit(t, r.dir, "count-objects", "-v")
	runGit(t, r.dir, "repack", "-q", "-a", "-d")
	if after := runGit(t, r.dir, "count-objects", "-v"); after == before {
		t.Fatal("git did not repack")
	}
	if _, err := repo.ReadCommit(r.head()); err != nil {
		t.Fatalf("reading the head after git replaced its pack: %v", err)
	}
}
