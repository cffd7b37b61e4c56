package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"
)

// MaxKeyFileSize is the largest key file concord reads. An OpenSSH ed25519
// private key is about 400 bytes (450 encrypted); anything much larger is not
// a key.
const MaxKeyFileSize = 16 << 10

// DefaultKDFRounds is the bcrypt KDF cost of the encrypted keys concord
// writes: ssh-keygen's default, and what golang.org/x/crypto/ssh's
// MarshalPrivateKeyWithPassphrase writes.
const DefaultKDFRounds = 16

// MaxKDFRounds is the largest bcrypt KDF cost concord reads: the cap of
// golang.org/x/crypto/ssh's reader (2048, some 20 seconds of CPU), far
// above what ssh-keygen users choose (its -a option; 100 is a common
// "strong" setting). A file asking for more is refused from its header,
// before the passphrase is asked for or the KDF runs.
const MaxKDFRounds = 1 << 11

// PassphraseFunc returns the passphrase for an encrypted key. It is called
// only when the key is encrypted, at most once per key. It returns an error
// (typically *PassphraseMissingError) when no passphrase can be had. The
// returned slice is overwritten with zeros once the key is decrypted.
type PassphraseFunc func() ([]byte, error)

// EncryptFunc returns key with comment as an OpenSSH private key PEM block
// ("OPENSSH PRIVATE KEY") encrypted under passphrase, which is not empty.
type EncryptFunc func(key ed25519.PrivateKey, comment string, passphrase []byte) (*pem.Block, error)

// PrivateKeyOptions say how MarshalPrivateKey and CreateKeyFiles write a
// private key.
type PrivateKeyOptions struct {
	Comment    string // "" for none; must pass ValidComment
	Passphrase []byte // empty: the key is written unencrypted
	// Encrypt writes the key when Passphrase is not empty. nil means
	// golang.org/x/crypto/ssh's MarshalPrivateKeyWithPassphrase:
	// aes256-ctr under bcrypt_pbkdf with DefaultKDFRounds, as ssh-keygen
	// writes. Only tests set another (internal/testkeys, whose KDF is
	// cheap); no setting or environment variable reaches it in concord.
	Encrypt EncryptFunc
}

// KeyInfo is what can be learnt of a key file without its passphrase.
type KeyInfo struct {
	PublicKey ssh.PublicKey
	Comment   string // "" when the file has none (or it is encrypted and has no .pub beside it)
	Private   bool   // the file is a private key
	Encrypted bool   // the private key is encrypted with a passphrase
}

// Names of the OpenSSH key type and private key PEM type.
const (
	keyTypeEd25519 = ssh.KeyAlgoED25519 // "ssh-ed25519"
	pemTypeOpenSSH = "OPENSSH PRIVATE KEY"
)

// GenerateKey returns a new ed25519 private key drawn from rand.
func GenerateKey(rand io.Reader) (ed25519.PrivateKey, error) {
	if rand == nil {
		return nil, errors.New("generating key: no source of randomness")
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rand, seed); err != nil {
		return nil, fmt.Errorf("generating key: %w", err)
	}
	key := ed25519.NewKeyFromSeed(seed)
	clear(seed)
	return key, nil
}

// MarshalPrivateKey returns key as an OpenSSH private key file (PEM,
// "OPENSSH PRIVATE KEY", 64 column base64 lines) with o.Comment, written by
// golang.org/x/crypto/ssh: unencrypted when o.Passphrase is empty, else by
// o.Encrypt (by default aes256-ctr under a bcrypt KDF of DefaultKDFRounds,
// as ssh-keygen writes). x/crypto draws the check bytes and salt from
// crypto/rand. It refuses keys that are not consistent ed25519 keys and
// comments that ValidComment refuses.
func MarshalPrivateKey(key ed25519.PrivateKey, o PrivateKeyOptions) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize || !bytes.Equal(ed25519.NewKeyFromSeed(key.Seed()), key) {
		return nil, errors.New("marshaling private key: not a valid ed25519 private key")
	}
	if !ValidComment(o.Comment) {
		return nil, fmt.Errorf("marshaling private key: invalid comment %q: it must be UTF-8 without control characters", o.Comment)
	}
	var block *pem.Block
	var err error
	switch {
	case len(o.Passphrase) == 0:
		block, err = ssh.MarshalPrivateKey(key, o.Comment)
	case o.Encrypt == nil:
		block, err = ssh.MarshalPrivateKeyWithPassphrase(key, o.Comment, o.Passphrase)
	default:
		block, err = o.Encrypt(key, o.Comment, o.Passphrase)
	}
	if err == nil && block == nil {
		err = errors.New("no PEM block written")
	}
	if err != nil {
		return nil, fmt.Errorf("marshaling private key: %w", err)
	}
	out := pem.EncodeToMemory(block)
	clear(block.Bytes)
	return out, nil
}

// MarshalPublicKey returns pub in authorized_keys form, "ssh-ed25519 AAAA…"
// followed by " comment" if comment is not empty, and a newline.
func MarshalPublicKey(pub ssh.PublicKey, comment string) []byte {
	var b bytes.Buffer
	b.WriteString(pub.Type())
	b.WriteByte(' ')
	b.WriteString(base64.StdEncoding.EncodeToString(pub.Marshal()))
	if comment != "" {
		b.WriteByte(' ')
		b.WriteString(comment)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// ValidComment reports whether c can be a key comment: valid UTF-8 with no
// control characters (so it stays on one line and prints safely), and no
// leading or trailing spaces (which would not survive authorized_keys form).
func ValidComment(c string) bool {
	if !utf8.ValidString(c) || strings.TrimSpace(c) != c {
		return false
	}
	for _, r := range c {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// ParsePublicKey parses one ed25519 public key in authorized_keys form (an
// optional comment is allowed). Keys of other types are refused with
// *KeyTypeError.
func ParsePublicKey(line []byte) (ssh.PublicKey, error) {
	pub, _, err := ParseAuthorizedKey(line)
	return pub, err
}

// ParseAuthorizedKey parses one ed25519 public key in authorized_keys form
// and returns it with its comment. The form is
//
//	ssh-ed25519 BASE64[ COMMENT]
//
// with an optional line ending ("\n" or "\r\n"). Blanks (spaces and tabs)
// before and after the line and between the fields are allowed, and
// MarshalPublicKey of the result gives back the input with them normalised:
// outer blanks and the line ending removed, each run of blanks between the
// type, the base64 and the comment turned into one space, and "\n" added.
// Key options (as in authorized_keys), more than one line, base64 that does
// not re-encode to the same text and comments that ValidComment refuses are
// all refused with *KeyFormatError; keys of other types with *KeyTypeError.
func ParseAuthorizedKey(line []byte) (ssh.PublicKey, string, error) {
	return parseAuthorizedKey("", line)
}

// knownKeyTypes are the SSH key types refused with a *KeyTypeError rather
// than as malformed.
var knownKeyTypes = map[string]bool{
	ssh.KeyAlgoRSA: true, "ssh-dss": true, ssh.KeyAlgoECDSA256: true,
	ssh.KeyAlgoECDSA384: true, ssh.KeyAlgoECDSA521: true,
	ssh.KeyAlgoSKECDSA256: true, ssh.KeyAlgoSKED25519: true,
	ssh.CertAlgoRSAv01: true, "ssh-dss-cert-v01@openssh.com": true, ssh.CertAlgoECDSA256v01: true,
	ssh.CertAlgoECDSA384v01: true, ssh.CertAlgoECDSA521v01: true,
	ssh.CertAlgoSKECDSA256v01: true, ssh.CertAlgoED25519v01: true, ssh.CertAlgoSKED25519v01: true,
}

func parseAuthorizedKey(path string, line []byte) (ssh.PublicKey, string, error) {
	bad := func(format string, args ...any) (ssh.PublicKey, string, error) {
		return nil, "", &KeyFormatError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if len(line) > MaxKeyFileSize {
		return bad("too long for a public key line")
	}
	s := string(line)
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	if strings.ContainsAny(s, "\r\n") {
		return bad("not a single line")
	}
	s = strings.Trim(s, " \t")
	if s == "" {
		return bad("empty")
	}
	typ, rest := cutBlank(s)
	b64, comment := cutBlank(rest)
	if typ != keyTypeEd25519 {
		if knownKeyTypes[typ] {
			return nil, "", &KeyTypeError{Path: path, Type: typ}
		}
		if strings.HasPrefix(s, "-----BEGIN ") {
			return bad("a private key or other PEM file, not a public key")
		}
		return bad("unknown key type %q (key options are not allowed)", typ)
	}
	if b64 == "" {
		return bad("no key after the key type")
	}
	blob, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil || base64.StdEncoding.EncodeToString(blob) != b64 {
		return bad("invalid base64")
	}
	pub, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return bad("invalid key data: %v", err)
	}
	if pub.Type() != typ || !bytes.Equal(pub.Marshal(), blob) {
		return bad("key data is not a %s key", typ)
	}
	if err := checkKeyPoint(pub.(ssh.CryptoPublicKey).CryptoPublicKey().(ed25519.PublicKey)); err != nil {
		return bad("unusable ed25519 key: %v", err)
	}
	if !ValidComment(comment) {
		return bad("comment is not UTF-8 text without control characters")
	}
	return pub, comment, nil
}

// cutBlank splits s at its first run of blanks.
func cutBlank(s string) (before, after string) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i:], " \t")
}

// Fingerprint returns the SHA-256 fingerprint of pub as ssh-keygen -l prints
// it: "SHA256:" and unpadded base64.
func Fingerprint(pub ssh.PublicKey) string {
	return ssh.FingerprintSHA256(pub)
}

// FingerprintLine returns the line `ssh-keygen -l -f FILE` prints for pub with
// comment (without a newline), e.g. "256 SHA256:… alice@example (ED25519)".
// An empty comment is printed as "no comment", as ssh-keygen does. (RSA and
// ECDSA keys are printed as ssh-keygen does too, for error reports.)
func FingerprintLine(pub ssh.PublicKey, comment string) string {
	if comment == "" {
		comment = "no comment"
	}
	bits, name := 0, strings.ToUpper(pub.Type())
	var ck crypto.PublicKey
	if c, ok := pub.(ssh.CryptoPublicKey); ok {
		ck = c.CryptoPublicKey()
	}
	switch k := ck.(type) {
	case ed25519.PublicKey:
		bits, name = 256, "ED25519"
	case *rsa.PublicKey:
		bits, name = k.N.BitLen(), "RSA"
	case *ecdsa.PublicKey:
		bits, name = k.Curve.Params().BitSize, "ECDSA"
	}
	return fmt.Sprintf("%d %s %s (%s)", bits, Fingerprint(pub), comment, name)
}

// SameKey reports whether a and b are the same key, however they were
// encoded or commented.
func SameKey(a, b ssh.PublicKey) bool {
	if a == nil || b == nil {
		return false
	}
	return bytes.Equal(a.Marshal(), b.Marshal())
}

// LoadPrivateKey reads an ed25519 private key file in OpenSSH format and
// returns a signer for it. It refuses what is not a regular file
// (*KeyFileError), files over MaxKeyFileSize (*KeySizeError), public keys
// (*NotPrivateKeyError), private key files that group or others may access
// (*KeyPermissionError; see checkKeyMode for Windows), keys that are not
// ed25519 (*KeyTypeError), ciphers concord cannot decrypt
// (*KeyCipherError) and malformed files (*KeyFormatError). passphrase is
// called only if the key is encrypted, after the file's header has been
// checked; a wrong passphrase gives *WrongPassphraseError.
func LoadPrivateKey(path string, passphrase PassphraseFunc) (ssh.Signer, error) {
	data, mode, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	if isPublicKeyFile(data) {
		return nil, &NotPrivateKeyError{Path: path}
	}
	if err := checkKeyMode(path, mode); err != nil {
		return nil, err
	}
	key, _, err := parsePrivateKey(path, data, passphrase)
	if err != nil {
		return nil, err
	}
	return newKeySigner(key)
}

// ParsePrivateKey parses an ed25519 private key in OpenSSH format from data
// (a key file's contents) and returns a signer for it, with the same checks
// and typed errors as LoadPrivateKey except the file's kind, permissions and
// size. passphrase is called only if the key is encrypted.
func ParsePrivateKey(data []byte, passphrase PassphraseFunc) (ssh.Signer, error) {
	key, _, err := parsePrivateKey("", data, passphrase)
	if err != nil {
		return nil, err
	}
	return newKeySigner(key)
}

func newKeySigner(key ed25519.PrivateKey) (ssh.Signer, error) {
	s, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return nil, fmt.Errorf("making signer: %w", err)
	}
	return s, nil
}

// LoadPublicKeyFile reads a public key file (authorized_keys form) such as
// FILE.pub.
func LoadPublicKeyFile(path string) (ssh.PublicKey, error) {
	pub, _, err := loadPublicKeyFile(path)
	return pub, err
}

func loadPublicKeyFile(path string) (ssh.PublicKey, string, error) {
	data, _, err := readKeyFile(path)
	if err != nil {
		return nil, "", err
	}
	return parseAuthorizedKey(path, data)
}

// ReadKeyInfo returns the public key and comment of path, which may be a
// public key file (authorized_keys form) or an OpenSSH private key file; it
// never needs a passphrase. For a private key the public key is the one in
// the file's unencrypted header, checked against the private part when that
// is not encrypted. The comment is taken as `ssh-keygen -l -f` takes it:
// from path+".pub" when that file exists, else from the private key when it
// is not encrypted, else there is none. A .pub file holding a different key
// is refused with *KeyMismatchError. Private key files are held to the same
// rules as in LoadPrivateKey (permissions, size, type, format).
func ReadKeyInfo(path string) (*KeyInfo, error) {
	data, mode, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	if !looksLikePEM(data) {
		pub, comment, err := parseAuthorizedKey(path, data)
		if err != nil {
			return nil, err
		}
		return &KeyInfo{PublicKey: pub, Comment: comment}, nil
	}
	if err := checkKeyMode(path, mode); err != nil {
		return nil, err
	}
	f, err := parsePrivateKeyFile(path, data)
	if err != nil {
		return nil, err
	}
	info := &KeyInfo{PublicKey: f.pub, Private: true, Encrypted: f.encrypted}
	if !f.encrypted {
		key, comment, err := f.open(path, nil)
		if err != nil {
			return nil, err
		}
		clear(key)
		info.Comment = comment
	}
	pubPath := path + ".pub"
	if _, err := os.Stat(pubPath); err == nil {
		pub, comment, err := loadPublicKeyFile(pubPath)
		if err != nil {
			return nil, err
		}
		if !SameKey(pub, f.pub) {
			return nil, &KeyMismatchError{Path: path, PubPath: pubPath}
		}
		info.Comment = comment
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading public key %q: %w", pubPath, err)
	}
	return info, nil
}

// pathless is err without the operation and path an *fs.PathError puts
// before its cause ("stat KEY: no such file or directory"): the message
// names the key already. errors.Is still sees the cause (fs.ErrNotExist).
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readKeyFile reads path after checking, with os.Stat and before reading,
// that it is a regular file of at most MaxKeyFileSize bytes. The size is
// checked again while reading, in case the file grows. It returns the data
// and the file's mode; callers check the mode of private keys with
// checkKeyMode.
func readKeyFile(path string) ([]byte, fs.FileMode, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, fmt.Errorf("reading key %q: %w", path, pathless(err))
	}
	if err := checkKeyFileInfo(path, fi); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("reading key %q: %w", path, pathless(err))
	}
	defer f.Close()
	fi2, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("reading key %q: %w", path, pathless(err))
	}
	if !os.SameFile(fi, fi2) {
		return nil, 0, fmt.Errorf("reading key %q: the file was replaced while being opened", path)
	}
	if err := checkKeyFileInfo(path, fi2); err != nil {
		return nil, 0, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxKeyFileSize+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading key %q: %w", path, pathless(err))
	}
	if len(data) > MaxKeyFileSize {
		clear(data)
		return nil, 0, &KeySizeError{Path: path, Size: int64(len(data)), Max: MaxKeyFileSize}
	}
	return data, fi2.Mode(), nil
}

func checkKeyFileInfo(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return &KeyFileError{Path: path, Kind: keyFileKind(fi.Mode())}
	}
	if fi.Size() > MaxKeyFileSize {
		return &KeySizeError{Path: path, Size: fi.Size(), Max: MaxKeyFileSize}
	}
	return nil
}

func keyFileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// looksLikePEM reports whether data starts, after blank space, with a PEM
// begin line.
func looksLikePEM(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN "))
}

// isPublicKeyFile reports whether data is a public key line, of any type
// concord knows.
func isPublicKeyFile(data []byte) bool {
	if looksLikePEM(data) {
		return false
	}
	_, _, err := parseAuthorizedKey("", data)
	var te *KeyTypeError
	return err == nil || errors.As(err, &te)
}

// readableCiphers are the ciphers of OpenSSH private key files that
// golang.org/x/crypto/ssh decrypts, with their block sizes. (ssh-keygen
// writes aes256-ctr unless told otherwise with -Z.)
var readableCiphers = map[string]int{"none": 8, "aes256-ctr": 16, "aes256-cbc": 16}

// otherOpenSSHCiphers are the ciphers OpenSSH can write (ssh -Q cipher)
// that x/crypto does not decrypt; a key under one is refused with
// *KeyCipherError, which says how to re-encrypt it.
var otherOpenSSHCiphers = map[string]bool{
	"3des-cbc": true, "aes128-cbc": true, "aes192-cbc": true, "aes128-ctr": true,
	"aes192-ctr": true, "aes128-gcm@openssh.com": true, "aes256-gcm@openssh.com": true,
	"chacha20-poly1305@openssh.com": true,
}

// privateKeyFile is an OpenSSH private key file, judged from what can be
// read without its passphrase.
type privateKeyFile struct {
	data      []byte // the whole file, for x/crypto
	header    *keyHeader
	pub       ssh.PublicKey // the ed25519 public key of the header
	encrypted bool
}

// parsePrivateKeyFile decodes the PEM armor and the unencrypted header of
// an OpenSSH private key and judges them: only one ed25519 key, a cipher
// x/crypto decrypts, bcrypt rounds of at most MaxKDFRounds, a private
// section of whole cipher blocks. Other formats and key types are refused
// with typed errors; path is only for them.
func parsePrivateKeyFile(path string, data []byte) (*privateKeyFile, error) {
	bad := func(format string, args ...any) (*privateKeyFile, error) {
		return nil, &KeyFormatError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if !looksLikePEM(data) {
		if isPublicKeyFile(data) {
			return nil, &NotPrivateKeyError{Path: path}
		}
		return bad("not an OpenSSH private key")
	}
	block, rest := pem.Decode(data)
	if block == nil {
		return bad("truncated or damaged PEM armor")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return bad("unexpected data after the key")
	}
	switch block.Type {
	case pemTypeOpenSSH:
	case "RSA PRIVATE KEY":
		return nil, &KeyTypeError{Path: path, Type: ssh.KeyAlgoRSA}
	case "EC PRIVATE KEY":
		return nil, &KeyTypeError{Path: path, Type: "ecdsa"}
	case "DSA PRIVATE KEY":
		return nil, &KeyTypeError{Path: path, Type: "ssh-dss"}
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return bad("invalid PKCS#8 key: %v", err)
		}
		if _, ok := k.(ed25519.PrivateKey); ok {
			return bad("a PKCS#8 key; concord reads ed25519 keys in OpenSSH format only")
		}
		typ := fmt.Sprintf("%T", k)
		switch k.(type) {
		case *rsa.PrivateKey:
			typ = ssh.KeyAlgoRSA
		case *ecdsa.PrivateKey:
			typ = "ecdsa"
		case *ecdh.PrivateKey:
			typ = "x25519"
		}
		return nil, &KeyTypeError{Path: path, Type: typ}
	default:
		return bad("not an OpenSSH private key (PEM type %q)", block.Type)
	}
	if len(block.Headers) != 0 {
		return bad("unexpected PEM headers")
	}
	h, kdf, err := parseKeyHeader(block.Bytes)
	if err != nil {
		return bad("%v", err)
	}
	blockSize, ok := readableCiphers[h.Cipher]
	if !ok {
		if otherOpenSSHCiphers[h.Cipher] {
			return nil, &KeyCipherError{Path: path, Cipher: h.Cipher}
		}
		return bad("unknown cipher %q", h.Cipher)
	}
	if len(h.Rest) != 0 {
		return bad("unexpected data after the private section")
	}
	switch {
	case h.Cipher == "none":
		if h.KDF != "none" || len(h.KDFOpts) != 0 {
			return bad("unencrypted key with KDF %q", h.KDF)
		}
	case h.KDF != "bcrypt":
		return bad("unsupported KDF %q", h.KDF)
	case len(kdf.Salt) == 0 || len(kdf.Salt) > 1024:
		return bad("KDF salt of %d bytes", len(kdf.Salt))
	case kdf.Rounds < 1 || kdf.Rounds > MaxKDFRounds:
		return bad("KDF rounds %d out of range 1 to %d", kdf.Rounds, MaxKDFRounds)
	}
	if len(h.Section) == 0 || len(h.Section)%blockSize != 0 {
		return bad("private section of %d bytes is not a multiple of the cipher block size %d", len(h.Section), blockSize)
	}
	var typ struct {
		Type string
		Rest []byte `ssh:"rest"`
	}
	if err := ssh.Unmarshal(h.PubKey, &typ); err != nil {
		return bad("malformed public key")
	}
	if typ.Type != keyTypeEd25519 {
		if knownKeyTypes[typ.Type] {
			return nil, &KeyTypeError{Path: path, Type: typ.Type}
		}
		return bad("unknown key type %q", typ.Type)
	}
	pub, err := ssh.ParsePublicKey(h.PubKey)
	if err != nil || !bytes.Equal(pub.Marshal(), h.PubKey) {
		return bad("malformed public key")
	}
	return &privateKeyFile{data: data, header: h, pub: pub, encrypted: h.Cipher != "none"}, nil
}

// parsePrivateKey parses an OpenSSH ed25519 private key and returns it with
// its comment ("" when the key is encrypted: x/crypto does not return it);
// path is only for error messages.
func parsePrivateKey(path string, data []byte, passphrase PassphraseFunc) (ed25519.PrivateKey, string, error) {
	f, err := parsePrivateKeyFile(path, data)
	if err != nil {
		return nil, "", err
	}
	return f.open(path, passphrase)
}

// open has golang.org/x/crypto/ssh decrypt (asking passphrase, when the
// key is encrypted) and decode the private key, then checks it: an ed25519
// key whose seed gives its public half, which is the header's public key.
// For an unencrypted key it returns the comment, checked with ValidComment.
func (f *privateKeyFile) open(path string, passphrase PassphraseFunc) (ed25519.PrivateKey, string, error) {
	bad := func(format string, args ...any) (ed25519.PrivateKey, string, error) {
		return nil, "", &KeyFormatError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	var raw any
	var err error
	if f.encrypted {
		pass, perr := askPassphrase(path, passphrase)
		if perr != nil {
			return nil, "", perr
		}
		raw, err = ssh.ParseRawPrivateKeyWithPassphrase(f.data, pass)
		clear(pass)
	} else {
		raw, err = ssh.ParseRawPrivateKey(f.data)
	}
	if err != nil {
		if f.encrypted && errors.Is(err, x509.IncorrectPasswordError) {
			return nil, "", &WrongPassphraseError{Path: path}
		}
		return bad("%s", strings.TrimPrefix(err.Error(), "ssh: "))
	}
	var key ed25519.PrivateKey
	switch k := raw.(type) {
	case *ed25519.PrivateKey:
		key = *k
	case ed25519.PrivateKey:
		key = k
	default:
		return bad("private key of another type (%T) under a %s public key", raw, keyTypeEd25519)
	}
	if len(key) != ed25519.PrivateKeySize {
		return bad("wrong ed25519 key size")
	}
	if subtle.ConstantTimeCompare(ed25519.NewKeyFromSeed(key.Seed()), key) != 1 {
		clear(key)
		return bad("private and public parts do not match")
	}
	if !bytes.Equal(key.Public().(ed25519.PublicKey), f.pub.(ssh.CryptoPublicKey).CryptoPublicKey().(ed25519.PublicKey)) {
		clear(key)
		return bad("private key does not match the public key in the header")
	}
	if f.encrypted {
		return key, "", nil
	}
	comment, reason := plainComment(f.header.Section, key)
	if reason != "" {
		clear(key)
		return bad("%s", reason)
	}
	return key, comment, nil
}

// plainComment returns the comment of an unencrypted private section that
// x/crypto decoded as key (x/crypto does not return comments), or why the
// section is refused: its public key field is not key's, its padding is a
// whole block or more, or the comment fails ValidComment.
func plainComment(section []byte, key ed25519.PrivateKey) (comment, reason string) {
	var s struct {
		Check1, Check2 uint32
		Type           string
		Pub, Priv      []byte
		Comment        string
		Pad            []byte `ssh:"rest"`
	}
	if err := ssh.Unmarshal(section, &s); err != nil {
		return "", "truncated private section"
	}
	defer clear(s.Priv)
	switch {
	case !bytes.Equal(s.Pub, key.Public().(ed25519.PublicKey)):
		return "", "the private key's public half differs from its public key"
	case len(s.Pad) >= readableCiphers["none"]:
		return "", "too much padding"
	case !ValidComment(s.Comment):
		return "", "comment is not UTF-8 text without control characters"
	}
	return s.Comment, ""
}

// askPassphrase calls passphrase for the key at path: a missing func or a
// *PassphraseMissingError without a path is reported for path, and an
// empty passphrase is wrong.
func askPassphrase(path string, passphrase PassphraseFunc) ([]byte, error) {
	if passphrase == nil {
		return nil, &PassphraseMissingError{Path: path, Reason: "the key is encrypted and no passphrase was given"}
	}
	pass, err := passphrase()
	if err != nil {
		var pm *PassphraseMissingError
		if errors.As(err, &pm) && pm.Path == "" {
			cp := *pm
			cp.Path = path
			return nil, &cp
		}
		return nil, fmt.Errorf("getting passphrase for key %q: %w", path, err)
	}
	if len(pass) == 0 {
		return nil, &WrongPassphraseError{Path: path}
	}
	return pass, nil
}

// CheckNewKeyPaths returns *KeyExistsError if path or path+".pub" exists
// (even as a dangling symbolic link), so a new key would overwrite it.
func CheckNewKeyPaths(path string) error {
	for _, p := range []string{path, path + ".pub"} {
		_, err := os.Lstat(p)
		if err == nil {
			return &KeyExistsError{Path: p}
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("checking %q: %w", p, err)
		}
	}
	return nil
}

// CreateKeyFiles makes a new ed25519 key from rand and writes it to path
// (OpenSSH private key, mode 0600, written as MarshalPrivateKey writes it
// with o) and its public key, with o.Comment, to path+".pub". Neither file
// may exist (*KeyExistsError); files are created exclusively, never
// overwritten, and if writing the public key fails the private key just
// written is removed. It returns the new public key.
func CreateKeyFiles(path string, rand io.Reader, o PrivateKeyOptions) (ssh.PublicKey, error) {
	return createKeyFiles(path, rand, o, writeNewKeyFile)
}

// createKeyFiles is CreateKeyFiles writing each file with writeKeyFile
// (tests pass one that fails).
func createKeyFiles(path string, rand io.Reader, o PrivateKeyOptions, writeKeyFile func(string, []byte, fs.FileMode) error) (ssh.PublicKey, error) {
	if err := CheckNewKeyPaths(path); err != nil {
		return nil, err
	}
	key, err := GenerateKey(rand)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	priv, err := MarshalPrivateKey(key, o)
	if err != nil {
		return nil, err
	}
	defer clear(priv)
	pub, err := ssh.NewPublicKey(key.Public())
	if err != nil {
		return nil, fmt.Errorf("making public key: %w", err)
	}
	if err := writeKeyFile(path, priv, 0o600); err != nil {
		return nil, err
	}
	if err := writeKeyFile(path+".pub", MarshalPublicKey(pub, o.Comment), 0o644); err != nil {
		if rmErr := os.Remove(path); rmErr != nil {
			return nil, fmt.Errorf("%w (and removing the private key %q failed: %v)", err, path, rmErr)
		}
		return nil, err
	}
	return pub, nil
}

// writeNewKeyFile creates path exclusively with perm and writes data to it,
// removing it again if anything fails.
func writeNewKeyFile(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &KeyExistsError{Path: path}
		}
		return fmt.Errorf("writing %q: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %q: %w", path, err)
	}
	return nil
}
