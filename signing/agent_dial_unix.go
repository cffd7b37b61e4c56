//go:build !windows

package signing

import (
	"net"
	"time"
)

// defaultAgentSocket is the agent used without SSH_AUTH_SOCK: none, on Unix.
const defaultAgentSocket = ""

// dialAgent connects to the ssh-agent listening on the Unix socket path.
func dialAgent(path string, timeout time.Duration) (net.Conn, error) {
	return net.DialTimeout("unix", path, timeout)
}
