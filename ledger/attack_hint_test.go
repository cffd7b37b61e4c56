package ledger

import (
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestAuthHintRunsAsGiven: the hint for refused credentials gives a
// command to see what git is told. For an address whose credentials are
// masked it named 'git ls-remote https://***@host/l.git', which sends
// "***" as the user name: it cannot show anything. It names the address
// to use instead; an address without credentials is given as it is.
func TestAuthHintRunsAsGiven(t *testing.T) {
	refused := &gitstore.NetError{Kind: gitstore.NetAuthRefused, Detail: "Authentication failed"}
	h := (&RemoteError{URL: gitstore.RedactURL("https://alice:s3cret@forge.example/l.git"), Err: refused}).Hint()
	if strings.Contains(h, "***") || !strings.Contains(h, "git ls-remote") {
		t.Errorf("hint %q", h)
	}
	h = (&RemoteError{URL: "ssh://git@forge.example/l.git", Err: refused}).Hint()
	if !strings.Contains(h, "'git ls-remote ssh://git@forge.example/l.git'") {
		t.Errorf("hint %q", h)
	}
}
