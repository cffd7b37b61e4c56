package statecache

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The oldest files go when the cache outgrows its bound.
func TestStateCachePrune(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "states")
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	name := func(i int) string { return fmt.Sprintf("f%063x", i) }
	for i := range maxFiles + 10 {
		p := filepath.Join(dir, name(i))
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	newest := name(maxFiles + 9)
	d.Put("00"+strings.Repeat("1", 62), []byte("state"))
	files, _ := os.ReadDir(dir)
	if len(files) != keepFiles {
		t.Errorf("after pruning the cache holds %d files, want %d", len(files), keepFiles)
	}
	if _, err := os.Stat(filepath.Join(dir, newest)); err != nil {
		t.Errorf("pruning removed the newest file: %v", err)
	}
	if d.Get("00"+strings.Repeat("1", 62)) == nil {
		t.Error("pruning removed the file just written")
	}
}
