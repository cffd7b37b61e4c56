package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadError is a file of the repository that the system does not let
// this user read (another user's copy, a mode changed by hand, a backup
// restored as another user): nothing can be said of the ledger until it
// can be read.
type ReadError struct {
	Dir string // the repository's folder
	Err error  // the system's error, naming the file
}

func (e *ReadError) Error() string {
	cause := e.Err.Error()
	var pe *fs.PathError
	if errors.As(e.Err, &pe) {
		cause = pe.Error()
	}
	return fmt.Sprintf("cannot read %s: permission denied (%s)", e.Dir, cause)
}

func (e *ReadError) Unwrap() error { return e.Err }

// Hint says what to do next.
func (e *ReadError) Hint() string {
	return fmt.Sprintf("check the owner and permissions of %s and the files in it (ls -la), or work in a copy you can read", e.Dir)
}

// asReadError returns err as a *ReadError for the repository in dir when
// the system refused a read, and err itself otherwise.
func asReadError(dir string, err error) error {
	var re *ReadError
	if err == nil || !errors.Is(err, fs.ErrPermission) || errors.As(err, &re) {
		return err
	}
	return &ReadError{Dir: dir, Err: err}
}

// refReadable returns a *ReadError when the loose ref name (a path under
// the git folder) cannot be read for want of permission: go-git then
// looks in packed-refs and reports the ref as absent.
func (g *Repo) refReadable(name string) error {
	f, err := os.Open(filepath.Join(g.GitDir(), filepath.FromSlash(name)))
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return &ReadError{Dir: g.GitDir(), Err: err}
		}
		return nil
	}
	return f.Close()
}
