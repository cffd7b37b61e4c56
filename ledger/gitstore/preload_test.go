package gitstore

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// gitRepo returns a new repository in a temporary folder that reads
// through the installed git (UseGit), closed when t ends, with its folder
// and the git program.
func gitRepo(t *testing.T) (g *Repo, dir, git string) {
	t.Helper()
	git = testtool.Require(t, "git")
	dir = t.TempDir()
	g, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	g.UseGit(git)
	return g, dir, git
}

// preloadedIDs returns what Preload holds, by id.
func preloadedIDs(g *Repo) map[plumbing.Hash]bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[plumbing.Hash]bool{}
	for h := range g.pre {
		out[h] = true
	}
	return out
}

// TestPreloadTrustsNothing: objects read through git are checked as
// objects read through go-git are. A file stored under another object's id
// (as an attacker with write access to the folder plants it; git itself
// serves it without complaint) is refused as corrupt, an object of another
// type than the one asked for is refused, and a good one reads the same;
// each was served by Preload, not by go-git.
func TestPreloadTrustsNothing(t *testing.T) {
	g, dir, _ := gitRepo(t)
	content := []byte("The text.\n")
	good := plumbing.ComputeHash(plumbing.BlobObject, content)
	plantLoose(t, dir, good, "blob 10", content)
	swapped := plumbing.NewHash(strings.Repeat("2", 40))
	plantLoose(t, dir, swapped, "blob 10", content)
	tree := plumbing.ComputeHash(plumbing.TreeObject, nil)
	plantLoose(t, dir, tree, "tree 0", nil)

	g.Preload(context.Background(), PreloadBudget)
	if got := preloadedIDs(g); !got[good] || !got[swapped] || !got[tree] {
		t.Fatalf("preloaded %v, want all three planted objects", got)
	}
	if raw, err := g.blob(good); err != nil || !bytes.Equal(raw, content) {
		t.Fatalf("good blob: %q, %v", raw, err)
	}
	var ce *CorruptError
	if _, err := g.blob(swapped); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "hashes to "+good.String()) {
		t.Fatalf("content under another id: %v", err)
	}
	if _, err := g.blob(tree); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "is a tree, not a blob") {
		t.Fatalf("a tree read as a blob: %v", err)
	}
	if left := preloadedIDs(g); len(left) != 0 {
		t.Errorf("reads left %v preloaded", left)
	}
}

// TestPreloadBounds: Preload keeps no more than its budget, and stops at
// an object over MaxObjectSize without reading it; the reads that follow
// still refuse that object, through go-git, before inflating it.
func TestPreloadBounds(t *testing.T) {
	g, dir, _ := gitRepo(t)
	var ids []plumbing.Hash
	for i := range 10 {
		c := bytes.Repeat([]byte{byte('a' + i)}, 100)
		h := plumbing.ComputeHash(plumbing.BlobObject, c)
		plantLoose(t, dir, h, "blob 100", c)
		ids = append(ids, h)
	}
	budget := int64(3*(100+preloadOverhead) + 50)
	g.Preload(context.Background(), budget)
	if n := len(preloadedIDs(g)); n != 3 {
		t.Fatalf("a budget of %d bytes preloaded %d objects of 100 (and %d of overhead each), want 3", budget, n, preloadOverhead)
	}
	g.dropPreloaded()

	big := make([]byte, MaxObjectSize+1)
	bigID := plumbing.ComputeHash(plumbing.BlobObject, big)
	plantLoose(t, dir, bigID, "blob "+strconv.Itoa(len(big)), big)
	g.Preload(context.Background(), PreloadBudget)
	if preloadedIDs(g)[bigID] {
		t.Fatal("an object over MaxObjectSize was preloaded")
	}
	var ce *CorruptError
	if _, err := g.blob(bigID); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "more than") {
		t.Fatalf("the big blob: %v", err)
	}
	for _, h := range ids {
		if _, err := g.blob(h); err != nil {
			t.Fatalf("blob %s: %v", h, err)
		}
	}
}
