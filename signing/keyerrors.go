package signing

import (
	"errors"
	"fmt"
	"strings"
)

// ErrWrongPassphrase is matched (with errors.Is) by every
// *WrongPassphraseError.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// WrongPassphraseError reports that an encrypted private key could not be
// decrypted with the passphrase given.
type WrongPassphraseError struct {
	Path string // key file, or "" when parsed from bytes
}

// Error returns the one-line message.
func (e *WrongPassphraseError) Error() string {
	if e.Path == "" {
		return "wrong passphrase for the private key"
	}
	return fmt.Sprintf("wrong passphrase for key %q", e.Path)
}

// Is makes errors.Is(err, ErrWrongPassphrase) true.
func (e *WrongPassphraseError) Is(target error) bool { return target == ErrWrongPassphrase }

// Hint returns the user's next step.
func (e *WrongPassphraseError) Hint() string {
	return "check the passphrase; from a passphrase file only the first line is used"
}

// PassphraseMissingError reports that a passphrase was needed and none could
// be had (no passphrase file and no terminal to ask on). A PassphraseFunc
// returns it; LoadPrivateKey fills in Path.
type PassphraseMissingError struct {
	Path     string // key file, or "" when no key file is involved
	Reason   string // why no passphrase could be had
	NextStep string // what the user can do instead, returned by Hint
}

// Error returns the one-line message.
func (e *PassphraseMissingError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "none given"
	}
	if e.Path == "" {
		return "no passphrase: " + reason
	}
	return fmt.Sprintf("no passphrase for key %q: %s", e.Path, reason)
}

// Hint returns the user's next step.
func (e *PassphraseMissingError) Hint() string { return e.NextStep }

// KeyPermissionError reports a private key file that group or others may
// read or write. Such a file is refused: the key may already be exposed.
type KeyPermissionError struct {
	Path string
	Mode uint32 // permission bits of the file
}

// Error returns the one-line message.
func (e *KeyPermissionError) Error() string {
	return fmt.Sprintf("private key %q is accessible by group or others (mode %04o)", e.Path, e.Mode)
}

// Hint returns the user's next step.
func (e *KeyPermissionError) Hint() string { return "chmod 600 " + e.Path }

// KeyTypeError reports a key that is not ed25519 (concord signs with ed25519
// keys only).
type KeyTypeError struct {
	Path string // key file, or "" when parsed from bytes
	Type string // the key's type, e.g. "ssh-rsa", "ecdsa-sha2-nistp256", "rsa (PEM)"
}

// Error returns the one-line message.
func (e *KeyTypeError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("key type %s is not supported: concord needs an ed25519 key", e.Type)
	}
	return fmt.Sprintf("key %q is of type %s: concord needs an ed25519 key", e.Path, e.Type)
}

// KeyFormatError reports a key file or key line that is not a well-formed
// OpenSSH key: truncated, garbage, inconsistent or in another format.
type KeyFormatError struct {
	Path   string // key file, or "" when parsed from bytes
	Reason string
}

// Error returns the one-line message.
func (e *KeyFormatError) Error() string {
	if e.Path == "" {
		return "malformed key: " + e.Reason
	}
	return fmt.Sprintf("malformed key %q: %s", e.Path, e.Reason)
}

// KeySizeError reports a key file larger than MaxKeyFileSize; it is refused
// before it is read.
type KeySizeError struct {
	Path string
	Size int64 // the file's size as far as it was seen
	Max  int64
}

// Error returns the one-line message.
func (e *KeySizeError) Error() string {
	return fmt.Sprintf("key file %q is too large to be a key (%d bytes, at most %d)", e.Path, e.Size, e.Max)
}

// KeyFileError reports a key path that is not a regular file (a folder, a
// device, a pipe…).
type KeyFileError struct {
	Path string
	Kind string // what it is instead, e.g. "a folder"
}

// Error returns the one-line message.
func (e *KeyFileError) Error() string {
	return fmt.Sprintf("key %q is not a regular file but %s", e.Path, e.Kind)
}

// KeyMismatchError reports a private key file whose companion .pub file
// holds a different key.
type KeyMismatchError struct {
	Path    string // private key file
	PubPath string // its .pub file
}

// Error returns the one-line message.
func (e *KeyMismatchError) Error() string {
	return fmt.Sprintf("%q and %q hold different keys", e.Path, e.PubPath)
}

// Hint returns the user's next step.
func (e *KeyMismatchError) Hint() string {
	return fmt.Sprintf("remove or regenerate %s (ssh-keygen -y -f %s)", e.PubPath, e.Path)
}

// KeyExistsError reports that a new key would overwrite an existing file.
type KeyExistsError struct {
	Path string
}

// Error returns the one-line message.
func (e *KeyExistsError) Error() string {
	return fmt.Sprintf("%q already exists; refusing to overwrite it", e.Path)
}

// Hint returns the user's next step.
func (e *KeyExistsError) Hint() string {
	return "choose another file name, or move the old key away first"
}

// AgentUnavailableError reports that no ssh-agent could be reached.
type AgentUnavailableError struct {
	Socket string // "" when no socket was given
	Err    error  // the underlying error, if any
}

// Error returns the one-line message.
func (e *AgentUnavailableError) Error() string {
	if e.Socket == "" {
		return "no ssh-agent: no agent socket given (SSH_AUTH_SOCK is not set)"
	}
	return fmt.Sprintf("cannot reach ssh-agent at %q: %v", e.Socket, e.Err)
}

// Unwrap returns the underlying error.
func (e *AgentUnavailableError) Unwrap() error { return e.Err }

// Hint returns the user's next step.
func (e *AgentUnavailableError) Hint() string {
	if isPipePath(e.Socket) {
		return "start the OpenSSH Authentication Agent service (or set SSH_AUTH_SOCK to your agent's pipe), or sign with a key file"
	}
	return "start ssh-agent and set SSH_AUTH_SOCK, or sign with a key file"
}

// AgentKeyMissingError reports that the ssh-agent does not hold the key
// asked for.
type AgentKeyMissingError struct {
	Fingerprint string // SHA256:… of the key asked for
}

// Error returns the one-line message.
func (e *AgentKeyMissingError) Error() string {
	return "ssh-agent does not hold key " + e.Fingerprint
}

// Hint returns the user's next step.
func (e *AgentKeyMissingError) Hint() string {
	return "add the key to the agent with 'ssh-add KEYFILE' (check with 'ssh-add -l')"
}

// AgentSignatureError reports that the ssh-agent returned a signature that
// does not verify with the key it was asked to sign with. The signature is
// never used.
type AgentSignatureError struct {
	Fingerprint string // SHA256:… of the key
	Reason      string
}

// Error returns the one-line message.
func (e *AgentSignatureError) Error() string {
	return fmt.Sprintf("ssh-agent returned a bad signature for key %s: %s", e.Fingerprint, e.Reason)
}

// NotPrivateKeyError reports a public key file (authorized_keys form, such
// as FILE.pub) given where a private key file is needed.
type NotPrivateKeyError struct {
	Path string // key file, or "" when parsed from bytes
}

// Error returns the one-line message.
func (e *NotPrivateKeyError) Error() string {
	if e.Path == "" {
		return "this is a public key, not a private key"
	}
	return fmt.Sprintf("%q is a public key, not a private key", e.Path)
}

// Hint returns the user's next step.
func (e *NotPrivateKeyError) Hint() string {
	if priv, ok := strings.CutSuffix(e.Path, ".pub"); ok && priv != "" {
		return "give the private key file, " + priv + ", not its .pub"
	}
	return "give the private key file (the one without .pub)"
}

// KeyCipherError reports a private key encrypted with a cipher that concord
// (golang.org/x/crypto/ssh) cannot decrypt; it reads aes256-ctr, which
// ssh-keygen writes by default, and aes256-cbc.
type KeyCipherError struct {
	Path   string // key file, or "" when parsed from bytes
	Cipher string // e.g. "aes256-gcm@openssh.com"
}

// Error returns the one-line message.
func (e *KeyCipherError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("the private key is encrypted with %s, which concord cannot decrypt (it reads aes256-ctr and aes256-cbc)", e.Cipher)
	}
	return fmt.Sprintf("key %q is encrypted with %s, which concord cannot decrypt (it reads aes256-ctr and aes256-cbc)", e.Path, e.Cipher)
}

// Hint returns the user's next step.
func (e *KeyCipherError) Hint() string {
	path := e.Path
	if path == "" {
		path = "FILE"
	}
	return "re-encrypt the key with ssh-keygen's default cipher: ssh-keygen -p -Z aes256-ctr -f " + path
}
