package signing

import "strings"

// WindowsAgentPipe is the named pipe of the OpenSSH agent that ships with
// Windows (the "OpenSSH Authentication Agent" service). On Windows it is
// the agent used when SSH_AUTH_SOCK is not set.
const WindowsAgentPipe = `\\.\pipe\openssh-ssh-agent`

// AgentSocket returns where to reach ssh-agent: authSock (the value of
// SSH_AUTH_SOCK) when it is set, else this platform's default agent: on
// Windows WindowsAgentPipe, elsewhere "" (no agent).
func AgentSocket(authSock string) string {
	if authSock != "" {
		return authSock
	}
	return defaultAgentSocket
}

// isPipePath reports whether p names a Windows named pipe: \\.\pipe\NAME or
// \\HOST\pipe\NAME, with either slash.
func isPipePath(p string) bool {
	p = strings.ReplaceAll(p, "/", `\`)
	if !strings.HasPrefix(p, `\\`) {
		return false
	}
	host, rest, ok := strings.Cut(p[2:], `\`)
	if !ok || host == "" {
		return false
	}
	kind, name, ok := strings.Cut(rest, `\`)
	return ok && strings.EqualFold(kind, "pipe") && name != ""
}
