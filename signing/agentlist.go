package signing

import (
	"fmt"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// AgentKey is one key an ssh-agent holds.
type AgentKey struct {
	PublicKey ssh.PublicKey
	Comment   string
}

// AgentKeys lists the keys the ssh-agent listening on socket holds, in the
// agent's order. Errors: *AgentUnavailableError when socket is "" or
// cannot be reached, or the agent's own error.
func AgentKeys(socket string) ([]AgentKey, error) {
	var out []AgentKey
	s := &agentSigner{socket: socket}
	err := s.withAgent(func(a agent.ExtendedAgent) error {
		keys, err := a.List()
		if err != nil {
			return err
		}
		for _, k := range keys {
			pub, err := ssh.ParsePublicKey(k.Blob)
			if err != nil {
				return fmt.Errorf("the agent lists a key concord cannot read: %w", err)
			}
			out = append(out, AgentKey{PublicKey: pub, Comment: k.Comment})
		}
		return nil
	})
	return out, err
}
