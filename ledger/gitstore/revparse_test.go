package gitstore_test

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

var when = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// commitID is the id WriteCommit gives a parentless commit of tree with
// message msg, computed without writing it.
func commitID(tree plumbing.Hash, msg string) string {
	sig := object.Signature{Name: "n", Email: "e", When: when}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree}
	o := &plumbing.MemoryObject{}
	c.Encode(o)
	return o.Hash().String()
}

// collidingMessages returns two messages whose commits' ids share their
// first 7 hex digits (a birthday search over about 2^14 ids).
func collidingMessages(t *testing.T, tree plumbing.Hash) (string, string) {
	t.Helper()
	seen := map[string]string{}
	for i := 0; i < 1<<20; i++ {
		msg := fmt.Sprintf("m%d\n", i)
		p := commitID(tree, msg)[:7]
		if other, ok := seen[p]; ok {
			return other, msg
		}
		seen[p] = msg
	}
	t.Fatal("no two ids share 7 hex digits")
	return "", ""
}

func TestResolveCommit(t *testing.T) {
	dir := t.TempDir()
	g, err := gitstore.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	write := func(msg string) string {
		t.Helper()
		id, err := g.WriteCommit(gitstore.NewCommit{Files: map[string][]byte{"a": []byte("x\n")}, Message: msg, Name: "n", Email: "e", When: when})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := write("first\n")
	c, err := g.ReadCommit(first)
	if err != nil {
		t.Fatal(err)
	}
	tree := plumbing.NewHash(c.Tree)
	m1, m2 := collidingMessages(t, tree)
	a, b := write(m1), write(m2)
	if a[:7] != b[:7] || a == b {
		t.Fatalf("the messages do not collide: %s %s", a, b)
	}
	// the longest common prefix of a and b
	common := 0
	for a[common] == b[common] {
		common++
	}

	ok := func(in, want string) {
		t.Helper()
		got, err := g.ResolveCommit(in)
		if err != nil || got != want {
			t.Errorf("ResolveCommit(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := func(in string, want gitstore.PrefixProblem, msg string) {
		t.Helper()
		got, err := g.ResolveCommit(in)
		var pe *gitstore.CommitPrefixError
		if !errors.As(err, &pe) || pe.Problem != want {
			t.Fatalf("ResolveCommit(%q) = %q, %v; want problem %d", in, got, err, want)
		}
		if !strings.Contains(err.Error(), msg) {
			t.Errorf("ResolveCommit(%q): %q does not say %q", in, err, msg)
		}
	}
	check := func(stage string) {
		t.Run(stage, func(t *testing.T) {
			ok(first, first)
			ok(strings.ToUpper(first), first)
			ok(first[:7], first)
			ok(first[:12], first)
			ok(first[:8], first) // an even prefix
			ok(first[:9], first) // an odd one
			ok(a[:common+1], a)
			ok(b[:common+1], b)
			ok(strings.ToUpper(a[:common+1]), a)
			// a full id is taken as given, present or not
			absent := strings.Repeat("0", 40)
			ok(absent, absent)

			bad(a[:7], gitstore.PrefixAmbiguous, "2 commits start with it ("+min(a, b)+", "+max(a, b)+")")
			bad(a[:common], gitstore.PrefixAmbiguous, "ambiguous")
			bad("0000000", gitstore.PrefixUnknown, "no commit in this repository starts with 0000000")
			bad(first[:6], gitstore.PrefixMalformed, "give 7 to 40 hex digits")
			bad(first+"0", gitstore.PrefixMalformed, "not a commit id")
			bad("xyzxyzx", gitstore.PrefixMalformed, "not a commit id")
			bad("", gitstore.PrefixMalformed, "not a commit id")
			// the tree is an object, not a commit: its prefix names nothing
			bad(tree.String()[:10], gitstore.PrefixUnknown, "no commit")
		})
	}
	check("loose objects")

	// the same after git packs the objects (found through the pack index)
	gitBin := testtool.Require(t, "git")
	if out, err := exec.Command(gitBin, "-C", dir, "update-ref", "refs/heads/x", a).CombinedOutput(); err != nil {
		t.Fatalf("git update-ref: %v\n%s", err, out)
	}
	if out, err := exec.Command(gitBin, "-C", dir, "update-ref", "refs/heads/y", b).CombinedOutput(); err != nil {
		t.Fatalf("git update-ref: %v\n%s", err, out)
	}
	if out, err := exec.Command(gitBin, "-C", dir, "update-ref", "refs/heads/main", first).CombinedOutput(); err != nil {
		t.Fatalf("git update-ref: %v\n%s", err, out)
	}
	if out, err := exec.Command(gitBin, "-C", dir, "repack", "-a", "-d").CombinedOutput(); err != nil {
		t.Fatalf("git repack: %v\n%s", err, out)
	}
	if out, _ := exec.Command(gitBin, "-C", dir, "count-objects", "-v").CombinedOutput(); !strings.Contains(string(out), "count: 0\n") {
		t.Fatalf("objects left loose after repack:\n%s", out)
	}
	g, err = gitstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	check("packed objects")
}
