package signing

import (
	"crypto/ed25519"
	"io"

	"golang.org/x/crypto/ssh"
)

// MaxKeyFileSize is the largest key file concord reads. An OpenSSH ed25519
// private key is about 400 bytes (450 encrypted); anything much larger is not
// a key.
const MaxKeyFileSize = 16 << 10

// DefaultKDFRounds is the bcrypt KDF cost used for new encrypted keys, the
// same as ssh-keygen's default.
const DefaultKDFRounds = 16

// PassphraseFunc returns the passphrase for an encrypted key. It is called
// only when the key is encrypted. It returns an error (typically
// *PassphraseMissingError) when no passphrase can be had.
type PassphraseFunc func() ([]byte, error)

// GenerateKey returns a new ed25519 private key drawn from rand.
func GenerateKey(rand io.Reader) (ed25519.PrivateKey, error) {
	panic("unimplemented")
}

// MarshalPrivateKey returns key in OpenSSH private key format (PEM,
// "OPENSSH PRIVATE KEY"). With a non-empty passphrase the key is encrypted
// with aes256-ctr under a bcrypt KDF of the given rounds (0 means
// DefaultKDFRounds), as ssh-keygen does; salt and check bytes come from rand.
func MarshalPrivateKey(key ed25519.PrivateKey, comment string, passphrase []byte, rounds int, rand io.Reader) ([]byte, error) {
	panic("unimplemented")
}

// MarshalPublicKey returns pub in authorized_keys form, "ssh-ed25519 AAAA…"
// followed by " comment" if comment is not empty, and a newline.
func MarshalPublicKey(pub ssh.PublicKey, comment string) []byte {
	panic("unimplemented")
}

// ParsePublicKey parses one ed25519 public key in authorized_keys form (an
// optional comment is allowed). Keys of other types are refused with
// *KeyTypeError.
func ParsePublicKey(line []byte) (ssh.PublicKey, error) {
	panic("unimplemented")
}

// Fingerprint returns the SHA-256 fingerprint of pub as ssh-keygen -l prints
// it: "SHA256:" and unpadded base64.
func Fingerprint(pub ssh.PublicKey) string {
	panic("unimplemented")
}

// SameKey reports whether a and b are the same key, however they were
// encoded or commented.
func SameKey(a, b ssh.PublicKey) bool {
	panic("unimplemented")
}

// LoadPrivateKey reads an ed25519 private key file in OpenSSH format and
// returns a signer for it. It refuses files readable by group or others,
// files over MaxKeyFileSize, keys that are not ed25519 and malformed files,
// each with its own typed error; passphrase is called only if the key is
// encrypted.
func LoadPrivateKey(path string, passphrase PassphraseFunc) (ssh.Signer, error) {
	panic("unimplemented")
}

// LoadPublicKeyFile reads a public key file (authorized_keys form) such as
// FILE.pub.
func LoadPublicKeyFile(path string) (ssh.PublicKey, error) {
	panic("unimplemented")
}

// AgentSigner connects to the ssh-agent listening on socket and returns a
// signer for the key pub that the agent holds. The private key is never
// read by concord. Signatures the agent returns are verified before use.
func AgentSigner(socket string, pub ssh.PublicKey) (ssh.Signer, error) {
	panic("unimplemented")
}
