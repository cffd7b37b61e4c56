//go:build !windows

package signing

import "io/fs"

// checkKeyMode refuses a private key file that group or others may read,
// write or execute (*KeyPermissionError), as ssh does: the key may already
// be exposed. mode is the file's mode from stat (through symbolic links).
func checkKeyMode(path string, mode fs.FileMode) error {
	if mode.Perm()&0o077 != 0 {
		return &KeyPermissionError{Path: path, Mode: uint32(mode.Perm())}
	}
	return nil
}
