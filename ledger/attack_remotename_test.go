package ledger

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSyncWithOtherRemoteName: a ledger cloned with stock git under
// another remote name ('git clone -o upstream', or a remote renamed) was
// told "this ledger has no remote": it has one, which sync does not use.
// The refusal names it, and how to use it.
func TestSyncWithOtherRemoteName(t *testing.T) {
	r := gitWorld(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "up.git")
	runGit(t, tmp, "clone", "-q", "--bare", "-o", "upstream", r.dir, dir)
	_, err := Sync(t.Context(), dir, r.env, SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "upstream") {
		t.Fatalf("sync: %v", err)
	}
	if h := err.(interface{ Hint() string }).Hint(); !strings.Contains(h, "git -C "+dir+" remote rename upstream origin") {
		t.Errorf("hint %q", h)
	}
}
