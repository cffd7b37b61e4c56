//go:build unix

package ledger

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/signing"
)

// unwritable makes the folders unwritable for this process, even as root
// (chattr +i: immutable), until the test ends.
func unwritable(t *testing.T, dirs ...string) {
	t.Helper()
	if os.Geteuid() == 0 {
		chattr := testtool.Require(t, "chattr")
		for _, d := range dirs {
			if out, err := exec.Command(chattr, "+i", d).CombinedOutput(); err != nil {
				testtool.Missing(t, "chattr +i on "+d+": "+string(out))
			}
			t.Cleanup(func() { exec.Command(chattr, "-i", d).Run() })
		}
		return
	}
	for _, d := range dirs {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(d, 0o755) })
	}
}

// TestWriteFailsClearly: a ledger whose folders cannot be written (a
// read-only copy, another user's folder, a full disk) made a write fail
// with Go's own words ("writing entry 3: pact/…/write …/tmp_obj_123: …")
// and no hint, and left go-git's half-written temporary object in
// objects/pack. The failure now says which folder cannot be written and
// why, with a hint, and leaves no file behind.
func TestWriteFailsClearly(t *testing.T) {
	r := newWorld(t)
	r.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	objects := filepath.Join(r.dir, "objects")
	subs, _ := filepath.Glob(filepath.Join(objects, "[0-9a-f][0-9a-f]"))
	// objects/pack stays writable: the temporary object is written, and
	// moving it into place fails.
	unwritable(t, append(subs, objects)...)
	head := r.head()
	_, err := r.decide("pact", 0, "a", signing.Approve)
	var we *gitstore.WriteError
	if !errors.As(err, &we) {
		t.Fatalf("write: %v, want a gitstore.WriteError", err)
	}
	if !strings.Contains(err.Error(), "cannot write to "+r.dir) || !strings.Contains(err.Error(), "permission") {
		t.Errorf("message: %v", err)
	}
	if !strings.Contains(we.Hint(), "permissions") {
		t.Errorf("hint: %q", we.Hint())
	}
	if r.head() != head {
		t.Errorf("the branch moved")
	}
	left, _ := filepath.Glob(filepath.Join(objects, "pack", "tmp_*"))
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestSyncWriteFailsClearly: a sync into a ledger whose folder cannot be
// written said "remote … unreachable or failing while fetching: mkdir
// …/.concord-incoming-…: permission denied" with a hint to check the
// network. It is the local folder's failure, said so, through git and
// through go-git's fallback, and the ledger is as it was.
func TestSyncWriteFailsClearly(t *testing.T) {
	for _, transport := range []string{"git", "go-git"} {
		t.Run(transport, func(t *testing.T) {
			r := gitWorld(t)
			c := r.clone(t, r.dir)
			if transport == "go-git" {
				c.env.Git = ""
			}
			r.sign("pact", "a")
			head := c.head()
			unwritable(t, c.dir)
			_, err := c.sync("")
			var we *gitstore.WriteError
			var re *RemoteError
			if !errors.As(err, &we) || errors.As(err, &re) {
				t.Fatalf("sync: %v, want a gitstore.WriteError", err)
			}
			if !strings.Contains(err.Error(), "cannot write to "+c.dir) {
				t.Errorf("message: %v", err)
			}
			if c.head() != head {
				t.Errorf("the branch moved")
			}
		})
	}
}
