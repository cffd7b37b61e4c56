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

// TestVerifyReadDeadline: a verify whose reads through go-git run past
// VerifyOptions.ReadBy returns an error wrapping gitstore.ErrReadDeadline
// (cannot check), and no report: neither "OK" nor problems that would
// call the ledger tampered. Before it, the same verify holds.
func TestVerifyReadDeadline(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	rep, err := Verify(w.dir, VerifyOptions{ReadBy: time.Now().Add(time.Hour)})
	if err != nil || !rep.OK() {
		t.Fatalf("verify within its time: %v, %v", err, rep)
	}
	rep, err = Verify(w.dir, VerifyOptions{ReadBy: time.Now().Add(-time.Second)})
	if !errors.Is(err, gitstore.ErrReadDeadline) || !errors.Is(err, context.DeadlineExceeded) || rep != nil {
		t.Fatalf("verify past its time: %v, report %v; want gitstore.ErrReadDeadline and no report", err, rep)
	}
}
