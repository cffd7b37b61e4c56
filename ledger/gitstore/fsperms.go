package gitstore

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/concord-ledger/concord/internal/atomicfile"
	"github.com/go-git/go-billy/v5"
)

// The files and folders go-git creates in a repository (ref files, the
// folders under refs/, packed-refs when it rewrites it, the folders of
// loose objects and packs, config) get, through objectsFS, the modes git
// gives its own: go-git's file system creates folders 0755 and temporary
// files 0600, whatever the umask and core.sharedRepository, and renames a
// temporary file over packed-refs, so a git daemon, web server or backup
// running as another user of the group would find the refs unreadable.

// mkdirAll creates the folder path (an OS path) and those missing above
// it as git does (safe_create_leading_directories): each 0777 before the
// umask, then, in a shared repository, given the shared mode and the
// setgid bit. Folders already there are left as they are.
func (p perms) mkdirAll(path string) error {
	fi, err := os.Stat(path)
	if err == nil {
		if !fi.IsDir() {
			return &os.PathError{Op: "mkdir", Path: path, Err: errors.New("not a folder")}
		}
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if parent := filepath.Dir(path); parent != path {
		if err := p.mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(path, 0o777); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil // made meanwhile by another writer
		}
		return err
	}
	if dm, ok := p.dir(); ok {
		return os.Chmod(path, dm)
	}
	return nil
}

// osPath is name, a path in the repository's folder, as a path of the
// operating system.
func (fs *objectsFS) osPath(name string) string {
	return filepath.Join(fs.Filesystem.Root(), filepath.FromSlash(name))
}

// MkdirAll creates the folder name and those missing above it with the
// modes git gives them; go-git's perm is ignored, as git ignores a mode.
func (fs *objectsFS) MkdirAll(name string, _ os.FileMode) error {
	return fs.perm.mkdirAll(fs.osPath(name))
}

// Create creates (or truncates) name for writing, as OpenFile.
func (fs *objectsFS) Create(name string) (billy.File, error) {
	return fs.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// OpenFile opens name; a file it creates gets the mode git would give a
// file it created with mode (umask, then core.sharedRepository), and the
// folders made for it their modes too.
func (fs *objectsFS) OpenFile(name string, flag int, mode os.FileMode) (billy.File, error) {
	if flag&os.O_CREATE == 0 {
		return fs.Filesystem.OpenFile(name, flag, mode)
	}
	p := fs.osPath(name)
	if err := fs.perm.mkdirAll(filepath.Dir(p)); err != nil {
		return nil, err
	}
	_, statErr := os.Lstat(p)
	f, err := fs.Filesystem.OpenFile(name, flag, mode)
	if err != nil || !errors.Is(statErr, os.ErrNotExist) {
		return f, err
	}
	if err := os.Chmod(p, fs.perm.file(mode.Perm())); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// TempFile creates a new file in dir whose name starts with prefix, as
// go-git's file system does, with the mode git gives a file it creates
// 0666 (git's packed-refs, which go-git writes as a temporary file and
// renames into place); objects written this way are given theirs by Chmod
// when they are finished.
func (fs *objectsFS) TempFile(dir, prefix string) (billy.File, error) {
	if err := fs.perm.mkdirAll(fs.osPath(dir)); err != nil {
		return nil, err
	}
	f, err := fs.Filesystem.TempFile(dir, prefix)
	if err != nil {
		return nil, err
	}
	fs.temps.add(f.Name(), fs.osPath(f.Name()))
	if err := os.Chmod(fs.osPath(f.Name()), fs.perm.file(0o666)); err != nil {
		f.Close()
		fs.Filesystem.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// Rename moves from to to, creating to's folder (a loose object's
// objects/xx) with the mode git gives it.
func (fs *objectsFS) Rename(from, to string) error {
	if err := fs.perm.mkdirAll(filepath.Dir(fs.osPath(to))); err != nil {
		return err
	}
	if err := fs.Filesystem.Rename(from, to); err != nil {
		return err
	}
	fs.temps.done(from)
	return nil
}

// Remove removes name.
func (fs *objectsFS) Remove(name string) error {
	err := fs.Filesystem.Remove(name)
	if err == nil {
		fs.temps.done(name)
	}
	return err
}

// createFile creates the file path, empty, with the mode git gives a file
// it creates 0666 (umask, then core.sharedRepository), unless it exists.
func (p perms) createFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return errors.Join(f.Chmod(p.file(0o666)), f.Close())
}

// EnsureFile creates the file name (relative to the git folder), empty,
// with the mode git gives the files it makes in the repository, unless it
// exists: for a file of concord's own there, such as the ledger's lock
// (LedgerLockName), which in a shared repository the group must open too.
func (g *Repo) EnsureFile(name string) error {
	return asWriteError(g.GitDir(), g.perm.createFile(filepath.Join(g.GitDir(), filepath.FromSlash(name))))
}

// WriteGitFile writes data to the file name (relative to the git folder),
// replacing it in one step, with the mode git gives the files it makes in
// the repository.
func (g *Repo) WriteGitFile(name string, data []byte) error {
	return atomicfile.Write(filepath.Join(g.GitDir(), filepath.FromSlash(name)), data, g.perm.file(0o666))
}

// ReadGitFile returns the content of the file name (relative to the git
// folder).
func (g *Repo) ReadGitFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(g.GitDir(), filepath.FromSlash(name)))
}
