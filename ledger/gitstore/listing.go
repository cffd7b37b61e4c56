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
//
// In objects/pack, a pack-ID.pack without its pack-ID.idx is left out:
// git finds packs by their index, and moves a pack into place before its
// index (as concord does), so one killed between the two leaves a pack
// that is no pack yet; go-git would list it and fail every read.
func (fs *objectsFS) ReadDir(name string) ([]os.FileInfo, error) {
	infos, err := fs.Filesystem.ReadDir(name)
	if err == nil && name == "objects/pack" {
		return indexedPacks(infos), nil
	}
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

// indexedPacks returns infos (a listing of objects/pack) without the
// pack files whose index is not in it.
func indexedPacks(infos []os.FileInfo) []os.FileInfo {
	idx := map[string]bool{}
	for _, fi := range infos {
		if n := fi.Name(); strings.HasSuffix(n, ".idx") {
			idx[strings.TrimSuffix(n, ".idx")] = true
		}
	}
	kept := infos[:0]
	for _, fi := range infos {
		n := fi.Name()
		if strings.HasPrefix(n, "pack-") && strings.HasSuffix(n, ".pack") && !idx[strings.TrimSuffix(n, ".pack")] {
			continue
		}
		kept = append(kept, fi)
	}
	return kept
}
