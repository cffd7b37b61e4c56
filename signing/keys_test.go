package signing

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/internal/testkeys"
	"github.com/concord-ledger/concord/internal/testtool"
)

// testRand returns a deterministic source of randomness for tests.
func testRand(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return mrand.NewChaCha8(s)
}

// testKey returns a deterministic ed25519 key.
func testKey(t testing.TB, seed byte) ed25519.PrivateKey {
	t.Helper()
	k, err := GenerateKey(testRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// cheap returns options that write an encrypted key with pass under a cheap
// KDF (internal/testkeys); the standard KDF costs a fifth of a second.
func cheap(comment, pass string) PrivateKeyOptions {
	return PrivateKeyOptions{Comment: comment, Passphrase: []byte(pass), Encrypt: testkeys.Encrypt}
}

// armor returns body as an OPENSSH PRIVATE KEY PEM file.
func armor(body []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: pemTypeOpenSSH, Bytes: body})
}

func fixedPass(p string) PassphraseFunc {
	return func() ([]byte, error) { return []byte(p), nil }
}

// noPassAsked fails t if the passphrase is asked for.
func noPassAsked(t testing.TB) PassphraseFunc {
	return func() ([]byte, error) {
		t.Errorf("passphrase asked for an unencrypted key")
		return nil, errors.New("unexpected passphrase request")
	}
}

// isA reports whether err is, or wraps, an error of type T.
func isA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// checkMessage checks err's message is one lowercase line.
func checkMessage(t testing.TB, err error) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error message has several lines: %q", msg)
	}
	if r := []rune(msg)[0]; unicode.IsUpper(r) {
		t.Errorf("error message starts with a capital: %q", msg)
	}
}

func writeFile(t testing.TB, path string, data []byte, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // the umask may have cut bits
		t.Fatal(err)
	}
}

func sshPub(t testing.TB, key ed25519.PrivateKey) ssh.PublicKey {
	t.Helper()
	pub, err := ssh.NewPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestGenerateKey(t *testing.T) {
	a, b := testKey(t, 1), testKey(t, 1)
	if !bytes.Equal(a, b) {
		t.Error("the same randomness gave different keys")
	}
	if c := testKey(t, 2); bytes.Equal(a, c) {
		t.Error("different randomness gave the same key")
	}
	if !bytes.Equal(ed25519.NewKeyFromSeed(a.Seed()), a) {
		t.Error("key is not consistent with its seed")
	}
	if _, err := GenerateKey(nil); err == nil {
		t.Error("GenerateKey(nil) succeeded")
	}
	if _, err := GenerateKey(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Error("GenerateKey with 31 bytes of randomness succeeded")
	}
}

// TestMarshalPrivateKeyRoundTrip checks that keys concord writes (through
// x/crypto, or the test-only cheap writer) are read back by concord with
// their comment, are written with the cipher and KDF rounds expected, and
// that keys x/crypto writes are read by concord.
func TestMarshalPrivateKeyRoundTrip(t *testing.T) {
	key := testKey(t, 3)
	tests := []struct {
		name       string
		opts       PrivateKeyOptions
		wantRounds uint32 // 0: unencrypted
	}{
		{"unencrypted", PrivateKeyOptions{Comment: "alice@example"}, 0},
		{"unencrypted no comment", PrivateKeyOptions{}, 0},
		{"encrypted cheap", cheap("Алия 李", "correct horse"), testkeys.Rounds},
		{"encrypted standard", PrivateKeyOptions{Comment: "bob", Passphrase: []byte("pw")}, DefaultKDFRounds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := MarshalPrivateKey(key, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			again, err := MarshalPrivateKey(key, tt.opts)
			if err != nil || bytes.Equal(data, again) {
				t.Errorf("two writings of one key are the same (check bytes and salt must be random): %v", err)
			}
			pass, wantComment := noPassAsked(t), tt.opts.Comment
			if tt.wantRounds != 0 {
				pass, wantComment = fixedPass(string(tt.opts.Passphrase)), "" // x/crypto does not return the comment of an encrypted key
			}
			got, comment, err := parsePrivateKey("", data, pass)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, key) || comment != wantComment {
				t.Errorf("read back key %x comment %q, want %x %q", got, comment, key, wantComment)
			}
			if tt.wantRounds != 0 {
				if _, _, err := parsePrivateKey("", data, fixedPass(string(tt.opts.Passphrase)+"x")); !isA[*WrongPassphraseError](err) {
					t.Errorf("wrong passphrase: %v, want *WrongPassphraseError", err)
				}
			}

			f, err := parsePrivateKeyFile("", data)
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode(data)
			_, kdf, _ := parseKeyHeader(block.Bytes)
			switch {
			case tt.wantRounds == 0 && (f.encrypted || f.header.Cipher != "none"):
				t.Errorf("written with cipher %s, want none", f.header.Cipher)
			case tt.wantRounds != 0 && (f.header.Cipher != "aes256-ctr" || kdf == nil || kdf.Rounds != tt.wantRounds || len(kdf.Salt) != 16):
				t.Errorf("written with %s and KDF options %+v; want aes256-ctr, %d rounds and 16 bytes of salt", f.header.Cipher, kdf, tt.wantRounds)
			}
		})
	}

	t.Run("written by x/crypto", func(t *testing.T) {
		for _, pass := range []string{"", "secret"} {
			var block *pem.Block
			var err error
			if pass == "" {
				block, err = ssh.MarshalPrivateKey(key, "from x/crypto")
			} else {
				block, err = ssh.MarshalPrivateKeyWithPassphrase(key, "from x/crypto", []byte(pass))
			}
			if err != nil {
				t.Fatal(err)
			}
			got, comment, err := parsePrivateKey("", pem.EncodeToMemory(block), fixedPass(pass))
			if err != nil {
				t.Fatalf("passphrase %q: %v", pass, err)
			}
			if want := map[string]string{"": "from x/crypto"}[pass]; !bytes.Equal(got, key) || comment != want {
				t.Errorf("passphrase %q: read a different key or comment %q, want %q", pass, comment, want)
			}
		}
	})
}

func TestMarshalPrivateKeyRefusals(t *testing.T) {
	key := testKey(t, 4)
	bad := append(ed25519.PrivateKey{}, key...)
	bad[40] ^= 1 // public half no longer matches the seed
	failing := func(ed25519.PrivateKey, string, []byte) (*pem.Block, error) { return nil, errors.New("no entropy") }
	tests := []struct {
		name string
		key  ed25519.PrivateKey
		opts PrivateKeyOptions
	}{
		{"short key", key[:63], cheap("", "pw")},
		{"inconsistent key", bad, cheap("", "pw")},
		{"inconsistent key unencrypted", bad, PrivateKeyOptions{}},
		{"newline in comment", key, cheap("a\nb", "pw")},
		{"escape in comment", key, cheap("a\x1b[31m", "pw")},
		{"invalid utf-8 comment", key, cheap("a\xff", "pw")},
		{"leading space in comment", key, cheap(" a", "pw")},
		{"encrypter fails", key, PrivateKeyOptions{Passphrase: []byte("pw"), Encrypt: failing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := MarshalPrivateKey(tt.key, tt.opts)
			if err == nil {
				t.Fatalf("succeeded: %s", out)
			}
			checkMessage(t, err)
		})
	}
}

// rawKey is an unencrypted OpenSSH private key taken apart, so tests can
// break one field at a time.
type rawKey struct {
	cipher, kdf    string
	kdfOpts        []byte
	nkeys          uint32
	pub            []byte
	check1, check2 uint32
	typ            string
	sPub, sPriv    []byte
	comment        string
	pad            []byte // nil: pad to 8 with 1, 2, 3…
	trailer        []byte
}

func goodRawKey(key ed25519.PrivateKey) rawKey {
	pub := key.Public().(ed25519.PublicKey)
	return rawKey{
		cipher: "none", kdf: "none", kdfOpts: []byte{}, nkeys: 1,
		pub:    ssh.Marshal(struct{ T, K string }{"ssh-ed25519", string(pub)}),
		check1: 0xdeadbeef, check2: 0xdeadbeef, typ: "ssh-ed25519",
		sPub: pub, sPriv: key, comment: "raw",
	}
}

func (r rawKey) encode() []byte {
	section := ssh.Marshal(struct {
		C1, C2  uint32
		Typ     string
		Pub     []byte
		Priv    []byte
		Comment string
	}{r.check1, r.check2, r.typ, r.sPub, r.sPriv, r.comment})
	if r.pad == nil {
		for i := byte(1); len(section)%8 != 0; i++ {
			section = append(section, i)
		}
	} else {
		section = append(section, r.pad...)
	}
	body := []byte(opensshMagic)
	body = append(body, ssh.Marshal(struct {
		Cipher, KDF string
		Opts        []byte
		N           uint32
		Pub         []byte
		Section     []byte
	}{r.cipher, r.kdf, r.kdfOpts, r.nkeys, r.pub, section})...)
	return armor(append(body, r.trailer...))
}

// rewriteHeader returns the encrypted key file data with its header changed
// by f (the private section is left as it is).
func rewriteHeader(data []byte, f func(h *keyHeader, kdf *bcryptOptions)) []byte {
	block, _ := pem.Decode(data)
	h, kdf, err := parseKeyHeader(block.Bytes)
	if err != nil || kdf == nil {
		panic("rewriteHeader: not an encrypted key")
	}
	f(h, kdf)
	if h.KDFOpts == nil {
		h.KDFOpts = ssh.Marshal(kdf)
	}
	return armor(append([]byte(opensshMagic), ssh.Marshal(h)...))
}

// withKDF returns the encrypted key file data with another cipher name and
// bcrypt rounds in its header.
func withKDF(data []byte, cipher string, rounds uint32) []byte {
	return rewriteHeader(data, func(h *keyHeader, kdf *bcryptOptions) {
		h.Cipher, kdf.Rounds, h.KDFOpts = cipher, rounds, nil
	})
}

// withKDFOpts returns the encrypted key file data with other KDF options.
func withKDFOpts(data, opts []byte) []byte {
	return rewriteHeader(data, func(h *keyHeader, _ *bcryptOptions) { h.KDFOpts = opts })
}

// refusedBeforeAsking fails t if the passphrase is asked for: the key must
// be refused from its header alone.
func refusedBeforeAsking(t testing.TB) PassphraseFunc {
	return func() ([]byte, error) {
		t.Error("passphrase asked for a key that is refused")
		return nil, errors.New("x")
	}
}

func TestParsePrivateKey(t *testing.T) {
	key := testKey(t, 5)
	other := testKey(t, 6)
	enc, err := MarshalPrivateKey(key, cheap("enc", "right"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := MarshalPrivateKey(key, PrivateKeyOptions{Comment: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(testRand(7), 1024)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), testRand(8))
	if err != nil {
		t.Fatal(err)
	}
	opensshOf := func(k any) []byte {
		b, err := ssh.MarshalPrivateKey(k, "")
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(b)
	}
	pkcs8Of := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	raw := func(f func(*rawKey)) []byte {
		r := goodRawKey(key)
		f(&r)
		return r.encode()
	}
	block, _ := pem.Decode(plain)
	missing := func() ([]byte, error) {
		return nil, &PassphraseMissingError{Reason: "no terminal"}
	}

	tests := []struct {
		name    string
		data    []byte
		pass    PassphraseFunc
		want    func(error) bool // nil: success
		comment string
	}{
		{"unencrypted", plain, noPassAsked(t), nil, "plain"},
		{"encrypted", enc, fixedPass("right"), nil, ""}, // x/crypto does not return the comment of an encrypted key
		{"well-formed raw key", raw(func(*rawKey) {}), noPassAsked(t), nil, "raw"},
		{"64 column PEM", pem.EncodeToMemory(block), noPassAsked(t), nil, "plain"},
		{"CRLF line endings", bytes.ReplaceAll(plain, []byte("\n"), []byte("\r\n")), noPassAsked(t), nil, "plain"},

		{"wrong passphrase", enc, fixedPass("wrong"), isA[*WrongPassphraseError], ""},
		{"wrong passphrase is ErrWrongPassphrase", enc, fixedPass("wrong"), func(err error) bool { return errors.Is(err, ErrWrongPassphrase) }, ""},
		{"empty passphrase", enc, fixedPass(""), isA[*WrongPassphraseError], ""},
		{"passphrase missing", enc, missing, isA[*PassphraseMissingError], ""},
		{"no passphrase func", enc, nil, isA[*PassphraseMissingError], ""},
		{"passphrase func fails", enc, func() ([]byte, error) { return nil, errors.New("boom") }, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "boom") && !isA[*WrongPassphraseError](err)
		}, ""},

		{"rsa in openssh format", opensshOf(rsaKey), noPassAsked(t), isA[*KeyTypeError], ""},
		{"ecdsa in openssh format", opensshOf(ecKey), noPassAsked(t), isA[*KeyTypeError], ""},
		{"rsa in PKCS#1 PEM", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}), noPassAsked(t), isA[*KeyTypeError], ""},
		{"ecdsa in PKCS#8", pkcs8Of(ecKey), noPassAsked(t), isA[*KeyTypeError], ""},
		{"ed25519 in PKCS#8", pkcs8Of(key), noPassAsked(t), isA[*KeyFormatError], ""},

		{"empty", nil, noPassAsked(t), isA[*KeyFormatError], ""},
		{"garbage", []byte("hello, world\n"), noPassAsked(t), isA[*KeyFormatError], ""},
		{"public key", MarshalPublicKey(sshPub(t, key), "c"), noPassAsked(t), isA[*NotPrivateKeyError], ""},
		{"rsa public key", []byte("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 x\n"), noPassAsked(t), isA[*NotPrivateKeyError], ""},
		{"truncated armor", plain[:len(plain)/2], noPassAsked(t), isA[*KeyFormatError], ""},
		{"truncated body", armor(block.Bytes[:len(block.Bytes)-9]), noPassAsked(t), isA[*KeyFormatError], ""},
		{"truncated encrypted body", func() []byte { b, _ := pem.Decode(enc); return armor(b.Bytes[:len(b.Bytes)-16]) }(), fixedPass("right"), isA[*KeyFormatError], ""},
		{"trailing text", append(append([]byte{}, plain...), "more\n"...), noPassAsked(t), isA[*KeyFormatError], ""},
		{"text before", append([]byte("junk\n"), plain...), noPassAsked(t), isA[*KeyFormatError], ""},
		{"PEM headers", pem.EncodeToMemory(&pem.Block{Type: pemTypeOpenSSH, Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: block.Bytes}), noPassAsked(t), isA[*KeyFormatError], ""},
		{"other PEM type", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes}), noPassAsked(t), isA[*KeyFormatError], ""},
		{"bad magic", armor(append([]byte("openssh-key-v2\x00"), block.Bytes[15:]...)), noPassAsked(t), isA[*KeyFormatError], ""},
		{"trailing bytes in body", raw(func(r *rawKey) { r.trailer = []byte{0} }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"two keys", raw(func(r *rawKey) { r.nkeys = 2 }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"zero keys", raw(func(r *rawKey) { r.nkeys = 0 }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"unknown cipher", raw(func(r *rawKey) { r.cipher = "rot13" }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"cipher x/crypto cannot decrypt", withKDF(enc, "aes128-ctr", 1), refusedBeforeAsking(t), isA[*KeyCipherError], ""},
		{"gcm cipher", withKDF(enc, "aes256-gcm@openssh.com", 1), refusedBeforeAsking(t), isA[*KeyCipherError], ""},
		{"aes256-cbc of a ctr key is a wrong passphrase", withKDF(enc, "aes256-cbc", 1), fixedPass("right"), isA[*WrongPassphraseError], ""},
		{"kdf rounds 0", withKDF(enc, "aes256-ctr", 0), refusedBeforeAsking(t), isA[*KeyFormatError], ""},
		{"kdf rounds 2^32-1", withKDF(enc, "aes256-ctr", 1<<32-1), refusedBeforeAsking(t), isA[*KeyFormatError], ""},
		{"kdf without salt", withKDFOpts(enc, ssh.Marshal(bcryptOptions{Rounds: 1})), refusedBeforeAsking(t), isA[*KeyFormatError], ""},
		{"kdf options with trailing bytes", withKDFOpts(enc, append(ssh.Marshal(bcryptOptions{Salt: []byte("s"), Rounds: 1}), 0)), refusedBeforeAsking(t), isA[*KeyFormatError], ""},
		{"unknown kdf", raw(func(r *rawKey) {
			r.cipher, r.kdf, r.kdfOpts = "aes256-ctr", "scrypt", ssh.Marshal(bcryptOptions{Salt: []byte("s"), Rounds: 1})
		}), refusedBeforeAsking(t), isA[*KeyFormatError], ""},
		{"kdf without cipher", raw(func(r *rawKey) { r.kdf = "bcrypt" }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"check bytes differ", raw(func(r *rawKey) { r.check2++ }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"bad padding", raw(func(r *rawKey) { r.pad = []byte{1, 2, 4} }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"padding a whole block", raw(func(r *rawKey) { r.pad = []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11} }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"section not block aligned", raw(func(r *rawKey) { r.pad = []byte{1} }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"private type differs", raw(func(r *rawKey) { r.typ = "ssh-rsa" }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"header key of another key", raw(func(r *rawKey) { r.pub = goodRawKey(other).pub }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"private half of another key", raw(func(r *rawKey) { r.sPriv = other }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"public half inconsistent", raw(func(r *rawKey) { r.sPub = other.Public().(ed25519.PublicKey) }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"short private key", raw(func(r *rawKey) { r.sPriv = key[:32] }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"header type rsa", raw(func(r *rawKey) { r.pub = ssh.Marshal(struct{ T, K string }{"ssh-rsa", "x"}) }), noPassAsked(t), isA[*KeyTypeError], ""},
		{"header unknown type", raw(func(r *rawKey) { r.pub = ssh.Marshal(struct{ T, K string }{"ssh-foo", "x"}) }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"header key truncated", raw(func(r *rawKey) { r.pub = r.pub[:len(r.pub)-1] }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"control character in comment", raw(func(r *rawKey) { r.comment = "evil\x1b]0;x\x07" }), noPassAsked(t), isA[*KeyFormatError], ""},
		{"kdf rounds over the limit", withKDF(enc, "aes256-ctr", MaxKDFRounds+1), refusedBeforeAsking(t), isA[*KeyFormatError], ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signer, err := ParsePrivateKey(tt.data, tt.pass)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !SameKey(signer.PublicKey(), sshPub(t, key)) {
					t.Error("wrong public key")
				}
				sig, err := signer.Sign(nil, []byte("msg"))
				if err != nil || signer.PublicKey().Verify([]byte("msg"), sig) != nil {
					t.Errorf("signer does not make valid signatures: %v", err)
				}
				_, comment, _ := parsePrivateKey("", tt.data, tt.pass)
				if comment != tt.comment {
					t.Errorf("comment %q, want %q", comment, tt.comment)
				}
				return
			}
			if err == nil {
				t.Fatal("succeeded, want an error")
			}
			if !tt.want(err) {
				t.Errorf("wrong error (%T): %v", err, err)
			}
			checkMessage(t, err)
		})
	}
}

func TestLoadPrivateKey(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t, 10)
	plain, err := MarshalPrivateKey(key, PrivateKeyOptions{Comment: "c"})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := MarshalPrivateKey(key, cheap("c", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	path := func(name string) string { return filepath.Join(dir, name) }
	writeFile(t, path("plain"), plain, 0o600)
	writeFile(t, path("readonly"), plain, 0o400)
	writeFile(t, path("enc"), enc, 0o600)
	writeFile(t, path("group"), plain, 0o640)
	writeFile(t, path("other"), enc, 0o604)
	writeFile(t, path("groupwrite"), plain, 0o620)
	writeFile(t, path("big"), append(bytes.Repeat([]byte(" "), MaxKeyFileSize+1-len(plain)), plain...), 0o600)
	writeFile(t, path("max"), append(append([]byte{}, plain...), bytes.Repeat([]byte("\n"), MaxKeyFileSize-len(plain))...), 0o600)
	writeFile(t, path("garbage"), []byte("not a key"), 0o600)
	writeFile(t, path("plain.pub"), MarshalPublicKey(sshPub(t, key), "c"), 0o644)
	writeFile(t, path("group-garbage"), []byte("not a key"), 0o640)
	if err := os.Mkdir(path("folder"), 0o700); err != nil {
		t.Fatal(err)
	}
	sockDir, err := os.MkdirTemp("", "ck")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	l, err := net.Listen("unix", filepath.Join(sockDir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.Symlink(path("plain"), path("link")); err != nil {
		t.Fatal(err)
	}

	calls := 0
	counting := func() ([]byte, error) { calls++; return []byte("pw"), nil }
	tests := []struct {
		name string
		path string
		pass PassphraseFunc
		want func(error) bool
	}{
		{"unencrypted 0600", path("plain"), noPassAsked(t), nil},
		{"unencrypted 0400", path("readonly"), noPassAsked(t), nil},
		{"encrypted", path("enc"), counting, nil},
		{"symbolic link", path("link"), noPassAsked(t), nil},
		{"exactly the size limit", path("max"), noPassAsked(t), nil},
		{"group readable", path("group"), noPassAsked(t), isA[*KeyPermissionError]},
		{"others readable encrypted", path("other"), noPassAsked(t), isA[*KeyPermissionError]},
		{"group writable", path("groupwrite"), noPassAsked(t), isA[*KeyPermissionError]},
		{"over the size limit", path("big"), noPassAsked(t), isA[*KeySizeError]},
		{"folder", path("folder"), noPassAsked(t), isA[*KeyFileError]},
		{"socket", filepath.Join(sockDir, "s"), noPassAsked(t), isA[*KeyFileError]},
		{"missing", path("nope"), noPassAsked(t), func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{"garbage", path("garbage"), noPassAsked(t), isA[*KeyFormatError]},
		{"group readable garbage", path("group-garbage"), noPassAsked(t), isA[*KeyPermissionError]},
		{"public key file (0644)", path("plain.pub"), noPassAsked(t), isA[*NotPrivateKeyError]},
		{"wrong passphrase", path("enc"), fixedPass("nope"), isA[*WrongPassphraseError]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signer, err := LoadPrivateKey(tt.path, tt.pass)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !SameKey(signer.PublicKey(), sshPub(t, key)) {
					t.Error("wrong key")
				}
				return
			}
			if err == nil {
				t.Fatal("succeeded, want an error")
			}
			if !tt.want(err) {
				t.Errorf("wrong error (%T): %v", err, err)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error does not name the file: %v", err)
			}
			checkMessage(t, err)
		})
	}
	if calls != 1 {
		t.Errorf("passphrase asked %d times for one encrypted key, want 1", calls)
	}

	_, err = LoadPrivateKey(path("group"), nil)
	var pe *KeyPermissionError
	if !errors.As(err, &pe) || pe.Hint() != "chmod 600 "+path("group") || pe.Mode != 0o640 {
		t.Errorf("permission error %#v, want mode 0640 and hint chmod 600", err)
	}
	_, err = LoadPrivateKey(path("enc"), func() ([]byte, error) { return nil, &PassphraseMissingError{Reason: "r", NextStep: "n"} })
	var pm *PassphraseMissingError
	if !errors.As(err, &pm) || pm.Path != path("enc") || pm.Hint() != "n" {
		t.Errorf("missing passphrase error %#v, want the key path filled in and the hint kept", err)
	}
	_, err = LoadPrivateKey(path("plain.pub"), nil)
	if want := `"` + path("plain.pub") + `" is a public key, not a private key`; err == nil || err.Error() != want {
		t.Errorf("public key file: %v, want %q", err, want)
	}
	var npe *NotPrivateKeyError
	if !errors.As(err, &npe) || npe.Hint() != "give the private key file, "+path("plain")+", not its .pub" {
		t.Errorf("public key file: hint of %#v", err)
	}
	_, err = LoadPrivateKey(path("big"), nil)
	var se *KeySizeError
	if !errors.As(err, &se) || se.Size != MaxKeyFileSize+1 {
		t.Errorf("size error %#v, want size %d", err, MaxKeyFileSize+1)
	}
}

func TestParseAuthorizedKey(t *testing.T) {
	key := testKey(t, 11)
	pub := sshPub(t, key)
	b64 := base64.StdEncoding.EncodeToString(pub.Marshal())
	rsaKey, err := rsa.GenerateKey(testRand(7), 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, err := ssh.NewPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rsaB64 := base64.StdEncoding.EncodeToString(rsaPub.Marshal())

	tests := []struct {
		name    string
		line    string
		want    func(error) bool // nil: success
		comment string
	}{
		{"no comment", "ssh-ed25519 " + b64, nil, ""},
		{"comment and newline", "ssh-ed25519 " + b64 + " alice@example\n", nil, "alice@example"},
		{"CRLF", "ssh-ed25519 " + b64 + " a b\r\n", nil, "a b"},
		{"blanks", " \tssh-ed25519\t\t" + b64 + "  Алия  李 \t\n", nil, "Алия  李"},
		{"empty", "", isA[*KeyFormatError], ""},
		{"only newline", "\n", isA[*KeyFormatError], ""},
		{"rsa", "ssh-rsa " + rsaB64 + " r", isA[*KeyTypeError], ""},
		{"ecdsa label", "ecdsa-sha2-nistp256 " + b64, isA[*KeyTypeError], ""},
		{"rsa blob under ed25519 label", "ssh-ed25519 " + rsaB64, isA[*KeyFormatError], ""},
		{"options", `from="*" ssh-ed25519 ` + b64, isA[*KeyFormatError], ""},
		{"two lines", "ssh-ed25519 " + b64 + "\nssh-ed25519 " + b64 + "\n", isA[*KeyFormatError], ""},
		{"CR inside", "ssh-ed25519 " + b64 + " a\rb", isA[*KeyFormatError], ""},
		{"no key", "ssh-ed25519", isA[*KeyFormatError], ""},
		{"bad base64", "ssh-ed25519 AAAA*AAA", isA[*KeyFormatError], ""},
		{"base64 cut short", "ssh-ed25519 " + b64[:len(b64)-1], isA[*KeyFormatError], ""},
		{"base64 with extra padding", "ssh-ed25519 " + b64 + "====", isA[*KeyFormatError], ""},
		{"non-canonical base64", "ssh-ed25519 " + base64.StdEncoding.EncodeToString(pub.Marshal()[:50])[:66] + "B=", isA[*KeyFormatError], ""},
		{"truncated key", "ssh-ed25519 " + base64.StdEncoding.EncodeToString(pub.Marshal()[:40]), isA[*KeyFormatError], ""},
		{"trailing key bytes", "ssh-ed25519 " + base64.StdEncoding.EncodeToString(append(pub.Marshal(), 0)), isA[*KeyFormatError], ""},
		{"escape in comment", "ssh-ed25519 " + b64 + " a\x1b[2Jb", isA[*KeyFormatError], ""},
		{"invalid utf-8 comment", "ssh-ed25519 " + b64 + " \xff", isA[*KeyFormatError], ""},
		{"private key", "-----BEGIN OPENSSH PRIVATE KEY-----", isA[*KeyFormatError], ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, comment, err := ParseAuthorizedKey([]byte(tt.line))
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !SameKey(got, pub) || comment != tt.comment {
					t.Errorf("got %s %q, want the key and %q", MarshalPublicKey(got, ""), comment, tt.comment)
				}
				if p, err := ParsePublicKey([]byte(tt.line)); err != nil || !SameKey(p, pub) {
					t.Errorf("ParsePublicKey disagrees: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("succeeded, want an error")
			}
			if !tt.want(err) {
				t.Errorf("wrong error (%T): %v", err, err)
			}
			checkMessage(t, err)
		})
	}
}

func TestMarshalPublicKeyAndFingerprint(t *testing.T) {
	pub := sshPub(t, testKey(t, 12))
	b64 := base64.StdEncoding.EncodeToString(pub.Marshal())
	if got, want := string(MarshalPublicKey(pub, "")), "ssh-ed25519 "+b64+"\n"; got != want {
		t.Errorf("MarshalPublicKey = %q, want %q", got, want)
	}
	if got, want := string(MarshalPublicKey(pub, "a b")), "ssh-ed25519 "+b64+" a b\n"; got != want {
		t.Errorf("MarshalPublicKey = %q, want %q", got, want)
	}
	sum := sha256.Sum256(pub.Marshal())
	fp := "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
	if got := Fingerprint(pub); got != fp {
		t.Errorf("Fingerprint = %q, want %q", got, fp)
	}
	if got, want := FingerprintLine(pub, "alice"), "256 "+fp+" alice (ED25519)"; got != want {
		t.Errorf("FingerprintLine = %q, want %q", got, want)
	}
	if got, want := FingerprintLine(pub, ""), "256 "+fp+" no comment (ED25519)"; got != want {
		t.Errorf("FingerprintLine = %q, want %q", got, want)
	}
}

func TestSameKey(t *testing.T) {
	a := sshPub(t, testKey(t, 13))
	b := sshPub(t, testKey(t, 14))
	a2, _, err := ParseAuthorizedKey(MarshalPublicKey(a, "another comment"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		x, y ssh.PublicKey
		want bool
	}{
		{"same", a, a, true},
		{"same key parsed again", a, a2, true},
		{"different", a, b, false},
		{"nil", a, nil, false},
		{"both nil", nil, nil, false},
	}
	for _, tt := range tests {
		if got := SameKey(tt.x, tt.y); got != tt.want {
			t.Errorf("%s: SameKey = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// listDir returns the names in dir with their contents.
func listDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		m[e.Name()] = string(b)
	}
	return m
}

func sameDir(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestCreateKeyFiles(t *testing.T) {
	for _, o := range []PrivateKeyOptions{
		{Comment: "me"},
		cheap("me", "pw"),
		{Comment: "me", Passphrase: []byte("standard")}, // the KDF concord uses: x/crypto's, 16 rounds
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "id")
		pub, err := CreateKeyFiles(path, testRand(20), o)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("private key mode %04o, want 0600", fi.Mode().Perm())
		}
		pubData, err := os.ReadFile(path + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pubData, MarshalPublicKey(pub, "me")) {
			t.Errorf(".pub holds %q", pubData)
		}
		signer, err := LoadPrivateKey(path, fixedPass(string(o.Passphrase)))
		if err != nil {
			t.Fatal(err)
		}
		if !SameKey(signer.PublicKey(), pub) {
			t.Error("the private key is not the returned public key")
		}
		f, err := parsePrivateKeyFile(path, mustRead(t, path))
		if err != nil {
			t.Fatal(err)
		}
		if f.encrypted != (len(o.Passphrase) > 0) {
			t.Errorf("passphrase %q: encrypted = %v", o.Passphrase, f.encrypted)
		}
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCreateKeyFilesRefusals(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(dir string) string // returns the output path
		comment string
		want    func(error) bool // nil: any error
	}{
		{"private exists", func(dir string) string {
			writeFile(t, filepath.Join(dir, "id"), []byte("old"), 0o600)
			return filepath.Join(dir, "id")
		}, "ok", isA[*KeyExistsError]},
		{"public exists", func(dir string) string {
			writeFile(t, filepath.Join(dir, "id.pub"), []byte("old"), 0o644)
			return filepath.Join(dir, "id")
		}, "ok", isA[*KeyExistsError]},
		{"dangling symbolic link", func(dir string) string {
			if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "id")); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(dir, "id")
		}, "ok", isA[*KeyExistsError]},
		{"no such folder", func(dir string) string {
			return filepath.Join(dir, "missing", "id")
		}, "ok", func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{"bad comment", func(dir string) string {
			return filepath.Join(dir, "id")
		}, "bad\ncomment", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(dir)
			before := listDir(t, dir)
			_, err := CreateKeyFiles(path, testRand(1), cheap(tt.comment, "pw"))
			if err == nil {
				t.Fatal("succeeded, want an error")
			}
			if tt.want != nil && !tt.want(err) {
				t.Errorf("wrong error (%T): %v", err, err)
			}
			checkMessage(t, err)
			if after := listDir(t, dir); !sameDir(before, after) {
				t.Errorf("files changed: before %v, after %v", before, after)
			}
		})
	}

	t.Run("public key write fails", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "id")
		failPub := func(p string, data []byte, perm fs.FileMode) error {
			if strings.HasSuffix(p, ".pub") {
				return errors.New("disk full")
			}
			return writeNewKeyFile(p, data, perm)
		}
		_, err := createKeyFiles(path, testRand(1), PrivateKeyOptions{}, failPub)
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("err = %v, want the write error", err)
		}
		if got := listDir(t, dir); len(got) != 0 {
			t.Errorf("files left behind: %v", got)
		}
	})
}

func TestReadKeyInfo(t *testing.T) {
	key := testKey(t, 30)
	pub := sshPub(t, key)
	other := sshPub(t, testKey(t, 31))
	plain, _ := MarshalPrivateKey(key, PrivateKeyOptions{Comment: "inside"})
	enc, _ := MarshalPrivateKey(key, cheap("inside", "pw"))
	tests := []struct {
		name    string
		files   map[string][]byte // name -> contents; "k" is read
		mode    fs.FileMode
		want    func(error) bool
		comment string
		private bool
		encrypt bool
	}{
		{"unencrypted alone", map[string][]byte{"k": plain}, 0o600, nil, "inside", true, false},
		{"encrypted alone", map[string][]byte{"k": enc}, 0o600, nil, "", true, true},
		{"encrypted with .pub", map[string][]byte{"k": enc, "k.pub": MarshalPublicKey(pub, "outside")}, 0o600, nil, "outside", true, true},
		{"unencrypted with .pub", map[string][]byte{"k": plain, "k.pub": MarshalPublicKey(pub, "outside")}, 0o600, nil, "outside", true, false},
		{"public key file", map[string][]byte{"k": MarshalPublicKey(pub, "pubc")}, 0o644, nil, "pubc", false, false},
		{"public key file ignores k.pub", map[string][]byte{"k": MarshalPublicKey(pub, "pubc"), "k.pub": MarshalPublicKey(other, "")}, 0o644, nil, "pubc", false, false},
		{".pub of another key", map[string][]byte{"k": enc, "k.pub": MarshalPublicKey(other, "x")}, 0o600, isA[*KeyMismatchError], "", false, false},
		{"bad .pub", map[string][]byte{"k": enc, "k.pub": []byte("junk")}, 0o600, isA[*KeyFormatError], "", false, false},
		{"private readable by others", map[string][]byte{"k": enc}, 0o644, isA[*KeyPermissionError], "", false, false},
		{"rsa public key", map[string][]byte{"k": []byte("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 x\n")}, 0o644, isA[*KeyTypeError], "", false, false},
		{"garbage", map[string][]byte{"k": []byte("garbage")}, 0o600, isA[*KeyFormatError], "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				mode := fs.FileMode(0o644)
				if name == "k" {
					mode = tt.mode
				}
				writeFile(t, filepath.Join(dir, name), data, mode)
			}
			info, err := ReadKeyInfo(filepath.Join(dir, "k"))
			if tt.want != nil {
				if err == nil || !tt.want(err) {
					t.Fatalf("err = %v (%T), want another error", err, err)
				}
				checkMessage(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !SameKey(info.PublicKey, pub) || info.Comment != tt.comment || info.Private != tt.private || info.Encrypted != tt.encrypt {
				t.Errorf("got %+v, want comment %q private %v encrypted %v", info, tt.comment, tt.private, tt.encrypt)
			}
		})
	}
}

func TestLoadPublicKeyFile(t *testing.T) {
	dir := t.TempDir()
	pub := sshPub(t, testKey(t, 40))
	good := filepath.Join(dir, "good.pub")
	writeFile(t, good, MarshalPublicKey(pub, "c"), 0o644)
	got, err := LoadPublicKeyFile(good)
	if err != nil || !SameKey(got, pub) {
		t.Fatalf("LoadPublicKeyFile = %v, %v", got, err)
	}
	big := filepath.Join(dir, "big.pub")
	writeFile(t, big, bytes.Repeat([]byte("a"), MaxKeyFileSize+1), 0o644)
	if _, err := LoadPublicKeyFile(big); !isA[*KeySizeError](err) {
		t.Errorf("oversized file: %v", err)
	}
	if _, err := LoadPublicKeyFile(dir); !isA[*KeyFileError](err) {
		t.Errorf("folder: %v", err)
	}
}

// --- interoperability with OpenSSH ---

// runTool runs an outside program and returns its stdout, failing t if it
// fails.
func runTool(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var stderr []byte
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// TestSSHKeygenReadsConcordKeys: keys concord writes are read by ssh-keygen.
func TestSSHKeygenReadsConcordKeys(t *testing.T) {
	keygen := testtool.Require(t, "ssh-keygen")
	tests := []struct {
		name    string
		pass    string
		encrypt EncryptFunc
	}{
		{"unencrypted", "", nil},
		{"encrypted cheap", "s3cret pass", testkeys.Encrypt},
		{"encrypted standard", "pw", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "id")
			o := PrivateKeyOptions{Comment: "concord key", Passphrase: []byte(tt.pass), Encrypt: tt.encrypt}
			pub, err := CreateKeyFiles(path, testRand(50), o)
			if err != nil {
				t.Fatal(err)
			}
			out := runTool(t, keygen, "-y", "-P", tt.pass, "-f", path)
			if got, want := out, string(MarshalPublicKey(pub, "concord key")); got != want {
				t.Errorf("ssh-keygen -y printed %q, want %q", got, want)
			}
			if tt.pass != "" {
				if err := exec.Command(keygen, "-y", "-P", "wrong", "-f", path).Run(); err == nil {
					t.Error("ssh-keygen decrypted the key with a wrong passphrase")
				}
			}
			fp := runTool(t, keygen, "-l", "-f", path)
			info, err := ReadKeyInfo(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := FingerprintLine(info.PublicKey, info.Comment) + "\n"; got != fp {
				t.Errorf("fingerprint line %q, ssh-keygen -l prints %q", got, fp)
			}
		})
	}
}

// TestConcordReadsSSHKeygenKeys: ed25519 keys made by ssh-keygen load as
// they are; other types are refused with *KeyTypeError.
func TestConcordReadsSSHKeygenKeys(t *testing.T) {
	keygen := testtool.Require(t, "ssh-keygen")
	tests := []struct {
		name string
		args []string // after -f FILE -C comment
		pass string
		want func(error) bool
	}{
		{"ed25519 encrypted", []string{"-t", "ed25519", "-N", "pass phrase"}, "pass phrase", nil},
		{"ed25519 unencrypted", []string{"-t", "ed25519", "-N", ""}, "", nil},
		{"ed25519 3 rounds", []string{"-t", "ed25519", "-N", "p", "-a", "3"}, "p", nil},
		{"ed25519 aes256-cbc", []string{"-t", "ed25519", "-N", "p", "-a", "1", "-Z", "aes256-cbc"}, "p", nil},
		// x/crypto decrypts aes256-ctr (ssh-keygen's default) and aes256-cbc
		// only; keys under other ciphers are refused before the passphrase
		// is asked, and the hint's command makes them readable (below).
		{"ed25519 aes128-ctr", []string{"-t", "ed25519", "-N", "p", "-a", "1", "-Z", "aes128-ctr"}, "p", isA[*KeyCipherError]},
		{"ed25519 aes256-gcm", []string{"-t", "ed25519", "-N", "p", "-a", "1", "-Z", "aes256-gcm@openssh.com"}, "p", isA[*KeyCipherError]},
		{"ed25519 chacha20-poly1305", []string{"-t", "ed25519", "-N", "p", "-a", "1", "-Z", "chacha20-poly1305@openssh.com"}, "p", isA[*KeyCipherError]},
		{"ed25519 wrong passphrase", []string{"-t", "ed25519", "-N", "right", "-a", "1"}, "wrong", isA[*WrongPassphraseError]},
		{"ed25519 cbc wrong passphrase", []string{"-t", "ed25519", "-N", "right", "-a", "1", "-Z", "aes256-cbc"}, "wrong", isA[*WrongPassphraseError]},
		{"rsa", []string{"-t", "rsa", "-b", "2048", "-N", ""}, "", isA[*KeyTypeError]},
		{"rsa encrypted", []string{"-t", "rsa", "-b", "2048", "-N", "p", "-a", "1"}, "p", isA[*KeyTypeError]},
		{"rsa PEM", []string{"-t", "rsa", "-b", "2048", "-N", "", "-m", "PEM"}, "", isA[*KeyTypeError]},
		{"ecdsa", []string{"-t", "ecdsa", "-N", ""}, "", isA[*KeyTypeError]},
		{"ecdsa PKCS8", []string{"-t", "ecdsa", "-N", "", "-m", "PKCS8"}, "", isA[*KeyTypeError]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "id")
			runTool(t, keygen, append([]string{"-q", "-f", path, "-C", "made by ssh-keygen"}, tt.args...)...)
			signer, err := LoadPrivateKey(path, fixedPass(tt.pass))
			if tt.want != nil {
				if err == nil || !tt.want(err) {
					t.Fatalf("err = %v (%T), want another error", err, err)
				}
				checkMessage(t, err)
				var ce *KeyCipherError
				if errors.As(err, &ce) {
					if _, err := LoadPrivateKey(path, refusedBeforeAsking(t)); !isA[*KeyCipherError](err) {
						t.Errorf("without a passphrase: %v, want *KeyCipherError", err)
					}
					// The hint's command re-encrypts the key with a cipher concord reads.
					cmd := strings.Fields(ce.Hint())
					cmd = cmd[slices.Index(cmd, "ssh-keygen")+1:]
					runTool(t, keygen, append([]string{"-q", "-P", tt.pass, "-N", tt.pass}, cmd...)...)
					if _, err := LoadPrivateKey(path, fixedPass(tt.pass)); err != nil {
						t.Fatalf("after %s: %v", ce.Hint(), err)
					}
					return
				}
				// show and fingerprint refuse other key types too, without a passphrase.
				if _, rerr := ReadKeyInfo(path); isA[*KeyTypeError](err) && !isA[*KeyTypeError](rerr) {
					t.Errorf("ReadKeyInfo: %v, want *KeyTypeError", rerr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pub, err := LoadPublicKeyFile(path + ".pub")
			if err != nil {
				t.Fatal(err)
			}
			if !SameKey(signer.PublicKey(), pub) {
				t.Error("the private key does not match ssh-keygen's .pub")
			}
			sig, err := signer.Sign(nil, []byte("data"))
			if err != nil || pub.Verify([]byte("data"), sig) != nil {
				t.Errorf("signature does not verify: %v", err)
			}
		})
	}
}

// TestFingerprintMatchesSSHKeygen: FingerprintLine of ReadKeyInfo is what
// ssh-keygen -l -f prints, for each kind of file.
func TestFingerprintMatchesSSHKeygen(t *testing.T) {
	keygen := testtool.Require(t, "ssh-keygen")
	tests := []struct {
		name   string
		args   []string
		file   string // read this one: "id" or "id.pub"
		rmPub  bool
		noComm bool
	}{
		{"private with .pub", []string{"-N", "p", "-a", "1"}, "id", false, false},
		{"encrypted without .pub", []string{"-N", "p", "-a", "1"}, "id", true, false},
		{"unencrypted without .pub", []string{"-N", ""}, "id", true, false},
		{".pub", []string{"-N", ""}, "id.pub", false, false},
		{".pub without comment", []string{"-N", ""}, "id.pub", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "id")
			runTool(t, keygen, append([]string{"-q", "-t", "ed25519", "-f", path, "-C", "Иван 王"}, tt.args...)...)
			if tt.rmPub {
				os.Remove(path + ".pub")
			}
			if tt.noComm {
				f := strings.Fields(string(mustRead(t, path+".pub")))
				writeFile(t, path+".pub", []byte(f[0]+" "+f[1]+"\n"), 0o644)
			}
			file := filepath.Join(dir, tt.file)
			want := runTool(t, keygen, "-l", "-f", file)
			info, err := ReadKeyInfo(file)
			if err != nil {
				t.Fatal(err)
			}
			if got := FingerprintLine(info.PublicKey, info.Comment) + "\n"; got != want {
				t.Errorf("got %q, ssh-keygen -l prints %q", got, want)
			}
		})
	}
}

// TestFingerprintLineOtherTypes: keys concord refuses are still printed as
// ssh-keygen -l prints them.
func TestFingerprintLineOtherTypes(t *testing.T) {
	keygen := testtool.Require(t, "ssh-keygen")
	for _, args := range [][]string{{"-t", "rsa", "-b", "2048"}, {"-t", "ecdsa", "-b", "384"}} {
		path := filepath.Join(t.TempDir(), "id")
		runTool(t, keygen, append([]string{"-q", "-N", "", "-C", "other type", "-f", path}, args...)...)
		pub, comment, _, _, err := ssh.ParseAuthorizedKey(mustRead(t, path+".pub"))
		if err != nil {
			t.Fatal(err)
		}
		want := runTool(t, keygen, "-l", "-f", path+".pub")
		if got := FingerprintLine(pub, comment) + "\n"; got != want {
			t.Errorf("%v: got %q, ssh-keygen -l prints %q", args, got, want)
		}
	}
}

// TestMaxKDFRoundsIsXCryptoCap: concord's cap on the bcrypt rounds of a key
// file is x/crypto's, so every file concord's header check lets through
// reaches x/crypto's KDF: x/crypto refuses MaxKDFRounds+1 rounds, and lets
// MaxKDFRounds through its rounds check (to fail on the empty passphrase,
// before any KDF work).
func TestMaxKDFRoundsIsXCryptoCap(t *testing.T) {
	enc, err := MarshalPrivateKey(testKey(t, 9), cheap("", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ssh.ParseRawPrivateKeyWithPassphrase(withKDF(enc, "aes256-ctr", MaxKDFRounds+1), nil)
	if err == nil || !strings.Contains(err.Error(), "rounds") {
		t.Errorf("x/crypto with %d rounds: %v, want its rounds cap", MaxKDFRounds+1, err)
	}
	_, err = ssh.ParseRawPrivateKeyWithPassphrase(withKDF(enc, "aes256-ctr", MaxKDFRounds), nil)
	if err == nil || strings.Contains(err.Error(), "rounds") {
		t.Errorf("x/crypto with %d rounds: %v, want the empty passphrase refused, not the rounds", MaxKDFRounds, err)
	}
}
