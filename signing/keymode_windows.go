//go:build windows

package signing

import "io/fs"

// checkKeyMode checks nothing on Windows. There, who may read a file is
// set by its access control list, which Go's fs.FileMode does not show
// (its permission bits only say whether the read-only attribute is set),
// so concord cannot tell from the mode whether others can read the key.
// What is checked on Windows, as elsewhere, is that the key is a regular
// file of at most MaxKeyFileSize bytes (readKeyFile) and everything about
// its contents; what is not checked is its ACL. (OpenSSH for Windows does
// check the ACL; `icacls FILE` shows it.)
func checkKeyMode(path string, mode fs.FileMode) error {
	return nil
}
