package signing

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/mod/sumdb/note"
)

func noteTestKey(t *testing.T, seed string) (ed25519.PrivateKey, ssh.Signer) {
	t.Helper()
	s := sha256.Sum256([]byte(seed))
	priv := ed25519.NewKeyFromSeed(s[:])
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return priv, signer
}

// noteSkey is the note package's own private key form for priv, so notes
// signed through NoteSigner can be compared with notes signed by note itself.
func noteSkey(t *testing.T, name string, priv ed25519.PrivateKey) string {
	t.Helper()
	v, err := NoteVerifier(name, mustSSHPub(t, priv))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, v.KeyHash(),
		base64.StdEncoding.EncodeToString(append([]byte{1}, priv.Seed()...)))
}

func mustSSHPub(t *testing.T, priv ed25519.PrivateKey) ssh.PublicKey {
	t.Helper()
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestNoteSignerMatchesNotePackage(t *testing.T) {
	for _, tc := range []struct{ name, seed, text string }{
		{"xjtu", "one", "concord checkpoint v1\nledger ab\nentries 3\nhead cd\n"},
		{"kaznu-rector", "two", "hello\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			priv, signer := noteTestKey(t, tc.seed)
			ours, err := NoteSigner(tc.name, signer)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := note.NewSigner(noteSkey(t, tc.name, priv))
			if err != nil {
				t.Fatal(err)
			}
			if ours.KeyHash() != theirs.KeyHash() || ours.Name() != theirs.Name() {
				t.Fatalf("name/hash %s/%08x, note computes %s/%08x", ours.Name(), ours.KeyHash(), theirs.Name(), theirs.KeyHash())
			}
			a, err := note.Sign(&note.Note{Text: tc.text}, ours)
			if err != nil {
				t.Fatal(err)
			}
			b, err := note.Sign(&note.Note{Text: tc.text}, theirs)
			if err != nil {
				t.Fatal(err)
			}
			if string(a) != string(b) {
				t.Fatalf("notes differ:\n%s\n%s", a, b)
			}
			v, err := NoteVerifier(tc.name, signer.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			n, err := note.Open(a, note.VerifierList(v))
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			if n.Text != tc.text || len(n.Sigs) != 1 || n.Sigs[0].Name != tc.name {
				t.Fatalf("opened %+v", n)
			}
		})
	}
}

func TestNoteVerifierRejects(t *testing.T) {
	_, signer := noteTestKey(t, "one")
	_, other := noteTestKey(t, "two")
	ns, err := NoteSigner("xjtu", signer)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: "text\n"}, ns)
	if err != nil {
		t.Fatal(err)
	}
	otherV, _ := NoteVerifier("xjtu", other.PublicKey())
	rightV, _ := NoteVerifier("xjtu", signer.PublicKey())
	renamedV, _ := NoteVerifier("kaznu", signer.PublicKey())
	tampered := strings.Replace(string(msg), "text", "test", 1)
	for _, tc := range []struct {
		name string
		msg  []byte
		v    note.Verifier
	}{
		{"other key", msg, otherV},
		{"other name", msg, renamedV},
		{"tampered text", []byte(tampered), rightV},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := note.Open(tc.msg, note.VerifierList(tc.v)); err == nil {
				t.Fatal("note opened")
			}
		})
	}
}

type badSigner struct {
	ssh.Signer
	mutate func(*ssh.Signature)
}

func (b badSigner) Sign(r io.Reader, data []byte) (*ssh.Signature, error) {
	s, err := b.Signer.Sign(r, data)
	if err == nil {
		b.mutate(s)
	}
	return s, err
}

func TestNoteSignerRefuses(t *testing.T) {
	_, signer := noteTestKey(t, "one")
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), strings.NewReader(strings.Repeat("x", 200)))
	ecSigner, err := ssh.NewSignerFromKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NoteSigner("xjtu", ecSigner); !errors.Is(err, ErrUnsupported) && !strings.Contains(fmt.Sprint(err), "ed25519") {
		t.Errorf("ecdsa signer: %v", err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*ssh.Signature)
		want   string
	}{
		{"flipped bit", func(s *ssh.Signature) { s.Blob[0] ^= 1 }, "does not verify"},
		{"short", func(s *ssh.Signature) { s.Blob = s.Blob[:10] }, "10 bytes"},
		{"other format", func(s *ssh.Signature) { s.Format = "ssh-rsa" }, "not \"ssh-ed25519\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns, err := NoteSigner("xjtu", badSigner{signer, tc.mutate})
			if err != nil {
				t.Fatal(err)
			}
			_, err = note.Sign(&note.Note{Text: "x\n"}, ns)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
