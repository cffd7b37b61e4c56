//go:build unix

package ledger

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestRevokedHostKey: a server presenting a host key that known_hosts
// marks @revoked (a key known stolen: someone may be impersonating the
// server) was reported through git as "a host key that is not known",
// with the hint to add the key to known_hosts, and through go-git's
// fallback as "unreachable or failing" with a hint about the network. It
// is its own kind, whose hint says not to connect.
func TestRevokedHostKey(t *testing.T) {
	srv := startRealSSHD(t)
	r := gitWorld(t)
	data, err := os.ReadFile(srv.knownHosts)
	if err != nil {
		t.Fatal(err)
	}
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, []byte(fmt.Sprintf("@revoked * %s", ssh.MarshalAuthorizedKey(srv.hostEd))+string(data)), 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, err error) {
		t.Helper()
		if k := netKind(t, err); k != gitstore.NetHostKeyRevoked {
			t.Fatalf("%v: kind %v", err, k)
		}
		if !strings.Contains(err.Error(), "revoked") {
			t.Errorf("message: %v", err)
		}
		if h := (&RemoteError{Err: err}).Hint(); strings.Contains(h, "add it to") || !strings.Contains(h, "attack") {
			t.Errorf("hint %q", h)
		}
	}
	t.Run("git", func(t *testing.T) {
		srv.useSSHConfig(t, srv.clientKey, kh)
		check(t, tryClone(t, r, "ledgerhost:"+r.dir))
	})
	t.Run("go-git", func(t *testing.T) {
		w := *r
		w.env.Git = ""
		serveAgent(t, srv.clientKey)
		t.Setenv("SSH_KNOWN_HOSTS", kh)
		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		check(t, tryClone(t, &w, fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", u.Username, srv.port, r.dir)))
	})
}
