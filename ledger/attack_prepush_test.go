//go:build unix

package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSyncRunsNoPrePushHook: sync pushed with 'git push', which runs the
// repository's own pre-push hook: a ledger copied from someone else (cp
// -r, a USB stick, an archive) with hooks/pre-push had that program run
// by 'concord sync'. The push runs no hook of the repository's.
func TestSyncRunsNoPrePushHook(t *testing.T) {
	r := gitWorld(t)
	c := r.clone(t, r.dir)
	marker := filepath.Join(t.TempDir(), "ran")
	hooks := filepath.Join(c.dir, "hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hooks, "pre-push"), []byte("#!/bin/sh\necho pre-push >> '"+marker+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.propose("pact2", []string{"a"}, "all", "en", "Two.\n")
	if res := c.mustSync(""); res.Pushed != 1 {
		t.Fatalf("sync: %+v", res)
	}
	if data, err := os.ReadFile(marker); err == nil {
		t.Errorf("the sync ran the repository's pre-push hook: %s", data)
	}
}
