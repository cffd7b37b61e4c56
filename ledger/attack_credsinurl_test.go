//go:build unix

package ledger

import (
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestGitRefusesCredentialsInURL: with git told to refuse credentials
// written in a URL (transfer.credentialsInUrl = die, as security-minded
// installations set it), a clone from https://user:token@… failed as
// "unreachable or failing" with a hint to check the network. It is git's
// own refusal, said so, with a hint to give the credentials another way.
func TestGitRefusesCredentialsInURL(t *testing.T) {
	r, url, ca := httpsWorld(t)
	isolateGit(t, "[http]\n\tsslCAInfo = "+ca+"\n[transfer]\n\tcredentialsInUrl = die\n")
	withToken := strings.Replace(url, "https://", "https://alice:s3cret@", 1)
	err := tryClone(t, r, withToken)
	if k := netKind(t, err); k != gitstore.NetCredentialsInURL {
		t.Fatalf("%v: kind %v", err, k)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("message shows the password: %v", err)
	}
	if h := (&RemoteError{Err: err}).Hint(); !strings.Contains(h, "credential helper") || !strings.Contains(h, "credentialsInUrl") {
		t.Errorf("hint %q", h)
	}
}
