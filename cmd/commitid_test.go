package cmd

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestSinceAmbiguous: a --since prefix that two commits start with is a
// usage error naming both, and asks for more digits.
func TestSinceAmbiguous(t *testing.T) {
	dir := t.TempDir()
	g, err := gitstore.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	write := func(msg string) string {
		id, err := g.WriteCommit(gitstore.NewCommit{Files: map[string][]byte{"f": []byte("x")}, Message: msg, Name: "n", Email: "e", When: when})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	c, err := g.ReadCommit(write("first\n"))
	if err != nil {
		t.Fatal(err)
	}
	// two messages whose commits share 7 hex digits (a birthday search)
	seen := map[string]string{}
	var a, b string
	for i := 0; a == ""; i++ {
		msg := fmt.Sprintf("m%d\n", i)
		sig := object.Signature{Name: "n", Email: "e", When: when}
		o := &plumbing.MemoryObject{}
		(&object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: plumbing.NewHash(c.Tree)}).Encode(o)
		p := o.Hash().String()[:7]
		if other, ok := seen[p]; ok {
			a, b = write(other), write(msg)
		}
		seen[p] = msg
	}
	g.Close()
	r := newHarness(t).run(runOpts{}, "verify", "--ledger", dir, "--since", a[:7])
	if r.code != ExitUsage {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitUsage, r.stderr)
	}
	want := regexp.MustCompile(`^concord: --since: ` + a[:7] + ` is ambiguous: 2 commits start with it \((` + a + `, ` + b + `|` + b + `, ` + a + `)\); give more digits\n`)
	if !want.MatchString(r.stderr) {
		t.Errorf("stderr:\n%s\nwant to match %s", r.stderr, want)
	}
}
