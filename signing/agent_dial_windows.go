package signing

import (
	"net"
	"time"

	"github.com/Microsoft/go-winio"
)

// defaultAgentSocket is the agent used without SSH_AUTH_SOCK: Windows'
// OpenSSH agent.
const defaultAgentSocket = WindowsAgentPipe

// dialAgent connects to the ssh-agent at path: a named pipe (Windows'
// OpenSSH agent, or SSH_AUTH_SOCK naming a pipe) through go-winio, at the
// anonymous impersonation level so the pipe's server cannot act as the
// user; anything else as a Unix socket (AF_UNIX, Windows 10 1803 and
// later).
func dialAgent(path string, timeout time.Duration) (net.Conn, error) {
	if isPipePath(path) {
		return winio.DialPipe(path, &timeout)
	}
	return net.DialTimeout("unix", path, timeout)
}
