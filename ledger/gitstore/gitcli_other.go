//go:build !unix

package gitstore

import "os/exec"

// killGroupOnCancel leaves exec's default: git itself is killed when
// cmd's context ends.
func killGroupOnCancel(cmd *exec.Cmd) {}
