package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
)

// WriteError is a write to the repository's folder that the system
// refused: the disk is full or the quota used up, the file system is
// read-only, or the folder is not writable by this user. Nothing was
// added: the branch did not move, and the temporary files of the write
// are removed.
type WriteError struct {
	Dir    string // the repository's folder
	Reason string // "the disk is full", "permission denied", …
	Err    error  // the system's error, naming the file
}

func (e *WriteError) Error() string {
	var pe *fs.PathError
	cause := e.Err.Error()
	if errors.As(e.Err, &pe) {
		cause = pe.Error()
	}
	return fmt.Sprintf("cannot write to %s: %s (%s)", e.Dir, e.Reason, cause)
}

func (e *WriteError) Unwrap() error { return e.Err }

// Hint says what to do next.
func (e *WriteError) Hint() string {
	switch e.Reason {
	case reasonFull, reasonQuota:
		return fmt.Sprintf("free space on the disk holding %s, then run the command again; nothing was added", e.Dir)
	case reasonReadOnly:
		return fmt.Sprintf("%s is on a read-only file system: work in a writable copy (git clone --bare), or remount it; nothing was added", e.Dir)
	}
	return fmt.Sprintf("check the owner and permissions of %s and the folders in it (ls -la), or work in a copy of your own; nothing was added", e.Dir)
}

// AsWriteError is asWriteError, for the files of concord's own in the
// repository's folder (the ledger's lock).
func AsWriteError(dir string, err error) error { return asWriteError(dir, err) }

// The reasons of a WriteError.
const (
	reasonFull       = "the disk is full"
	reasonQuota      = "the disk quota is used up"
	reasonReadOnly   = "the file system is read-only"
	reasonPermission = "permission denied"
)

// asWriteError returns err as a *WriteError for the repository in dir when
// the system refused a write (disk full, quota, read-only, permission),
// and err itself otherwise.
func asWriteError(dir string, err error) error {
	var reason string
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOSPC):
		reason = reasonFull
	case errors.Is(err, syscall.EDQUOT):
		reason = reasonQuota
	case errors.Is(err, syscall.EROFS):
		reason = reasonReadOnly
	case errors.Is(err, fs.ErrPermission):
		reason = reasonPermission
	default:
		return err
	}
	return &WriteError{Dir: dir, Reason: reason, Err: err}
}

// tempFiles are the temporary files objectsFS created and has not yet
// seen renamed into place or removed: go-git leaves a temporary object
// behind when writing it fails.
type tempFiles struct {
	mu    sync.Mutex
	names map[string]string // name in the repository -> OS path
}

func (t *tempFiles) add(name, path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.names == nil {
		t.names = map[string]string{}
	}
	t.names[name] = path
}

func (t *tempFiles) done(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.names, name)
}

// removeAll removes the temporary files still pending, those under
// objects/ only (a write's objects; never a ref or the config).
func (t *tempFiles) removeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for name, path := range t.names {
		if strings.HasPrefix(name, "objects/") {
			os.Remove(path)
		}
		delete(t.names, name)
	}
}

// localWriteFailures are what git prints (LC_ALL=C) when it cannot write
// the objects or refs it fetched into the repository on this machine,
// with the reason each gives.
var localWriteFailures = []struct{ text, reason string }{
	{"no space left on device", reasonFull},
	{"out of diskspace", reasonFull},
	{"disk quota exceeded", reasonQuota},
	{"read-only file system", reasonReadOnly},
	{"insufficient permission for adding an object", reasonPermission},
	{"unable to create temporary file: permission denied", reasonPermission},
}

// localWriteFailure returns the *WriteError for the repository in gitDir
// when git's stderr says the fetch failed writing here, else nil.
func localWriteFailure(gitDir, stderr string) *WriteError {
	var own []string // the server's lines ("remote: …") are the remote's
	for _, l := range strings.Split(stderr, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "remote:") {
			own = append(own, l)
		}
	}
	lower := strings.ToLower(strings.Join(own, "\n"))
	for _, f := range localWriteFailures {
		if strings.Contains(lower, f.text) {
			return &WriteError{Dir: gitDir, Reason: f.reason, Err: errors.New(summarize(stderr, NetFailed))}
		}
	}
	return nil
}
