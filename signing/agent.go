package signing

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// agentTimeout bounds each exchange with the agent. Signing may wait for
// the user (a confirmation prompt, a hardware key touch), so it is generous.
const agentTimeout = 2 * time.Minute

// AgentSigner connects to the ssh-agent listening on socket (a Unix socket;
// on Windows also a named pipe, see AgentSocket) and returns a
// signer for the key pub that the agent holds. The private key is never
// read by concord. Signatures the agent returns are verified before use.
//
// The agent must hold pub (*AgentKeyMissingError otherwise) and pub must be
// ed25519 (*KeyTypeError). Each Sign connects to the agent anew, so the
// signer holds no connection open; a signature that does not verify with
// pub is refused with *AgentSignatureError.
func AgentSigner(socket string, pub ssh.PublicKey) (ssh.Signer, error) {
	if pub == nil {
		return nil, errors.New("ssh-agent signer: no public key given")
	}
	if pub.Type() != keyTypeEd25519 {
		return nil, &KeyTypeError{Type: pub.Type()}
	}
	s := &agentSigner{socket: socket, pub: pub}
	var keys []*agent.Key
	err := s.withAgent(func(a agent.ExtendedAgent) error {
		var err error
		keys, err = a.List()
		return err
	})
	if err != nil {
		return nil, err
	}
	blob := pub.Marshal()
	for _, k := range keys {
		if bytes.Equal(k.Blob, blob) {
			return s, nil
		}
	}
	return nil, &AgentKeyMissingError{Fingerprint: Fingerprint(pub)}
}

// agentSigner signs through an ssh-agent and verifies every signature.
type agentSigner struct {
	socket string
	pub    ssh.PublicKey
}

// withAgent connects to the agent, runs f and disconnects.
func (s *agentSigner) withAgent(f func(agent.ExtendedAgent) error) error {
	if s.socket == "" {
		return &AgentUnavailableError{}
	}
	conn, err := dialAgent(s.socket, 10*time.Second)
	if err != nil {
		return &AgentUnavailableError{Socket: s.socket, Err: err}
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(agentTimeout)); err != nil {
		return &AgentUnavailableError{Socket: s.socket, Err: err}
	}
	if err := f(agent.NewClient(conn)); err != nil {
		return fmt.Errorf("talking to ssh-agent at %q: %w", s.socket, err)
	}
	return nil
}

// PublicKey returns the key the agent signs with.
func (s *agentSigner) PublicKey() ssh.PublicKey { return s.pub }

// Sign asks the agent to sign data and returns the signature once it has
// verified it. rand is not used: the agent signs.
func (s *agentSigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	return s.SignWithAlgorithm(rand, data, "")
}

// SignWithAlgorithm is Sign for the only algorithm of an ed25519 key,
// ssh-ed25519 (or "" for the default).
func (s *agentSigner) SignWithAlgorithm(_ io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	if algorithm != "" && algorithm != ssh.KeyAlgoED25519 {
		return nil, fmt.Errorf("ssh-agent signer: algorithm %q is not supported by an ed25519 key", algorithm)
	}
	var sig *ssh.Signature
	err := s.withAgent(func(a agent.ExtendedAgent) error {
		var err error
		sig, err = a.SignWithFlags(s.pub, data, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := checkAgentSignature(s.pub, data, sig); err != nil {
		return nil, err
	}
	return sig, nil
}

// checkAgentSignature verifies sig, as returned by an agent, of data by pub.
func checkAgentSignature(pub ssh.PublicKey, data []byte, sig *ssh.Signature) error {
	bad := func(reason string) error {
		return &AgentSignatureError{Fingerprint: Fingerprint(pub), Reason: reason}
	}
	switch {
	case sig == nil:
		return bad("no signature")
	case sig.Format != ssh.KeyAlgoED25519:
		return bad(fmt.Sprintf("signature format %q, want %q", sig.Format, ssh.KeyAlgoED25519))
	case len(sig.Blob) != ed25519.SignatureSize:
		return bad(fmt.Sprintf("signature of %d bytes, want %d", len(sig.Blob), ed25519.SignatureSize))
	case len(sig.Rest) != 0:
		return bad("unexpected data after the signature")
	}
	if err := pub.Verify(data, sig); err != nil {
		return bad("it does not verify")
	}
	return nil
}
