package signing

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/concord-ledger/concord/internal/testtool"
)

// shortTempDir returns a temporary folder with a short path: unix socket
// paths are limited to about 100 bytes, too few for t.TempDir().
func shortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cag")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// serveAgent serves a on a unix socket until the test ends and returns the
// socket's path.
func serveAgent(t testing.TB, a agent.Agent) string {
	t.Helper()
	sock := filepath.Join(shortTempDir(t), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	serveAgentOn(t, l, a)
	return sock
}

// serveAgentOn serves a on l until the test ends.
func serveAgentOn(t testing.TB, l net.Listener, a agent.Agent) {
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				agent.ServeAgent(a, c)
			}()
		}
	}()
}

// lyingAgent is an agent that changes the signatures its keyring makes.
type lyingAgent struct {
	agent.Agent
	corrupt func(*ssh.Signature) *ssh.Signature
}

func (a *lyingAgent) Sign(key ssh.PublicKey, data []byte) (*ssh.Signature, error) {
	sig, err := a.Agent.Sign(key, data)
	if err != nil {
		return nil, err
	}
	return a.corrupt(sig), nil
}

func TestAgentSignerFakeAgent(t *testing.T) {
	key := testKey(t, 60)
	pub := sshPub(t, key)
	absent := sshPub(t, testKey(t, 61))
	data := []byte("statement bytes")
	tests := []struct {
		name    string
		corrupt func(*ssh.Signature) *ssh.Signature // nil: honest agent
		pub     ssh.PublicKey
		newErr  func(error) bool // error from AgentSigner; nil: none
		signErr func(error) bool // error from Sign; nil: none
	}{
		{"honest", nil, pub, nil, nil},
		{"key not held", nil, absent, isA[*AgentKeyMissingError], nil},
		{"flipped bit", func(s *ssh.Signature) *ssh.Signature {
			b := bytes.Clone(s.Blob)
			b[10] ^= 1
			return &ssh.Signature{Format: s.Format, Blob: b}
		}, pub, nil, isA[*AgentSignatureError]},
		{"signature of other data", func(s *ssh.Signature) *ssh.Signature {
			o, _ := ssh.NewSignerFromKey(key)
			sig, _ := o.Sign(nil, []byte("something else"))
			return sig
		}, pub, nil, isA[*AgentSignatureError]},
		{"wrong format", func(s *ssh.Signature) *ssh.Signature {
			return &ssh.Signature{Format: "ssh-rsa", Blob: s.Blob}
		}, pub, nil, isA[*AgentSignatureError]},
		{"short blob", func(s *ssh.Signature) *ssh.Signature {
			return &ssh.Signature{Format: s.Format, Blob: s.Blob[:63]}
		}, pub, nil, isA[*AgentSignatureError]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring := agent.NewKeyring()
			if err := ring.Add(agent.AddedKey{PrivateKey: key, Comment: "k"}); err != nil {
				t.Fatal(err)
			}
			var a agent.Agent = ring
			if tt.corrupt != nil {
				a = &lyingAgent{Agent: ring, corrupt: tt.corrupt}
			}
			sock := serveAgent(t, a)
			signer, err := AgentSigner(sock, tt.pub)
			if tt.newErr != nil {
				if err == nil || !tt.newErr(err) {
					t.Fatalf("AgentSigner: err = %v (%T), want another error", err, err)
				}
				checkMessage(t, err)
				if !strings.Contains(err.Error(), Fingerprint(tt.pub)) {
					t.Errorf("error does not name the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !SameKey(signer.PublicKey(), tt.pub) {
				t.Error("signer has the wrong public key")
			}
			sig, err := signer.Sign(nil, data)
			if tt.signErr != nil {
				if err == nil || !tt.signErr(err) {
					t.Fatalf("Sign: err = %v (%T), sig %v; want another error", err, err, sig)
				}
				if sig != nil {
					t.Error("a signature was returned with the error")
				}
				checkMessage(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := pub.Verify(data, sig); err != nil {
				t.Errorf("signature does not verify: %v", err)
			}
			if _, err := signer.(ssh.AlgorithmSigner).SignWithAlgorithm(nil, data, ssh.KeyAlgoRSASHA256); err == nil {
				t.Error("signing with rsa-sha2-256 succeeded")
			}
		})
	}
}

func TestAgentSignerRefusals(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), testRand(1))
	if err != nil {
		t.Fatal(err)
	}
	ecPub, err := ssh.NewPublicKey(&ecKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := sshPub(t, testKey(t, 62))
	tests := []struct {
		name   string
		socket string
		pub    ssh.PublicKey
		want   func(error) bool
	}{
		{"no socket", "", pub, isA[*AgentUnavailableError]},
		{"socket missing", filepath.Join(shortTempDir(t), "none.sock"), pub, isA[*AgentUnavailableError]},
		{"not ed25519", "/unused", ecPub, isA[*KeyTypeError]},
		{"no key", "/unused", nil, func(err error) bool { return err != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AgentSigner(tt.socket, tt.pub)
			if err == nil || !tt.want(err) {
				t.Fatalf("err = %v (%T), want another error", err, err)
			}
			checkMessage(t, err)
		})
	}
}

// startSSHAgent starts a real ssh-agent on a fresh socket, stopped when the
// test ends, and returns the socket's path.
func startSSHAgent(t *testing.T) string {
	t.Helper()
	bin := testtool.Require(t, "ssh-agent")
	sock := filepath.Join(shortTempDir(t), "agent.sock")
	cmd := exec.Command(bin, "-D", "-a", sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock
		}
		if time.Now().After(deadline) {
			t.Fatal("ssh-agent did not start listening")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAgentSignerRealAgent signs through OpenSSH's ssh-agent with a key
// concord made and ssh-add loaded.
func TestAgentSignerRealAgent(t *testing.T) {
	sshAdd := testtool.Require(t, "ssh-add")
	sock := startSSHAgent(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "id")
	pub, err := CreateKeyFiles(path, testRand(70), PrivateKeyOptions{Comment: "agent key"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := CreateKeyFiles(filepath.Join(dir, "other"), testRand(71), PrivateKeyOptions{})
	if err != nil {
		t.Fatal(err)
	}

	_, err = AgentSigner(sock, pub)
	var missing *AgentKeyMissingError
	if !errors.As(err, &missing) || missing.Fingerprint != Fingerprint(pub) {
		t.Fatalf("empty agent: err = %v, want *AgentKeyMissingError for %s", err, Fingerprint(pub))
	}
	if want := "ssh-agent does not hold key " + Fingerprint(pub); err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}

	add := exec.Command(sshAdd, path)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v\n%s", err, out)
	}

	signer, err := AgentSigner(sock, pub)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("what the president signs")
	sig, err := signer.Sign(nil, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Verify(data, sig); err != nil {
		t.Errorf("agent signature does not verify: %v", err)
	}
	// ed25519 signatures are deterministic: the agent's must equal one made
	// from the key file.
	local, err := LoadPrivateKey(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := local.Sign(nil, data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sig.Blob, want.Blob) {
		t.Error("agent signature differs from the key file's")
	}

	if _, err := AgentSigner(sock, other); !isA[*AgentKeyMissingError](err) {
		t.Errorf("key not added: err = %v, want *AgentKeyMissingError", err)
	}
}
