package testkeys

import (
	"bytes"
	"crypto/ed25519"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/internal/testtool"
)

// Vectors from the OpenBSD reference implementation of bcrypt_pbkdf, as
// used by golang.org/x/crypto's copy.
func TestBcryptPBKDFVectors(t *testing.T) {
	tests := []struct {
		rounds         int
		password, salt string
		want           []byte
	}{
		{12, "password", "salt", []byte{
			0x1a, 0xe4, 0x2c, 0x05, 0xd4, 0x87, 0xbc, 0x02, 0xf6,
			0x49, 0x21, 0xa4, 0xeb, 0xe4, 0xea, 0x93, 0xbc, 0xac,
			0xfe, 0x13, 0x5f, 0xda, 0x99, 0x97, 0x4c, 0x06, 0xb7,
			0xb0, 0x1f, 0xae, 0x14, 0x9a,
		}},
		{3, "passwordy\x00PASSWORD\x00", "salty\x00SALT\x00", []byte{
			0x7f, 0x31, 0x0b, 0xd3, 0xe7, 0x8c, 0x32, 0x80, 0xc5,
			0x9c, 0xe4, 0x59, 0x52, 0x11, 0xa2, 0x92, 0x8e, 0x8d,
			0x4e, 0xc7, 0x44, 0xc1, 0xed, 0x2e, 0xfc, 0x9f, 0x76,
			0x4e, 0x33, 0x88, 0xe0, 0xad,
		}},
		{8, "секретное слово", "посолить немножко", []byte{
			0x8d, 0xf4, 0x3f, 0xc6, 0xfe, 0x13, 0x1f, 0xc4, 0x7f,
			0x0c, 0x9e, 0x39, 0x22, 0x4b, 0xd9, 0x4c, 0x70, 0xb6,
			0xfc, 0xc8, 0xee, 0x81, 0x35, 0xfa, 0xdd, 0xf6, 0x11,
			0x56, 0xe6, 0xcb, 0x27, 0x33, 0xea, 0x76, 0x5f, 0x31,
			0x5a, 0x3e, 0x1e, 0x4a, 0xfc, 0x35, 0xbf, 0x86, 0x87,
			0xd1, 0x89, 0x25, 0x4c, 0x1e, 0x05, 0xa6, 0xfe, 0x80,
			0xc0, 0x61, 0x7f, 0x91, 0x83, 0xd6, 0x72, 0x60, 0xd6,
			0xa1, 0x15, 0xc6, 0xc9, 0x4e, 0x36, 0x03, 0xe2, 0x30,
			0x3f, 0xbb, 0x43, 0xa7, 0x6a, 0x64, 0x52, 0x3f, 0xfd,
			0xa6, 0x86, 0xb1, 0xd4, 0x51, 0x85, 0x43,
		}},
	}
	for _, tt := range tests {
		got, err := BcryptPBKDF([]byte(tt.password), []byte(tt.salt), tt.rounds, len(tt.want))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tt.want) {
			t.Errorf("BcryptPBKDF(%q, %q, %d) = %x, want %x", tt.password, tt.salt, tt.rounds, got, tt.want)
		}
	}
	for _, bad := range []struct {
		pass, salt string
		rounds, n  int
	}{{"", "salt", 1, 32}, {"p", "", 1, 32}, {"p", "salt", 0, 32}, {"p", "salt", 1, 0}, {"p", "salt", 1, 1025}} {
		if _, err := BcryptPBKDF([]byte(bad.pass), []byte(bad.salt), bad.rounds, bad.n); err == nil {
			t.Errorf("BcryptPBKDF(%+v) succeeded", bad)
		}
	}
}

// TestEncryptReadByXCryptoAndSSHKeygen: the cheap keys are real OpenSSH
// keys, which x/crypto and ssh-keygen decrypt with the passphrase only.
func TestEncryptReadByXCryptoAndSSHKeygen(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	block, err := Encrypt(key, "cheap key", []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(block)
	raw, err := ssh.ParseRawPrivateKeyWithPassphrase(data, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := raw.(*ed25519.PrivateKey); !ok || !bytes.Equal(*got, key) {
		t.Fatalf("x/crypto read %T, want the key", raw)
	}
	if _, err := ssh.ParseRawPrivateKeyWithPassphrase(data, []byte("px")); err == nil {
		t.Error("x/crypto decrypted with a wrong passphrase")
	}

	keygen := testtool.Require(t, "ssh-keygen")
	path := filepath.Join(t.TempDir(), "id")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(keygen, "-y", "-P", "pw", "-f", path).Output()
	if err != nil {
		t.Fatalf("ssh-keygen -y: %v", err)
	}
	pub, _ := ssh.NewPublicKey(key.Public())
	if want := ssh.MarshalAuthorizedKey(pub); !bytes.Equal(bytes.Fields(out)[1], bytes.Fields(want)[1]) {
		t.Errorf("ssh-keygen -y printed %q, want %q", out, want)
	}
	if exec.Command(keygen, "-y", "-P", "px", "-f", path).Run() == nil {
		t.Error("ssh-keygen decrypted with a wrong passphrase")
	}
}
