//go:build unix

package gitstore

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel runs cmd in a process group of its own, killed whole
// when cmd's context ends: git's children (ssh, a local upload-pack) go
// with it.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
