package ledger

import (
	"context"
	"errors"

	"strings"
	"testing"
	"time"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestReadDeadlineSaysWhatHappened: a sync whose time runs out while it
// reads what it fetched (gitstore.SetReadDeadline; see
// TestAttackGoGitDeltaChains for a remote built to make that slow) fails
// as a remote that timed out while reading, with its own hint, leaves the
// ledger as it was, and is not invalid evidence.
func TestReadDeadlineSaysWhatHappened(t *testing.T) {
	w := newWorld(t)
	c := w.clone(t, w.dir)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	before := c.head()
	l := c.open()
	defer l.Close()
	l.repo.SetStepHook(func(step string) {
		if step == "fetch: objects fetched" {
			l.repo.SetReadDeadline(time.Now().Add(-time.Second))
		}
	})
	_, err := l.sync(context.Background(), SyncOptions{})
	var re *RemoteError
	if !errors.As(err, &re) || !errors.Is(err, gitstore.ErrReadDeadline) || !re.TimedOut() {
		t.Fatalf("sync past its read deadline: %v, want a RemoteError wrapping gitstore.ErrReadDeadline", err)
	}
	if !strings.Contains(re.Hint(), "takes long to read") {
		t.Errorf("hint %q", re.Hint())
	}
	if ie, ok := any(err).(interface{ InvalidEvidence() bool }); ok && ie.InvalidEvidence() {
		t.Error("a read that ran out of time is called invalid evidence")
	}
	if c.head() != before {
		t.Errorf("the head moved: %s → %s", before, c.head())
	}
}
