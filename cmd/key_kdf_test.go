package cmd

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"
)

// kdfRoundsOf returns the bcrypt rounds in the header of the OpenSSH
// private key file at path (PROTOCOL.key), failing t if it is not an
// encrypted key.
func kdfRoundsOf(t *testing.T, path string) uint32 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	const magic = "openssh-key-v1\x00"
	if block == nil || len(block.Bytes) < len(magic) || string(block.Bytes[:len(magic)]) != magic {
		t.Fatalf("%s is not an OpenSSH private key", path)
	}
	var h struct {
		Cipher, KDF string
		KDFOpts     []byte
		Rest        []byte `ssh:"rest"`
	}
	var opts struct {
		Salt   []byte
		Rounds uint32
	}
	if err := ssh.Unmarshal(block.Bytes[len(magic):], &h); err != nil || h.KDF != "bcrypt" {
		t.Fatalf("%s: KDF %q, %v", path, h.KDF, err)
	}
	if err := ssh.Unmarshal(h.KDFOpts, &opts); err != nil {
		t.Fatal(err)
	}
	return opts.Rounds
}

// TestKeyNewKDFRounds: `key new` writes ssh-keygen's 16 bcrypt rounds, and
// nothing in the environment makes it write fewer (the variable that once
// did is set here to show it); only IO.EncryptKey, which tests set, does.
func TestKeyNewKDFRounds(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte("tulip\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t)
	h.encryptKey = nil // as SystemIO
	h.env["CONCORD_TEST_KDF_ROUNDS"] = "1"
	std := filepath.Join(dir, "std")
	h.mustRun(runOpts{}, "key", "new", "--output", std, "--passphrase-file", pass)
	if got := kdfRoundsOf(t, std); got != 16 {
		t.Errorf("key new wrote %d bcrypt rounds, want 16", got)
	}
	if err := unlock(std, "tulip"); err != nil {
		t.Error(err)
	}

	cheap := filepath.Join(dir, "cheap")
	newHarness(t).mustRun(runOpts{}, "key", "new", "--output", cheap, "--passphrase-file", pass)
	if got := kdfRoundsOf(t, cheap); got != 1 {
		t.Errorf("with the test encrypter key new wrote %d bcrypt rounds, want 1", got)
	}
}
