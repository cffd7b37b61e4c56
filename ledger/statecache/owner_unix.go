//go:build unix

package statecache

import (
	"os"
	"syscall"
)

// ownedByUser reports whether the user running concord owns the file.
func ownedByUser(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
