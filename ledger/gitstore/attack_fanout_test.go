package gitstore

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// Attacks on what Changes reads for one commit. A remote controls every
// object it serves; the audit reads each entry's files before any rule
// judges them (a first entry need not even be a genesis), so what Changes
// reads for one commit must be bounded by itself, not by the rules.

// plantTree plants a tree of the given entries (mode, name, id), which
// must be in git's order, and returns its id.
func plantTree(t *testing.T, dir string, entries [][3]string) plumbing.Hash {
	t.Helper()
	var b []byte
	for _, e := range entries {
		b = append(b, e[0]+" "+e[1]+"\x00"...)
		h := plumbing.NewHash(e[2])
		b = append(b, h[:]...)
	}
	id := plumbing.ComputeHash(plumbing.TreeObject, b)
	plantLoose(t, dir, id, fmt.Sprintf("tree %d", len(b)), b)
	return id
}

// plantCommit plants an unsigned commit of tree with no parent.
func plantCommit(t *testing.T, dir string, tree plumbing.Hash) string {
	t.Helper()
	c := []byte("tree " + tree.String() + "\nauthor a <a> 0 +0000\ncommitter a <a> 0 +0000\n\nentry\n\nConcord-Entry: 0\nConcord-Kind: genesis\n")
	id := plumbing.ComputeHash(plumbing.CommitObject, c)
	plantLoose(t, dir, id, fmt.Sprintf("commit %d", len(c)), c)
	return id.String()
}

// changedBytes is the content Changes handed out.
func changedBytes(cs []Change) (n int64, malformed string) {
	for _, c := range cs {
		n += int64(len(c.Data))
		if c.Malformed != "" {
			malformed = c.Malformed
		}
	}
	return n, malformed
}

// TestAttackChangesFanOutOneBlob: one blob named many times in a tree
// (a remote of a few hundred KB: one 30 MiB blob of zeros compresses to
// 30 KB) was read once per name, each read a new buffer, all kept in the
// returned changes: 24 names took 'concord clone' to 790 MB, 1,000 would
// take 30 GB. Changes stops at MaxChangeBytes and says so.
func TestAttackChangesFanOutOneBlob(t *testing.T) {
	dir := t.TempDir()
	g, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	blob := make([]byte, 4<<20)
	bid := plumbing.ComputeHash(plumbing.BlobObject, blob)
	plantLoose(t, dir, bid, fmt.Sprintf("blob %d", len(blob)), blob)
	n := int(2*MaxChangeBytes/int64(len(blob))) + 1
	var entries [][3]string
	for i := range n {
		entries = append(entries, [3]string{"100644", fmt.Sprintf("f%04d", i), bid.String()})
	}
	commit := plantCommit(t, dir, plantTree(t, dir, entries))
	cs, err := g.Changes("", commit)
	if err != nil {
		t.Fatal(err)
	}
	got, malformed := changedBytes(cs)
	if got > MaxChangeBytes+MaxObjectSize {
		t.Fatalf("Changes handed out %d bytes for one commit (one %d-byte blob named %d times), more than MaxChangeBytes %d", got, len(blob), n, MaxChangeBytes)
	}
	if !strings.Contains(malformed, "more than") {
		t.Fatalf("Changes cut the commit short without saying so (malformed %q)", malformed)
	}
}

// TestAttackChangesFanOutTrees: a tree naming one folder many times, that
// folder naming one folder many times, and so on: a few KB of trees make
// millions of paths (here 64^3 = 262,144, each a Change). Changes stops at
// MaxChangeFiles and says so.
func TestAttackChangesFanOutTrees(t *testing.T) {
	dir := t.TempDir()
	g, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	empty := plumbing.ComputeHash(plumbing.BlobObject, nil)
	plantLoose(t, dir, empty, "blob 0", nil)
	level := func(mode string, id plumbing.Hash) plumbing.Hash {
		var entries [][3]string
		for i := range 64 {
			entries = append(entries, [3]string{mode, fmt.Sprintf("d%02d", i), id.String()})
		}
		return plantTree(t, dir, entries)
	}
	top := level("40000", level("40000", level("100644", empty)))
	cs, err := g.Changes("", plantCommit(t, dir, top))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) > MaxChangeFiles+1 {
		t.Fatalf("Changes returned %d changes for one commit, more than MaxChangeFiles %d", len(cs), MaxChangeFiles)
	}
	if _, malformed := changedBytes(cs); !strings.Contains(malformed, "more than") {
		t.Fatalf("Changes cut the commit short without saying so (malformed %q)", malformed)
	}
}

// TestChangesOrdinaryCommitWithinBounds: an ordinary large commit (a
// version with 64 texts of 256 KB) is read whole.
func TestChangesOrdinaryCommitWithinBounds(t *testing.T) {
	dir := t.TempDir()
	g, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	var entries [][3]string
	for i := range 64 {
		text := []byte(strings.Repeat(fmt.Sprintf("text %d\n", i), 256<<10/8))
		id := plumbing.ComputeHash(plumbing.BlobObject, text)
		plantLoose(t, dir, id, fmt.Sprintf("blob %d", len(text)), text)
		entries = append(entries, [3]string{"100644", fmt.Sprintf("t%02d.txt", i), id.String()})
	}
	cs, err := g.Changes("", plantCommit(t, dir, plantTree(t, dir, entries)))
	if err != nil {
		t.Fatal(err)
	}
	if _, malformed := changedBytes(cs); len(cs) != 64 || malformed != "" {
		t.Fatalf("an ordinary commit: %d changes, malformed %q", len(cs), malformed)
	}
}
