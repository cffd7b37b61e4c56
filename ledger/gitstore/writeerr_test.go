package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

// TestWriteErrorReasons: a full disk, a used-up quota, a read-only file
// system and a refused permission each say so.
func TestWriteErrorReasons(t *testing.T) {
	for errno, want := range map[syscall.Errno]string{
		syscall.ENOSPC: "the disk is full",
		syscall.EDQUOT: "quota",
		syscall.EROFS:  "read-only",
		syscall.EACCES: "permission denied",
	} {
		cause := &fs.PathError{Op: "write", Path: "/l/objects/pack/tmp_obj_1", Err: errno}
		err := asWriteError("/l", fmt.Errorf("documents/x/%w", cause))
		var we *WriteError
		if !errors.As(err, &we) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "cannot write to /l") {
			t.Errorf("%v: %v", errno, err)
		}
		if we != nil && we.Hint() == "" {
			t.Errorf("%v: no hint", errno)
		}
	}
	if err := errors.New("bad path"); asWriteError("/l", err) != err {
		t.Errorf("another error became a WriteError")
	}
}

// TestLocalWriteFailure: what git prints when a fetch cannot write here is
// this disk's failure; what it prints for the remote's failures is not.
func TestLocalWriteFailure(t *testing.T) {
	for text, want := range map[string]string{
		"error: sha1 file '/l/.concord-incoming-1/objects/pack/tmp_idx_4toK3u' write error. Out of diskspace\nfatal: fetch-pack: invalid index-pack output": "the disk is full",
		"fatal: write error: No space left on device\nfatal: fetch-pack: invalid index-pack output":                                                         "the disk is full",
		"error: insufficient permission for adding an object to repository database ./objects":                                                              "permission denied",
		"fatal: unable to create temporary file: Read-only file system":                                                                                     "read-only",
	} {
		we := localWriteFailure("/l", text)
		if we == nil || !strings.Contains(we.Error(), want) {
			t.Errorf("%q: %v", text, we)
		} else if want == "the disk is full" && !strings.Contains(we.Hint(), "free space") {
			t.Errorf("%q: hint %q", text, we.Hint())
		}
	}
	for _, text := range []string{
		"git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.",
		"fatal: unable to access 'https://h/l/': Could not resolve host: h",
		"remote: error: insufficient permission for adding an object to repository database ./objects\n! [remote rejected] main -> main (unpacker error)",
	} {
		if we := localWriteFailure("/l", text); we != nil {
			t.Errorf("%q: %v, a failure of the remote's", text, we)
		}
	}
}
