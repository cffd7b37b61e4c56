package signing

import (
	"strings"
	"testing"
)

func TestIsPipePath(t *testing.T) {
	for p, want := range map[string]bool{
		`\\.\pipe\openssh-ssh-agent`: true,
		`//./pipe/openssh-ssh-agent`: true,
		`\\.\PIPE\agent`:             true,
		`\\server\pipe\agent`:        true,
		`\\.\pipe\`:                  false,
		`\\.\pipes\agent`:            false,
		`\\pipe\agent`:               false,
		`/tmp/ssh-XXXX/agent.123`:    false,
		`C:\Users\me\agent.sock`:     false,
		``:                           false,
	} {
		if got := isPipePath(p); got != want {
			t.Errorf("isPipePath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestAgentSocketFromEnvironment(t *testing.T) {
	for _, s := range []string{"/tmp/ssh-XXXX/agent.1", `\\.\pipe\my-agent`} {
		if got := AgentSocket(s); got != s {
			t.Errorf("AgentSocket(%q) = %q: SSH_AUTH_SOCK, when set, must be used as it is", s, got)
		}
	}
}

func TestAgentUnavailableHint(t *testing.T) {
	pipe := (&AgentUnavailableError{Socket: WindowsAgentPipe}).Hint()
	sock := (&AgentUnavailableError{Socket: "/tmp/agent.sock"}).Hint()
	if pipe == sock || !strings.Contains(pipe, "OpenSSH Authentication Agent") || !strings.Contains(sock, "SSH_AUTH_SOCK") {
		t.Errorf("hints: pipe %q, socket %q", pipe, sock)
	}
}
