package signing

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// TestAgentKeys lists a real ssh-agent's keys: none, then the one ssh-add
// loaded, with its comment; an unreachable agent is *AgentUnavailableError.
func TestAgentKeys(t *testing.T) {
	sshAdd := testtool.Require(t, "ssh-add")
	sock := startSSHAgent(t)
	keys, err := AgentKeys(sock)
	if err != nil || len(keys) != 0 {
		t.Fatalf("empty agent: %v, %v", keys, err)
	}
	path := filepath.Join(t.TempDir(), "id")
	pub, err := CreateKeyFiles(path, testRand(72), PrivateKeyOptions{Comment: "listed key"})
	if err != nil {
		t.Fatal(err)
	}
	add := exec.Command(sshAdd, path)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v\n%s", err, out)
	}
	keys, err = AgentKeys(sock)
	if err != nil || len(keys) != 1 || !SameKey(keys[0].PublicKey, pub) || keys[0].Comment != "listed key" {
		t.Fatalf("after ssh-add: %v, %v", keys, err)
	}
	var ue *AgentUnavailableError
	if _, err := AgentKeys(filepath.Join(t.TempDir(), "none.sock")); !errors.As(err, &ue) {
		t.Errorf("no agent: err %v, want *AgentUnavailableError", err)
	}
	if _, err := AgentKeys(""); !errors.As(err, &ue) {
		t.Errorf("no socket: err %v, want *AgentUnavailableError", err)
	}
}
