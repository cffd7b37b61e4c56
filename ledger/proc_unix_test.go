//go:build unix

package ledger

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// killSelf ends this process at once with SIGKILL: no deferred function,
// no cleanup, as a crash or a power cut would.
func killSelf() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// killedBySelf reports whether err, from a child's Wait, says the child
// ended by killSelf.
func killedBySelf(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// inOwnGroup makes cmd start in a process group of its own, so that
// killGroup ends its children too.
func inOwnGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the process group of cmd, started with inOwnGroup.
func killGroup(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
