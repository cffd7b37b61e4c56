package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/concord-ledger/concord/internal/testtool"
)

// startSSHD runs Debian's sshd on 127.0.0.1 as the current user, with a
// host key and an authorized client key made for the test, and returns its
// port. The client key is served by an in-process agent (SSH_AUTH_SOCK) and
// the host key is the only one known (SSH_KNOWN_HOSTS), which is how go-git
// authenticates by default. sshd is killed when the test ends.
func startSSHD(t *testing.T) int {
	t.Helper()
	sshd := testtool.Require(t, "sshd")
	testtool.Require(t, "git-upload-pack")
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	newKey := func() (ed25519.PrivateKey, ssh.PublicKey) {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		sp, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return priv, sp
	}
	hostPriv, hostPub := newKey()
	block, err := ssh.MarshalPrivateKey(hostPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	hostKey := filepath.Join(dir, "host_ed25519")
	if err := os.WriteFile(hostKey, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	clientPriv, clientPub := newKey()
	authorized := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authorized, ssh.MarshalAuthorizedKey(clientPub), 0o600); err != nil {
		t.Fatal(err)
	}
	port := testtool.FreePort(t)
	config := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(config, []byte(strings.Join([]string{
		"ListenAddress 127.0.0.1",
		"HostKey " + hostKey,
		"AuthorizedKeysFile " + authorized,
		"PidFile none",
		"StrictModes no",
		"UsePAM no",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PubkeyAuthentication yes",
		"PermitRootLogin prohibit-password",
		"AllowUsers " + u.Username,
		"",
	}, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// sshd run by root wants its privilege separation folder.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", config, "-p", fmt.Sprint(port))
	var log strings.Builder
	cmd.Stderr = &log
	inOwnGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sshd: %v", err)
	}
	t.Cleanup(func() {
		killGroup(cmd)
		cmd.Wait()
		if t.Failed() {
			t.Logf("sshd log:\n%s", log.String())
		}
	})

	known := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(known, []byte(fmt.Sprintf("[127.0.0.1]:%d %s", port, ssh.MarshalAuthorizedKey(hostPub))), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSH_KNOWN_HOSTS", known)
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: clientPriv}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "agent.sock")
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

	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd does not listen: %v\n%s", err, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSyncSSH clones and syncs over ssh:// from a real sshd running git's
// upload-pack and receive-pack.
func TestSyncSSH(t *testing.T) {
	port := startSSHD(t)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	r := newWorld(t)
	r.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	runTwoSigners(t, r, fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", u.Username, port, r.dir))
}
