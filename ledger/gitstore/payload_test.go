package gitstore

import (
	"bytes"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// FuzzSignedPayload holds signedPayload to go-git's EncodeWithoutSignature
// for every commit ReadCommit takes it for: in the exact form, written
// back by go-git as stored.
func FuzzSignedPayload(f *testing.F) {
	const tree = "tree 4b825dc642cb6eb9a060e54bf8d69288fbe4904b\n"
	const ident = "Ana <ana> 1767225600 +0000"
	const sig = "gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n"
	for _, s := range []string{
		tree + "author " + ident + "\ncommitter " + ident + "\n" + sig + "\nA message\n\nConcord-Entry: 1\nConcord-Kind: approve\n",
		tree + "parent 4b825dc642cb6eb9a060e54bf8d69288fbe4904b\nauthor " + ident + "\ncommitter " + ident + "\n" + sig + "\nm\n",
		tree + "author " + ident + "\ncommitter " + ident + "\n\nunsigned\n",
		tree + "author " + ident + "\ncommitter " + ident + "\n" + sig + "\n\ngpgsig in the message\n",
		tree + "author " + ident + "\ncommitter " + ident + "\ngpgsig x\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if CommitFormProblem(raw) != "" {
			return
		}
		obj := &plumbing.MemoryObject{}
		obj.SetType(plumbing.CommitObject)
		obj.Write(raw)
		var c object.Commit
		if err := c.Decode(obj); err != nil {
			return
		}
		again := &plumbing.MemoryObject{}
		if err := c.Encode(again); err != nil {
			return
		}
		if againRaw, _ := readAll(again); !bytes.Equal(againRaw, raw) || len(c.ExtraHeaders) > 0 {
			return
		}
		payload := &plumbing.MemoryObject{}
		if err := c.EncodeWithoutSignature(payload); err != nil {
			t.Fatal(err)
		}
		want, _ := readAll(payload)
		if got := signedPayload(raw); !bytes.Equal(got, want) {
			t.Fatalf("signedPayload(%q) = %q, go-git encodes %q", raw, got, want)
		}
	})
}
