//go:build !unix

package ledger

import (
	"errors"
	"os"
	"os/exec"
)

// crashExit is the exit status killSelf ends the process with.
const crashExit = 86

// killSelf ends this process at once, running no deferred function and no
// cleanup, as a crash would. (Where there are no Unix signals, os.Exit is
// the closest stand-in: what the process wrote stays as it was; the OS
// releases its file locks.)
func killSelf() { os.Exit(crashExit) }

// killedBySelf reports whether err, from a child's Wait, says the child
// ended by killSelf.
func killedBySelf(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == crashExit
}

// inOwnGroup does nothing where there are no Unix process groups.
func inOwnGroup(cmd *exec.Cmd) {}

// killGroup kills cmd's process (its children are not found without
// process groups).
func killGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
