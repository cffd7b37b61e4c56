//go:build unix

package ledger

import (
	"crypto/ed25519"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"testing"
	"time"

	"github.com/concord-ledger/concord/internal/filelock"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// serveAgent serves the private key in file through an in-process
// ssh-agent (SSH_AUTH_SOCK) until the test ends.
func serveAgent(t *testing.T, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.ParseRawPrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := key.(*ed25519.PrivateKey); ok {
		key = *k
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: key}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); agent.ServeAgent(keyring, c) }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
}

// TestFallbackSSHTwoHostKeys: go-git's built-in transport (no git
// program), with an sshd offering ecdsa and ed25519 host keys and a
// known_hosts holding only the ed25519 one, as OpenSSH records it.
func TestFallbackSSHTwoHostKeys(t *testing.T) {
	srv := startRealSSHD(t)
	r := gitWorld(t)
	r.env.Git = ""
	serveAgent(t, srv.clientKey)
	t.Setenv("SSH_KNOWN_HOSTS", srv.knownHosts)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	runTwoSigners(t, r, fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", u.Username, srv.port, r.dir))
}

// TestFallbackSSHConfigAndKeyFile: go-git's built-in transport, without an
// agent, reads ~/.ssh/config (a host alias with HostName, Port, User,
// IdentityFile and UserKnownHostsFile) and the key file it names, at an
// scp-like address.
func TestFallbackSSHConfigAndKeyFile(t *testing.T) {
	srv := startRealSSHD(t)
	r := gitWorld(t)
	r.env.Git = ""
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	if err := os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte(fmt.Sprintf(
		"Host ledgerhost\n  HostName 127.0.0.1\n  Port %d\n  User %s\n  IdentityFile %s\n  UserKnownHostsFile %s\n",
		srv.port, u.Username, srv.clientKey, srv.knownHosts)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("SSH_KNOWN_HOSTS", "")
	runTwoSigners(t, r, "ledgerhost:"+r.dir)
}

// TestFallbackReceiveTakesLedgerLock: a push received by the in-process
// file:// server (the fallback transport) waits for the receiving ledger's
// concord.lock, held here as a concord command writing there would hold
// it, and lands only once it is released.
func TestFallbackReceiveTakesLedgerLock(t *testing.T) {
	r := newWorld(t)
	r.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	c := r.clone(t, "file://"+r.dir)
	c.sign("pact", "a")
	lock, err := filelock.TryLock(filepath.Join(r.dir, "concord.lock"))
	if err != nil {
		t.Fatal(err)
	}
	before := r.head()
	done := make(chan error, 1)
	go func() { _, err := c.sync("a"); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("the sync finished while the remote's ledger was locked: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	if r.head() != before {
		t.Fatal("the push landed while the remote's ledger was locked")
	}
	lock.Unlock()
	if err := <-done; err != nil {
		t.Fatalf("sync: %v", err)
	}
	if r.head() != c.head() || r.head() == before {
		t.Fatalf("remote %s, clone %s", r.head(), c.head())
	}
}
