package ledger

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// TestSyncWithOtherRemoteName: a ledger cloned with stock git under
// another remote name ('git clone -o upstream', or a remote renamed) was
// told "this ledger has no remote": it has one, which sync does not use.
// The refusal names it (cmd's hint says how to use it: cmdline_test.go).
func TestSyncWithOtherRemoteName(t *testing.T) {
	r := gitWorld(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "up.git")
	runGit(t, tmp, "clone", "-q", "--bare", "-o", "upstream", r.dir, dir)
	_, err := Sync(t.Context(), dir, r.env, SyncOptions{})
	var re *RefusedError
	if !errors.As(err, &re) || re.Reason != RefusedNoRemote || !slices.Equal(re.Remotes, []string{"upstream"}) ||
		err.Error() != "this ledger has no remote named origin (it has upstream)" {
		t.Fatalf("sync: %v, want RefusedNoRemote naming upstream", err)
	}
}
