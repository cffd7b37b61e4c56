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
