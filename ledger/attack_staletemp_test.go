package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStaleRefTempRemoved: a ref update writes the new id to a temporary
// file .concord-ref-* in the git folder, then links it into place as the
// lock; a concord killed between the two (kill -9, a power cut) left that
// file there for good. The next writer, holding the ledger's lock (so no
// write of another concord is under way), removes it.
func TestStaleRefTempRemoved(t *testing.T) {
	r := gitWorld(t)
	stale := filepath.Join(r.dir, ".concord-ref-1234567")
	if err := os.WriteFile(stale, []byte(r.head()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.sign("pact", "a")
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", stale, err)
	}
	r.mustVerify()
}
