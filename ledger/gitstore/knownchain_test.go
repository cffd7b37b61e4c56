package gitstore_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestFirstParentIDsStopsAtKnownChain: a walk stops where it meets the
// history the Repo walked last or was given, and reads nothing below it:
// with a commit below deleted, such a walk still succeeds (and gives the
// whole history), where a Repo that knows nothing finds the hole. A chain
// given with an id twice, or not in hex, is ignored.
func TestFirstParentIDsStopsAtKnownChain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	g, err := gitstore.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	old := appendN(t, g, "", 10, "a")
	below, err := g.FirstParentIDs(old)
	if err != nil || len(below) != 10 {
		t.Fatalf("%d commits: %v", len(below), err)
	}
	head := appendN(t, g, old, 5, "b")
	want, err := g.FirstParentIDs(head)
	if err != nil || len(want) != 15 || !slices.Equal(want[:10], below) {
		t.Fatalf("%d commits: %v", len(want), err)
	}
	open := func() *gitstore.Repo {
		t.Helper()
		r, err := gitstore.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	walked := open() // walks the old history while it is whole
	if _, err := walked.FirstParentIDs(old); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(objectPath(dir, below[3])); err != nil {
		t.Fatal(err)
	}

	given := open()
	given.KnowChain(below)
	for name, r := range map[string]*gitstore.Repo{"walked": walked, "given": given} {
		got, err := r.FirstParentIDs(head)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %d commits, %v; want the %d of the history", name, len(got), err, len(want))
		}
	}
	for name, chain := range map[string][]string{
		"nothing":     nil,
		"an id twice": append(slices.Clone(below), below[0]),
		"not hex":     append(slices.Clone(below[:9]), "HEAD"),
	} {
		r := open()
		r.KnowChain(chain)
		if got, err := r.FirstParentIDs(head); err == nil {
			t.Errorf("knowing %s: the walk read %d commits past a missing one", name, len(got))
		}
	}
}
