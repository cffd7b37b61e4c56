package ledger

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// TestTamperCommitEncodingHeader: a commit with an encoding header, whose
// signature covers it and verifies, and which go-git writes back byte for
// byte, is still not in the form concord writes: stock git shows its
// message re-encoded, concord would show the bytes. verify refuses it.
func TestTamperCommitEncodingHeader(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "a", signing.Approve, w.people["a"].signer, nil)
	f := w.forger()
	parent := f.head()
	all := f.files(parent)
	for k, v := range files {
		all[k] = v
	}
	when := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	c := &object.Commit{
		Author:       object.Signature{Name: "a", Email: "a", When: when},
		Committer:    object.Signature{Name: "a", Email: "a", When: when},
		Message:      "Approve pact v1 (a)\n\nConcord-Entry: " + strconv.Itoa(p) + "\nConcord-Kind: " + rules.KindDecision + "\n",
		TreeHash:     f.writeTree(all),
		ParentHashes: []plumbing.Hash{parent},
		Encoding:     "ISO-8859-1",
	}
	payload := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(payload); err != nil {
		t.Fatal(err)
	}
	r, _ := payload.Reader()
	raw, _ := io.ReadAll(r)
	sig, err := signing.Sign(w.people["a"].signer, signing.GitNamespace, raw)
	if err != nil {
		t.Fatal(err)
	}
	c.PGPSignature = string(sig)
	obj := f.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := f.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	f.setHead(h)
	rep := w.verify(VerifyOptions{})
	wantProblem(t, rep, `commit is not in the form concord writes: an extra header "encoding"`)
	if len(rep.Problems) != 1 {
		t.Fatalf("problems %v: the signature and the rules hold, only the form is wrong", rep.Problems)
	}
}
