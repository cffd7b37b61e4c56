package signing

import (
	"crypto/ed25519"
	"fmt"

	"golang.org/x/crypto/ssh"
	"golang.org/x/mod/sumdb/note"
)

// Signed notes (golang.org/x/mod/sumdb/note) carry concord's checkpoints and
// witness cosignatures. A member's note key is their ed25519 roster key, and
// the note's key name is their member id, so the key hash in each signature
// line is the one note computes for that name and key
// (note.NewEd25519VerifierKey).

// NoteSigner returns a note.Signer that signs as name with signer, an
// ed25519 key held in a file or by ssh-agent: the note signature is the raw
// 64-byte ed25519 signature the ssh signer returns. Errors are *SignError.
func NoteSigner(name string, signer ssh.Signer) (note.Signer, error) {
	if signer == nil {
		return nil, &SignError{Reason: "no signer"}
	}
	pub := signer.PublicKey()
	if pub == nil {
		return nil, &SignError{Reason: "signer has no public key"}
	}
	v, err := NoteVerifier(name, pub)
	if err != nil {
		return nil, &SignError{Kind: ErrUnsupported, Err: err}
	}
	return &noteSigner{name: name, hash: v.KeyHash(), signer: signer, verifier: v}, nil
}

type noteSigner struct {
	name     string
	hash     uint32
	signer   ssh.Signer
	verifier note.Verifier
}

func (s *noteSigner) Name() string    { return s.name }
func (s *noteSigner) KeyHash() uint32 { return s.hash }

// Sign signs msg with the ssh signer and checks the result before returning
// it, so a misbehaving agent is caught here.
func (s *noteSigner) Sign(msg []byte) ([]byte, error) {
	sig, err := s.signer.Sign(noRandomness{}, msg)
	if err != nil {
		return nil, &SignError{Err: err}
	}
	if sig.Format != ssh.KeyAlgoED25519 {
		return nil, &SignError{Kind: ErrUnsupported, Reason: fmt.Sprintf("signature format %q is not %q", sig.Format, ssh.KeyAlgoED25519)}
	}
	if len(sig.Blob) != ed25519.SignatureSize || len(sig.Rest) != 0 {
		return nil, &SignError{Kind: ErrSignerMisbehaved, Reason: fmt.Sprintf("ed25519 signature of %d bytes", len(sig.Blob))}
	}
	if !s.verifier.Verify(msg, sig.Blob) {
		return nil, &SignError{Kind: ErrSignerMisbehaved, Reason: "the signer's note signature does not verify under its own key"}
	}
	return sig.Blob, nil
}

// NoteVerifier returns the note.Verifier for name's ed25519 key pub. Its
// check is Go's crypto/ed25519, as for every signature concord accepts.
func NoteVerifier(name string, pub ssh.PublicKey) (note.Verifier, error) {
	raw, err := ed25519Key(pub)
	if err != nil {
		return nil, err
	}
	vkey, err := note.NewEd25519VerifierKey(name, raw)
	if err != nil {
		return nil, fmt.Errorf("note key for %q: %w", name, err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("note key for %q: %w", name, err)
	}
	return v, nil
}
