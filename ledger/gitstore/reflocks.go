package gitstore

import (
	"os"
	"strings"
)

// ReadDir lists the folder name. Under refs/, a file named NAME.lock is
// left out: it is the lock of a ref being moved under git's lock protocol
// (or left by a git killed while it moved one), never a ref — git's ref
// names may not end in ".lock" (git-check-ref-format(1)) and stock git
// never lists one. go-git would read it as a ref, and fail on an empty
// one.
func (fs *objectsFS) ReadDir(name string) ([]os.FileInfo, error) {
	infos, err := fs.Filesystem.ReadDir(name)
	if err != nil || (name != "refs" && !strings.HasPrefix(name, "refs/")) {
		return infos, err
	}
	kept := infos[:0]
	for _, fi := range infos {
		if !fi.IsDir() && strings.HasSuffix(fi.Name(), ".lock") {
			continue
		}
		kept = append(kept, fi)
	}
	return kept, nil
}
