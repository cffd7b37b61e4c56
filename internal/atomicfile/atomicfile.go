// Package atomicfile owns how concord writes a file: every file concord
// writes outside the git object store goes through Write or WriteNew, so a
// reader (or a crash) sees either the old file or the whole new one, never
// a part.
//
// The protocol: create a temporary file in the target's folder (so the
// rename cannot cross file systems), write, set the mode, fsync the file,
// close, rename it onto the target (WriteNew: hard-link it, which fails if
// the target exists), then fsync the folder so the rename itself is on
// disk. On Windows the folder fsync is skipped: a directory cannot be
// opened for flushing there, and NTFS journals the rename itself. On macOS,
// File.Sync is F_FULLFSYNC.
//
// A failure removes the temporary file and leaves the target as it was.
// Temporary files are named ".NAME.tmp-*"; one can be left behind only when
// the process dies mid-write.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to path, replacing any file there, with mode perm
// (exactly: no umask; on Windows only the read-only bit means anything).
// Errors name path.
func Write(path string, data []byte, perm fs.FileMode) error {
	if err := write(path, data, perm, false); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// WriteNew is Write for a path that must not exist yet: if it does, it is
// left as it was and the error wraps fs.ErrExist. The check and the write
// are one step (a hard link, which fails on an existing name), so two
// writers cannot both succeed. On a file system without hard links, it
// claims the name by creating an empty file exclusively, then renames the
// written file over it: a crash in between can leave that empty file.
func WriteNew(path string, data []byte, perm fs.FileMode) error {
	if err := write(path, data, perm, true); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func write(path string, data []byte, perm fs.FileMode, exclusive bool) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*") // mode 0600 until set below
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if f != nil {
			f.Close()
		}
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	err = f.Close()
	f = nil
	if err != nil {
		return err
	}
	if exclusive {
		if err := publishNew(tmp, path, os.Link); err != nil {
			return err
		}
		// The link is made; tmp is removed by the deferred function.
	} else {
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
		tmp = ""
	}
	return syncDir(dir)
}

// publishNew makes the written file tmp appear at path, which must not
// exist: a hard link (by link, os.Link but in tests) where the file system
// has them, else an exclusive placeholder replaced by a rename.
func publishNew(tmp, path string, link func(oldname, newname string) error) error {
	err := link(tmp, path)
	var le *os.LinkError
	if errors.As(err, &le) && errors.Is(err, fs.ErrExist) {
		// Said as os.OpenFile with O_EXCL says it: "open PATH: file exists".
		return &fs.PathError{Op: "open", Path: path, Err: le.Err}
	}
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// No hard links here (FAT, some network file systems): claim the name,
	// then rename over the claim.
	claim, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if cerr != nil {
		return cerr
	}
	claim.Close()
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// Rename renames oldpath to newpath (a file or a whole folder written
// aside) and fsyncs newpath's folder, so that the rename is on disk when
// Rename returns (on Windows, see the package comment).
func Rename(oldpath, newpath string) error {
	if err := os.Rename(oldpath, newpath); err != nil {
		return err
	}
	return syncDir(filepath.Dir(newpath))
}
