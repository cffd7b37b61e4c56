//go:build !windows

package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// TestAgentSocketDefaultUnix: without SSH_AUTH_SOCK there is no agent on
// Unix, and a pipe-like name is only a (missing) socket path.
func TestAgentSocketDefaultUnix(t *testing.T) {
	if got := AgentSocket(""); got != "" {
		t.Fatalf("AgentSocket(\"\") = %q, want \"\" on Unix", got)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(edPub)
	if err != nil {
		t.Fatal(err)
	}
	_, err = AgentSigner(WindowsAgentPipe, pub)
	var ue *AgentUnavailableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "openssh-ssh-agent") {
		t.Fatalf("AgentSigner on a pipe name on Unix: %v, want *AgentUnavailableError naming it", err)
	}
}
