package signing

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/blowfish"
	"golang.org/x/crypto/ssh"
)

// MaxKeyFileSize is the largest key file concord reads. An OpenSSH ed25519
// private key is about 400 bytes (450 encrypted); anything much larger is not
// a key.
const MaxKeyFileSize = 16 << 10

// DefaultKDFRounds is the bcrypt KDF cost used for new encrypted keys, the
// same as ssh-keygen's default.
const DefaultKDFRounds = 16

// MaxKDFRounds is the largest bcrypt KDF cost concord writes or reads. It is
// far above what ssh-keygen users choose (its -a option; 100 is a common
// "strong" setting) and bounds the time a crafted key file can make concord
// spend before it gives up.
const MaxKDFRounds = 1 << 12

// PassphraseFunc returns the passphrase for an encrypted key. It is called
// only when the key is encrypted, at most once per key. It returns an error
// (typically *PassphraseMissingError) when no passphrase can be had. The
// returned slice is overwritten with zeros once the key is decrypted.
type PassphraseFunc func() ([]byte, error)

// KeyInfo is what can be learnt of a key file without its passphrase.
type KeyInfo struct {
	PublicKey ssh.PublicKey
	Comment   string // "" when the file has none (or it is encrypted and has no .pub beside it)
	Private   bool   // the file is a private key
	Encrypted bool   // the private key is encrypted with a passphrase
}

// Key type names and sizes of the OpenSSH formats.
const (
	keyTypeEd25519 = ssh.KeyAlgoED25519 // "ssh-ed25519"
	privateMagic   = "openssh-key-v1\x00"
	pemTypeOpenSSH = "OPENSSH PRIVATE KEY"
	saltSize       = 16 // as ssh-keygen
	pemLineLength  = 70 // as ssh-keygen
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

// MarshalPrivateKey returns key in OpenSSH private key format (PEM,
// "OPENSSH PRIVATE KEY"). With a non-empty passphrase the key is encrypted
// with aes256-ctr under a bcrypt KDF of the given rounds (0 means
// DefaultKDFRounds), as ssh-keygen does; salt and check bytes come from rand.
// Without a passphrase the key is written unencrypted, and the check bytes
// still come from rand.
//
// The output is what ssh-keygen writes: the same layout, padding and 70
// column base64 lines.
func MarshalPrivateKey(key ed25519.PrivateKey, comment string, passphrase []byte, rounds int, rand io.Reader) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize || !bytes.Equal(ed25519.NewKeyFromSeed(key.Seed()), key) {
		return nil, errors.New("marshaling private key: not a valid ed25519 private key")
	}
	if !ValidComment(comment) {
		return nil, fmt.Errorf("marshaling private key: invalid comment %q: it must be UTF-8 without control characters", comment)
	}
	if rounds == 0 {
		rounds = DefaultKDFRounds
	}
	if rounds < 1 || rounds > MaxKDFRounds {
		return nil, fmt.Errorf("marshaling private key: KDF rounds %d out of range 1 to %d", rounds, MaxKDFRounds)
	}
	if rand == nil {
		return nil, errors.New("marshaling private key: no source of randomness")
	}
	pub := key.Public().(ed25519.PublicKey)
	pubBlob := ssh.Marshal(struct {
		Type string
		Key  []byte
	}{keyTypeEd25519, pub})

	encrypt := len(passphrase) > 0
	c := privateCiphers["none"]
	cipherName, kdfName, kdfOpts := "none", "none", []byte{}
	var salt []byte
	if encrypt {
		cipherName, kdfName = "aes256-ctr", "bcrypt"
		c = privateCiphers[cipherName]
		salt = make([]byte, saltSize)
		if _, err := io.ReadFull(rand, salt); err != nil {
			return nil, fmt.Errorf("marshaling private key: %w", err)
		}
		kdfOpts = ssh.Marshal(struct {
			Salt   []byte
			Rounds uint32
		}{salt, uint32(rounds)})
	}
	var check [4]byte
	if _, err := io.ReadFull(rand, check[:]); err != nil {
		return nil, fmt.Errorf("marshaling private key: %w", err)
	}
	checkInt := binary.BigEndian.Uint32(check[:])
	section := ssh.Marshal(struct {
		Check1, Check2 uint32
		Type           string
		Pub            []byte
		Priv           []byte
		Comment        string
	}{checkInt, checkInt, keyTypeEd25519, pub, key, comment})
	for i := byte(1); len(section)%c.blockSize != 0; i++ {
		section = append(section, i)
	}
	if encrypt {
		k, err := bcryptPBKDF(passphrase, salt, rounds, c.keySize+c.ivSize)
		if err != nil {
			return nil, fmt.Errorf("marshaling private key: %w", err)
		}
		block, err := aes.NewCipher(k[:c.keySize])
		if err != nil {
			return nil, fmt.Errorf("marshaling private key: %w", err)
		}
		cipher.NewCTR(block, k[c.keySize:]).XORKeyStream(section, section)
		clear(k)
	}
	body := []byte(privateMagic)
	body = append(body, ssh.Marshal(struct {
		Cipher  string
		KDF     string
		KDFOpts []byte
		NumKeys uint32
		Pub     []byte
		Priv    []byte
	}{cipherName, kdfName, kdfOpts, 1, pubBlob, section})...)
	return armorOpenSSH(body), nil
}

// armorOpenSSH writes body as ssh-keygen does: PEM with 70 column lines.
func armorOpenSSH(body []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(body)
	var b bytes.Buffer
	b.WriteString("-----BEGIN " + pemTypeOpenSSH + "-----\n")
	for len(enc) > pemLineLength {
		b.WriteString(enc[:pemLineLength])
		b.WriteByte('\n')
		enc = enc[pemLineLength:]
	}
	b.WriteString(enc)
	b.WriteString("\n-----END " + pemTypeOpenSSH + "-----\n")
	return b.Bytes()
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
	ssh.KeyAlgoRSA: true, ssh.KeyAlgoDSA: true, ssh.KeyAlgoECDSA256: true,
	ssh.KeyAlgoECDSA384: true, ssh.KeyAlgoECDSA521: true,
	ssh.KeyAlgoSKECDSA256: true, ssh.KeyAlgoSKED25519: true,
	ssh.CertAlgoRSAv01: true, ssh.CertAlgoDSAv01: true, ssh.CertAlgoECDSA256v01: true,
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
// returns a signer for it. It refuses files readable by group or others,
// files over MaxKeyFileSize, keys that are not ed25519 and malformed files,
// each with its own typed error; passphrase is called only if the key is
// encrypted.
func LoadPrivateKey(path string, passphrase PassphraseFunc) (ssh.Signer, error) {
	data, _, err := readKeyFile(path, true)
	if err != nil {
		return nil, err
	}
	key, _, err := parsePrivateKey(path, data, passphrase)
	clear(data)
	if err != nil {
		return nil, err
	}
	return newKeySigner(key)
}

// ParsePrivateKey parses an ed25519 private key in OpenSSH format from data
// (a key file's contents) and returns a signer for it, with the same checks
// and typed errors as LoadPrivateKey except the file's permissions and size.
// passphrase is called only if the key is encrypted.
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
	data, _, err := readKeyFile(path, false)
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
	data, mode, err := readKeyFile(path, false)
	if err != nil {
		return nil, err
	}
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
	env, err := parseEnvelope(path, data)
	if err != nil {
		return nil, err
	}
	info := &KeyInfo{PublicKey: env.pub, Private: true, Encrypted: env.cipher.name != "none"}
	if !info.Encrypted {
		key, comment, err := env.open(path, nil)
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
		if !SameKey(pub, env.pub) {
			return nil, &KeyMismatchError{Path: path, PubPath: pubPath}
		}
		info.Comment = comment
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading public key %q: %w", pubPath, err)
	}
	return info, nil
}

// readKeyFile reads path after checking, with os.Stat and before reading,
// that it is a regular file of at most MaxKeyFileSize bytes and, for a
// private key, that group and others have no access to it. The size is
// checked again while reading, in case the file grows. It returns the data
// and the file's mode.
func readKeyFile(path string, private bool) ([]byte, fs.FileMode, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, fmt.Errorf("reading key %q: %w", path, err)
	}
	if err := checkKeyFileInfo(path, fi, private); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("reading key %q: %w", path, err)
	}
	defer f.Close()
	fi2, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("reading key %q: %w", path, err)
	}
	if !os.SameFile(fi, fi2) {
		return nil, 0, fmt.Errorf("reading key %q: the file was replaced while being opened", path)
	}
	if err := checkKeyFileInfo(path, fi2, private); err != nil {
		return nil, 0, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxKeyFileSize+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading key %q: %w", path, err)
	}
	if len(data) > MaxKeyFileSize {
		clear(data)
		return nil, 0, &KeySizeError{Path: path, Size: int64(len(data)), Max: MaxKeyFileSize}
	}
	return data, fi2.Mode(), nil
}

func checkKeyFileInfo(path string, fi fs.FileInfo, private bool) error {
	if !fi.Mode().IsRegular() {
		return &KeyFileError{Path: path, Kind: keyFileKind(fi.Mode())}
	}
	if fi.Size() > MaxKeyFileSize {
		return &KeySizeError{Path: path, Size: fi.Size(), Max: MaxKeyFileSize}
	}
	if private {
		return checkKeyMode(path, fi.Mode())
	}
	return nil
}

func checkKeyMode(path string, mode fs.FileMode) error {
	if runtime.GOOS != "windows" && mode.Perm()&0o077 != 0 {
		return &KeyPermissionError{Path: path, Mode: uint32(mode.Perm())}
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

// privateCipher describes a cipher of OpenSSH private key files.
type privateCipher struct {
	name      string
	keySize   int
	ivSize    int
	blockSize int
	tagSize   int // GCM tag appended after the encrypted section
	mode      string
}

// privateCiphers are the ciphers concord can decrypt; it writes aes256-ctr
// only, as ssh-keygen does by default.
var privateCiphers = map[string]privateCipher{
	"none":                   {name: "none", blockSize: 8},
	"aes128-ctr":             {name: "aes128-ctr", keySize: 16, ivSize: 16, blockSize: 16, mode: "ctr"},
	"aes192-ctr":             {name: "aes192-ctr", keySize: 24, ivSize: 16, blockSize: 16, mode: "ctr"},
	"aes256-ctr":             {name: "aes256-ctr", keySize: 32, ivSize: 16, blockSize: 16, mode: "ctr"},
	"aes128-cbc":             {name: "aes128-cbc", keySize: 16, ivSize: 16, blockSize: 16, mode: "cbc"},
	"aes192-cbc":             {name: "aes192-cbc", keySize: 24, ivSize: 16, blockSize: 16, mode: "cbc"},
	"aes256-cbc":             {name: "aes256-cbc", keySize: 32, ivSize: 16, blockSize: 16, mode: "cbc"},
	"aes128-gcm@openssh.com": {name: "aes128-gcm@openssh.com", keySize: 16, ivSize: 12, blockSize: 16, tagSize: 16, mode: "gcm"},
	"aes256-gcm@openssh.com": {name: "aes256-gcm@openssh.com", keySize: 32, ivSize: 12, blockSize: 16, tagSize: 16, mode: "gcm"},
}

// keyEnvelope is the unencrypted part of an openssh-key-v1 file.
type keyEnvelope struct {
	cipher  privateCipher
	salt    []byte
	rounds  int
	pub     ssh.PublicKey
	section []byte // the private section, encrypted unless cipher is none
	tag     []byte // GCM tag
}

// keyWire reads the SSH wire encoding strictly.
type keyWire struct {
	b  []byte
	ok bool
}

func (w *keyWire) uint32() uint32 {
	if !w.ok || len(w.b) < 4 {
		w.ok = false
		return 0
	}
	v := binary.BigEndian.Uint32(w.b)
	w.b = w.b[4:]
	return v
}

func (w *keyWire) bytes() []byte {
	n := w.uint32()
	if !w.ok || uint64(n) > uint64(len(w.b)) {
		w.ok = false
		return nil
	}
	v := w.b[:n:n]
	w.b = w.b[n:]
	return v
}

// parseEnvelope decodes the PEM armor and the unencrypted part of an
// OpenSSH private key, refusing other formats and key types.
func parseEnvelope(path string, data []byte) (*keyEnvelope, error) {
	bad := func(format string, args ...any) (*keyEnvelope, error) {
		return nil, &KeyFormatError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if !looksLikePEM(data) {
		if _, _, err := parseAuthorizedKey("", data); err == nil {
			return bad("this is a public key, not a private key")
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
		return nil, &KeyTypeError{Path: path, Type: ssh.KeyAlgoDSA}
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
	body := block.Bytes
	if !bytes.HasPrefix(body, []byte(privateMagic)) {
		return bad("missing openssh-key-v1 magic")
	}
	w := &keyWire{b: body[len(privateMagic):], ok: true}
	cipherName := string(w.bytes())
	kdfName := string(w.bytes())
	kdfOpts := w.bytes()
	nkeys := w.uint32()
	pubBlob := w.bytes()
	section := w.bytes()
	if !w.ok {
		return bad("truncated")
	}
	if nkeys != 1 {
		return bad("%d keys in one file (want 1)", nkeys)
	}
	c, ok := privateCiphers[cipherName]
	if !ok {
		return bad("unsupported cipher %q", cipherName)
	}
	env := &keyEnvelope{cipher: c, section: section}
	if len(w.b) != c.tagSize {
		if len(w.b) < c.tagSize {
			return bad("truncated")
		}
		return bad("unexpected data after the private section")
	}
	env.tag = w.b
	switch {
	case c.name == "none":
		if kdfName != "none" || len(kdfOpts) != 0 {
			return bad("unencrypted key with KDF %q", kdfName)
		}
	case kdfName != "bcrypt":
		return bad("unsupported KDF %q", kdfName)
	default:
		o := &keyWire{b: kdfOpts, ok: true}
		env.salt = o.bytes()
		rounds := o.uint32()
		if !o.ok || len(o.b) != 0 {
			return bad("malformed KDF options")
		}
		if len(env.salt) == 0 || len(env.salt) > 1024 {
			return bad("KDF salt of %d bytes", len(env.salt))
		}
		if rounds < 1 || rounds > MaxKDFRounds {
			return bad("KDF rounds %d out of range 1 to %d", rounds, MaxKDFRounds)
		}
		env.rounds = int(rounds)
	}
	if len(section) == 0 || len(section)%c.blockSize != 0 {
		return bad("private section of %d bytes is not a multiple of the cipher block size %d", len(section), c.blockSize)
	}
	pw := &keyWire{b: pubBlob, ok: true}
	typ := string(pw.bytes())
	if !pw.ok {
		return bad("malformed public key")
	}
	if typ != keyTypeEd25519 {
		if knownKeyTypes[typ] {
			return nil, &KeyTypeError{Path: path, Type: typ}
		}
		return bad("unknown key type %q", typ)
	}
	pub, err := ssh.ParsePublicKey(pubBlob)
	if err != nil || !bytes.Equal(pub.Marshal(), pubBlob) {
		return bad("malformed public key")
	}
	env.pub = pub
	return env, nil
}

// open decrypts (when passphrase is not nil or the key is not encrypted)
// and parses the private section, checking it against the public key.
func (env *keyEnvelope) open(path string, passphrase PassphraseFunc) (ed25519.PrivateKey, string, error) {
	bad := func(format string, args ...any) (ed25519.PrivateKey, string, error) {
		return nil, "", &KeyFormatError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	c := env.cipher
	section := env.section
	if c.name != "none" {
		if passphrase == nil {
			return nil, "", &PassphraseMissingError{Path: path, Reason: "the key is encrypted"}
		}
		pass, err := passphrase()
		if err != nil {
			var pm *PassphraseMissingError
			if errors.As(err, &pm) && pm.Path == "" {
				cp := *pm
				cp.Path = path
				return nil, "", &cp
			}
			return nil, "", fmt.Errorf("getting passphrase for key %q: %w", path, err)
		}
		if len(pass) == 0 {
			return nil, "", &WrongPassphraseError{Path: path}
		}
		section, err = env.decrypt(pass)
		clear(pass)
		if err != nil {
			return nil, "", &WrongPassphraseError{Path: path}
		}
		defer clear(section)
	}
	w := &keyWire{b: section, ok: true}
	check1, check2 := w.uint32(), w.uint32()
	if !w.ok || check1 != check2 {
		if c.name != "none" {
			return nil, "", &WrongPassphraseError{Path: path}
		}
		return bad("check bytes differ")
	}
	typ := string(w.bytes())
	pub := w.bytes()
	priv := w.bytes()
	comment := string(w.bytes())
	if !w.ok {
		return bad("truncated private section")
	}
	if typ != keyTypeEd25519 {
		return bad("private key of type %q under a %s public key", typ, keyTypeEd25519)
	}
	if len(pub) != ed25519.PublicKeySize || len(priv) != ed25519.PrivateKeySize {
		return bad("wrong ed25519 key sizes")
	}
	if len(w.b) >= c.blockSize {
		return bad("too much padding")
	}
	for i, b := range w.b {
		if int(b) != i+1 {
			return bad("bad padding")
		}
	}
	if !bytes.Equal(priv[ed25519.SeedSize:], pub) {
		return bad("the private key's public half differs from its public key")
	}
	key := ed25519.NewKeyFromSeed(priv[:ed25519.SeedSize])
	if subtle.ConstantTimeCompare(key, priv) != 1 {
		clear(key)
		return bad("private and public parts do not match")
	}
	if !bytes.Equal(pub, env.pub.(ssh.CryptoPublicKey).CryptoPublicKey().(ed25519.PublicKey)) {
		clear(key)
		return bad("private key does not match the public key in the header")
	}
	if !ValidComment(comment) {
		clear(key)
		return bad("comment is not UTF-8 text without control characters")
	}
	return key, comment, nil
}

// decrypt returns the decrypted private section, or an error if the
// passphrase is wrong (for GCM) or the KDF fails.
func (env *keyEnvelope) decrypt(pass []byte) ([]byte, error) {
	c := env.cipher
	k, err := bcryptPBKDF(pass, env.salt, env.rounds, c.keySize+c.ivSize)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	block, err := aes.NewCipher(k[:c.keySize])
	if err != nil {
		return nil, err
	}
	iv := k[c.keySize:]
	out := make([]byte, len(env.section))
	switch c.mode {
	case "ctr":
		cipher.NewCTR(block, iv).XORKeyStream(out, env.section)
	case "cbc":
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, env.section)
	case "gcm":
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		sealed := append(append([]byte{}, env.section...), env.tag...)
		if out, err = aead.Open(out[:0], iv, sealed, nil); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unsupported cipher %q", c.name)
	}
	return out, nil
}

// parsePrivateKey parses an OpenSSH ed25519 private key; path is only for
// error messages.
func parsePrivateKey(path string, data []byte, passphrase PassphraseFunc) (ed25519.PrivateKey, string, error) {
	env, err := parseEnvelope(path, data)
	if err != nil {
		return nil, "", err
	}
	if passphrase == nil {
		passphrase = func() ([]byte, error) {
			return nil, &PassphraseMissingError{Reason: "the key is encrypted and no passphrase was given"}
		}
	}
	return env.open(path, passphrase)
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
// (OpenSSH private key, mode 0600, encrypted when passphrase is not empty,
// with the given bcrypt KDF rounds, 0 meaning DefaultKDFRounds) and its
// public key to path+".pub". Neither file may exist (*KeyExistsError); files
// are created exclusively, never overwritten, and if writing the public key
// fails the private key just written is removed. It returns the new public
// key.
func CreateKeyFiles(path, comment string, passphrase []byte, rounds int, rand io.Reader) (ssh.PublicKey, error) {
	if err := CheckNewKeyPaths(path); err != nil {
		return nil, err
	}
	key, err := GenerateKey(rand)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	priv, err := MarshalPrivateKey(key, comment, passphrase, rounds, rand)
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
	if err := writeKeyFile(path+".pub", MarshalPublicKey(pub, comment), 0o644); err != nil {
		if rmErr := os.Remove(path); rmErr != nil {
			return nil, fmt.Errorf("%w (and removing the private key %q failed: %v)", err, path, rmErr)
		}
		return nil, err
	}
	return pub, nil
}

// writeKeyFile writes a new key file; tests replace it to inject failures.
var writeKeyFile = writeNewKeyFile

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

// bcryptPBKDF is OpenBSD's bcrypt_pbkdf(3), the KDF of OpenSSH private key
// files. (golang.org/x/crypto has it only in an internal package; this
// follows the same reference implementation and is tested against its
// vectors and against ssh-keygen.)
func bcryptPBKDF(password, salt []byte, rounds, keyLen int) ([]byte, error) {
	const blockSize = 32
	switch {
	case rounds < 1:
		return nil, errors.New("bcrypt_pbkdf: rounds must be at least 1")
	case len(password) == 0:
		return nil, errors.New("bcrypt_pbkdf: empty password")
	case len(salt) == 0 || len(salt) > 1<<20:
		return nil, errors.New("bcrypt_pbkdf: bad salt length")
	case keyLen < 1 || keyLen > 1024:
		return nil, errors.New("bcrypt_pbkdf: bad key length")
	}
	numBlocks := (keyLen + blockSize - 1) / blockSize
	key := make([]byte, numBlocks*blockSize)
	shapass := sha512.Sum512(password)
	defer clear(shapass[:])
	var tmp, out [blockSize]byte
	var cnt [4]byte
	for block := 1; block <= numBlocks; block++ {
		h := sha512.New()
		h.Write(salt)
		binary.BigEndian.PutUint32(cnt[:], uint32(block))
		h.Write(cnt[:])
		bcryptHash(&tmp, shapass[:], h.Sum(nil))
		out = tmp
		for i := 2; i <= rounds; i++ {
			shasalt := sha512.Sum512(tmp[:])
			bcryptHash(&tmp, shapass[:], shasalt[:])
			for j := range out {
				out[j] ^= tmp[j]
			}
		}
		// The output is interleaved across blocks.
		for i, v := range out {
			key[i*numBlocks+(block-1)] = v
		}
	}
	clear(tmp[:])
	clear(out[:])
	return key[:keyLen], nil
}

// bcryptMagic is the text bcrypt_pbkdf encrypts.
var bcryptMagic = []byte("OxychromaticBlowfishSwatDynamite")

// bcryptHash is the bcrypt_pbkdf core: an expensive Blowfish key schedule
// over the hashed password and salt, then 64 encryptions of bcryptMagic.
func bcryptHash(out *[32]byte, shapass, shasalt []byte) {
	c, err := blowfish.NewSaltedCipher(shapass, shasalt)
	if err != nil {
		panic(err) // unreachable: the key is 64 bytes
	}
	for i := 0; i < 64; i++ {
		blowfish.ExpandKey(shasalt, c)
		blowfish.ExpandKey(shapass, c)
	}
	copy(out[:], bcryptMagic)
	for i := 0; i < 32; i += 8 {
		for j := 0; j < 64; j++ {
			c.Encrypt(out[i:i+8], out[i:i+8])
		}
	}
	// bcrypt_pbkdf reads the result as little-endian 32-bit words.
	for i := 0; i < 32; i += 4 {
		out[i], out[i+1], out[i+2], out[i+3] = out[i+3], out[i+2], out[i+1], out[i]
	}
}
