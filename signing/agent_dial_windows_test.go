package signing

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/Microsoft/go-winio"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// TestAgentSocketDefaultWindows: without SSH_AUTH_SOCK, Windows' OpenSSH
// agent pipe.
func TestAgentSocketDefaultWindows(t *testing.T) {
	if got := AgentSocket(""); got != WindowsAgentPipe {
		t.Fatalf("AgentSocket(\"\") = %q, want %q", got, WindowsAgentPipe)
	}
}

// TestAgentSignerNamedPipe serves an in-process agent on a named pipe, as
// Windows' OpenSSH agent does, and signs through it under both spellings
// of a pipe path.
func TestAgentSignerNamedPipe(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ring := agent.NewKeyring()
	if err := ring.Add(agent.AddedKey{PrivateKey: key, Comment: "k"}); err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	var id [8]byte
	rand.Read(id[:])
	pipe := fmt.Sprintf(`\\.\pipe\concord-test-agent-%x`, id)
	l, err := winio.ListenPipe(pipe, nil)
	if err != nil {
		t.Fatal(err)
	}
	serveAgentOn(t, l, ring)
	for _, p := range []string{pipe, strings.ReplaceAll(pipe, `\`, "/")} {
		signer, err := AgentSigner(p, pub)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		data := []byte("statement")
		sig, err := signer.Sign(nil, data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := pub.Verify(data, sig); err != nil || !bytes.Equal(sig.Blob, ed25519.Sign(key, data)) {
			t.Fatalf("%s: the signature does not verify: %v", p, err)
		}
	}
}
