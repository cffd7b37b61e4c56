//go:build !unix

package statecache

import "os"

// ownedByUser reports whether the user running concord owns the file;
// where ownership is not known this way, the folder's mode alone decides.
func ownedByUser(info os.FileInfo) bool { return true }
