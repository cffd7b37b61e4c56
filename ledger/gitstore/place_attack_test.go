package gitstore

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPlaceRemadeFolder: git's gc and prune remove empty object folders
// (objects/ab/), so one made for a fetched object can be gone when the
// object is moved into it: sync then failed with 'moving the fetched
// objects into place: rename …/.concord-incoming-…/objects/11/a9c… …:
// no such file or directory' (found running sync beside git gc in a
// loop). The folder is made again and the move retried, as git does for
// its own objects.
func TestPlaceRemadeFolder(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "q", "11", "a9c0")
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, []byte("object"), 0o444); err != nil {
		t.Fatal(err)
	}
	// objects/11 was made, then removed by a concurrent gc.
	dst := filepath.Join(tmp, "objects", "11", "a9c0")
	if err := os.MkdirAll(filepath.Join(tmp, "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	moved, err := place(src, dst, perms{umask: 0o022})
	if err != nil || !moved {
		t.Fatalf("place: %v, %v", moved, err)
	}
	if data, err := os.ReadFile(dst); err != nil || string(data) != "object" {
		t.Fatalf("%q, %v", data, err)
	}
}
