package signing

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
	"golang.org/x/crypto/ssh"
)

// Interoperability with OpenSSH's ssh-keygen -Y: the auditor's tool must
// accept every signature concord makes, concord must accept what ssh-keygen
// makes, and both must refuse tampering. Where they differ (the S+L twin,
// re-wrapped armor) the test records what ssh-keygen did.

type keygenEnv struct {
	t       *testing.T
	keygen  string
	dir     string
	keyPath string
	signer  ssh.Signer
}

// newKeygenEnv writes a fresh ed25519 key in OpenSSH form (0600) and its
// .pub, as ssh-keygen would, and an allowed_signers file for principal
// "kaznu-rector" restricted to the concord namespace.
func newKeygenEnv(t *testing.T) *keygenEnv {
	t.Helper()
	e := &keygenEnv{t: t, keygen: testtool.Require(t, "ssh-keygen"), dir: t.TempDir()}
	priv := sgKey(7)
	block, err := ssh.MarshalPrivateKey(priv, "kaznu-rector")
	if err != nil {
		t.Fatal(err)
	}
	e.keyPath = filepath.Join(e.dir, "id_ed25519")
	if err := os.WriteFile(e.keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	if e.signer, err = ssh.NewSignerFromKey(priv); err != nil {
		t.Fatal(err)
	}
	e.write("id_ed25519.pub", ssh.MarshalAuthorizedKey(e.signer.PublicKey()))
	e.write("allowed_signers", AllowedSigners([]AllowedSigner{
		{Principal: "kaznu-rector", Key: e.signer.PublicKey(), Namespaces: []string{Namespace}},
		{Principal: "xjtu-president", Key: sgSigner(t, 8).PublicKey()},
	}))
	return e
}

func (e *keygenEnv) write(name string, b []byte) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// verify runs ssh-keygen -Y verify and reports whether it accepted.
func (e *keygenEnv) verify(principal, namespace string, sig, msg []byte) (bool, string) {
	e.t.Helper()
	sigPath := e.write("check.sig", sig)
	cmd := exec.Command(e.keygen, "-Y", "verify", "-f", filepath.Join(e.dir, "allowed_signers"), "-I", principal, "-n", namespace, "-s", sigPath)
	cmd.Stdin = bytes.NewReader(msg)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		e.t.Fatalf("running ssh-keygen: %v", err)
	}
	return err == nil, strings.TrimSpace(string(out))
}

// sign runs ssh-keygen -Y sign on a file holding msg, with extra options.
func (e *keygenEnv) sign(namespace string, msg []byte, opts ...string) []byte {
	e.t.Helper()
	msgPath := e.write("statement", msg)
	os.Remove(msgPath + ".sig")
	args := append([]string{"-Y", "sign", "-f", e.keyPath, "-n", namespace}, opts...)
	cmd := exec.Command(e.keygen, append(args, msgPath)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		e.t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
	}
	sig, err := os.ReadFile(msgPath + ".sig")
	if err != nil {
		e.t.Fatal(err)
	}
	return sig
}

func TestInteropSSHKeygen(t *testing.T) {
	e := newKeygenEnv(t)
	msg := sgStatementBytes(t)
	pub := e.signer.PublicKey()
	ours, err := Sign(e.signer, Namespace, msg)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ssh-keygen accepts concord's signature", func(t *testing.T) {
		if ok, out := e.verify("kaznu-rector", Namespace, ours, msg); !ok {
			t.Fatalf("ssh-keygen -Y verify refused: %s", out)
		}
	})
	t.Run("ssh-keygen signature is byte for byte concord's", func(t *testing.T) {
		theirs := e.sign(Namespace, msg)
		if err := Verify(theirs, pub, Namespace, msg); err != nil {
			t.Fatalf("concord refused ssh-keygen's signature: %v\n%s", err, theirs)
		}
		if !bytes.Equal(theirs, ours) {
			t.Errorf("ssh-keygen wrote\n%s\nconcord wrote\n%s", theirs, ours)
		}
	})
	t.Run("sha256 both ways", func(t *testing.T) {
		theirs := e.sign(Namespace, msg, "-O", "hashalg=sha256")
		if got := sgHashAlg(t, theirs); got != "sha256" {
			t.Fatalf("test premise: ssh-keygen used %q, not sha256", got)
		}
		if err := Verify(theirs, pub, Namespace, msg); err != nil {
			t.Errorf("concord refused ssh-keygen's sha256 signature: %v", err)
		}
		mine := rawSSHSIG(t, sgKey(7), Namespace, "sha256", msg, nil)
		if !bytes.Equal(mine, theirs) {
			t.Errorf("hand-built sha256 signature differs from ssh-keygen's:\n%s\n%s", mine, theirs)
		}
		if ok, out := e.verify("kaznu-rector", Namespace, mine, msg); !ok {
			t.Errorf("ssh-keygen refused a sha256 signature: %s", out)
		}
	})
	t.Run("git namespace refused by both", func(t *testing.T) {
		gitSig := e.sign(GitNamespace, msg)
		if err := Verify(gitSig, pub, Namespace, msg); !errors.Is(err, ErrBadNamespace) {
			t.Errorf("concord: %v, want ErrBadNamespace", err)
		}
		if err := Verify(gitSig, pub, GitNamespace, msg); err != nil {
			t.Errorf("concord refused it as a git signature: %v", err)
		}
		if ok, _ := e.verify("kaznu-rector", Namespace, gitSig, msg); ok {
			t.Error("ssh-keygen accepted a git signature for namespace concord")
		}
		// allowed_signers restricts kaznu-rector to "concord".
		if ok, _ := e.verify("kaznu-rector", GitNamespace, gitSig, msg); ok {
			t.Error(`ssh-keygen accepted a git signature despite namespaces="concord"`)
		}
	})
	t.Run("tampered statement refused by both", func(t *testing.T) {
		tampered := bytes.Replace(msg, []byte("decision approve"), []byte("decision withdraw"), 1)
		if ok, out := e.verify("kaznu-rector", Namespace, ours, tampered); ok {
			t.Errorf("ssh-keygen accepted a tampered statement: %s", out)
		}
		if err := Verify(ours, pub, Namespace, tampered); !errors.Is(err, ErrBadSignature) {
			t.Errorf("concord: %v, want ErrBadSignature", err)
		}
	})
	t.Run("wrong principal refused by ssh-keygen", func(t *testing.T) {
		if ok, _ := e.verify("xjtu-president", Namespace, ours, msg); ok {
			t.Error("ssh-keygen accepted the signature for another principal")
		}
	})
	t.Run("S+L twin", func(t *testing.T) {
		twin := malleate(t, ours)
		if err := Verify(twin, pub, Namespace, msg); !errors.Is(err, ErrBadSignature) {
			t.Errorf("concord: %v, want ErrBadSignature", err)
		}
		ok, out := e.verify("kaznu-rector", Namespace, twin, msg)
		t.Logf("ssh-keygen -Y verify on the S+L twin: accepted=%v (%s); concord rejects it", ok, out)
	})
	t.Run("re-wrapped armor", func(t *testing.T) {
		sig, err := ParseArmored(ours)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := pem.Encode(&b, &pem.Block{Type: "SSH SIGNATURE", Bytes: sig.Marshal()}); err != nil {
			t.Fatal(err)
		}
		if err := Verify(b.Bytes(), pub, Namespace, msg); !errors.Is(err, ErrBadArmor) {
			t.Errorf("concord: %v, want ErrBadArmor", err)
		}
		ok, out := e.verify("kaznu-rector", Namespace, b.Bytes(), msg)
		t.Logf("ssh-keygen -Y verify on armor wrapped at 64: accepted=%v (%s); concord rejects it", ok, out)
	})
}

// sgHashAlg returns the hash algorithm of an armored signature.
func sgHashAlg(t *testing.T, armored []byte) string {
	t.Helper()
	sig, err := ParseArmored(armored)
	if err != nil {
		t.Fatal(err)
	}
	return string(sig.HashAlgorithm)
}
