package gitstore

import (
	"errors"
	"os"
)

// createLock creates the lock file lockPath holding content, failing with
// an error that is os.ErrExist when it exists (git's lock protocol). The
// content is written to the file tmp first (made by the caller in the git
// folder, outside refs/) and hard-linked into place, so that the lock is
// never seen empty. On a file system without hard links (exFAT or FAT, a
// USB stick) the lock is created exclusively and written in place, as git
// writes its locks: go-git's listings leave *.lock files under refs/ out
// (listing.go) and stock git never reads one as a ref, so an empty
// moment harms no reader.
func createLock(lockPath, tmp, content string, mode os.FileMode) error {
	err := os.Link(tmp, lockPath)
	if err == nil || errors.Is(err, os.ErrExist) {
		return err
	}
	f, ferr := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if ferr != nil {
		if errors.Is(ferr, os.ErrExist) {
			return ferr
		}
		return err // the link's error says more
	}
	_, werr := f.WriteString(content)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(lockPath)
		return err
	}
	return nil
}
