package signing

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Namespaces of SSHSIG signatures.
const (
	// Namespace is the SSHSIG namespace of concord statements.
	Namespace = "concord"
	// GitNamespace is the namespace git uses for SSH-signed commits.
	GitNamespace = "git"
)

// The armor, exactly as ssh-keygen -Y sign writes it (OpenSSH sshsig.c:
// sshsig_armor): the begin line, the base64 of the SSHSIG blob in lines of
// armorLineLen characters (the last may be shorter), the end line, each line
// ending in LF.
const (
	armorBegin   = "-----BEGIN SSH SIGNATURE-----\n"
	armorEnd     = "-----END SSH SIGNATURE-----\n"
	armorLineLen = 70
)

// MaxSignatureSize is the largest armored signature concord reads. An
// ed25519 SSHSIG signature is under 400 bytes.
const MaxSignatureSize = 8 << 10

// sshsigMagic starts both the SSHSIG blob and the data that is signed.
const sshsigMagic = "SSHSIG"

// sshsigVersion is the only SSHSIG version there is.
const sshsigVersion = 1

// wireBlob is the SSHSIG blob (OpenSSH PROTOCOL.sshsig), read here before
// handing it to sshsig.ParseSignature so each fault gets its own error kind.
type wireBlob struct {
	Magic         [6]byte
	Version       uint32
	PublicKey     []byte
	Namespace     string
	Reserved      []byte
	HashAlgorithm string
	Signature     []byte
}

// signedData is what the ed25519 signature of an SSHSIG signature is made
// over, after the "SSHSIG" magic (PROTOCOL.sshsig, "Signed Data").
type signedData struct {
	Namespace     string
	Reserved      string
	HashAlgorithm string
	Hash          []byte
}

// Sign returns an armored SSHSIG signature ("-----BEGIN SSH SIGNATURE-----")
// of message under namespace, made with signer (a key file or an agent), using
// SHA-512 as ssh-keygen does. The signature is verified before it is
// returned, so a misbehaving agent is caught here.
//
// Only ed25519 signers are accepted. Ed25519 signing is deterministic: the
// result is byte for byte what `ssh-keygen -Y sign` writes for the same key,
// namespace and message, and no randomness is used (a signer that asks for
// any fails). Errors are *SignError.
func Sign(signer ssh.Signer, namespace string, message []byte) ([]byte, error) {
	if signer == nil {
		return nil, &SignError{Reason: "no signer"}
	}
	if namespace == "" {
		return nil, &SignError{Kind: ErrBadNamespace, Reason: "empty namespace"}
	}
	pub := signer.PublicKey()
	if pub == nil {
		return nil, &SignError{Reason: "signer has no public key"}
	}
	if t := pub.Type(); t != ssh.KeyAlgoED25519 {
		return nil, &SignError{Kind: ErrUnsupported, Reason: fmt.Sprintf("key type %q is not ed25519", t)}
	}
	sig, err := sshsig.SignWithRand(bytes.NewReader(message), noRandomness{}, signer, sshsig.HashSHA512, namespace)
	if err != nil {
		return nil, &SignError{Err: err}
	}
	armored := armorSig(sig.Marshal())
	if err := Verify(armored, pub, namespace, message); err != nil {
		return nil, &SignError{Kind: ErrSignerMisbehaved, Err: err}
	}
	return armored, nil
}

// noRandomness is the randomness given to signers: ed25519 needs none.
type noRandomness struct{}

func (noRandomness) Read([]byte) (int, error) {
	return 0, errors.New("ed25519 signing reads no randomness")
}

// Verify checks that armored is a valid SSHSIG signature of message under
// namespace by pub, following the package's verification rule. Parsing is
// strict: armor that does not re-encode to the same bytes is refused.
// All failures are *VerifyError.
//
// The checks, in order: pub is ed25519 and namespace is not empty; armored
// is canonical (ParseArmored); the signature's namespace is namespace; its
// key is pub (same wire bytes); its hash algorithm is sha512 or sha256; its
// signature is an "ssh-ed25519" signature of 64 bytes with nothing after
// them; and finally crypto/ed25519 accepts it. There is no other way to be
// accepted.
func Verify(armored []byte, pub ssh.PublicKey, namespace string, message []byte) error {
	if namespace == "" {
		return verifyErr(ErrBadNamespace, nil, "no namespace given")
	}
	if pub == nil {
		return verifyErr(ErrWrongKey, nil, "no key given")
	}
	raw, err := ed25519Key(pub)
	if err != nil {
		return verifyErr(ErrUnsupported, err, "verification key")
	}
	sig, err := ParseArmored(armored)
	if err != nil {
		return err
	}
	if sig.Namespace != namespace {
		return verifyErr(ErrBadNamespace, nil, "signature is for namespace %q, expected %q", sig.Namespace, namespace)
	}
	if !bytes.Equal(sig.PublicKey.Marshal(), pub.Marshal()) {
		return verifyErr(ErrWrongKey, nil, "signed by %s, expected %s", ssh.FingerprintSHA256(sig.PublicKey), ssh.FingerprintSHA256(pub))
	}
	var digest []byte
	switch sig.HashAlgorithm {
	case sshsig.HashSHA512:
		h := sha512.Sum512(message)
		digest = h[:]
	case sshsig.HashSHA256:
		h := sha256.Sum256(message)
		digest = h[:]
	default: // refused by ParseArmored already
		return verifyErr(ErrUnsupported, nil, "hash algorithm %q", sig.HashAlgorithm)
	}
	if sig.Signature.Format != ssh.KeyAlgoED25519 {
		return verifyErr(ErrUnsupported, nil, "signature algorithm %q is not %q", sig.Signature.Format, ssh.KeyAlgoED25519)
	}
	if len(sig.Signature.Rest) != 0 {
		return verifyErr(ErrUnsupported, nil, "%d unexpected bytes after the ed25519 signature", len(sig.Signature.Rest))
	}
	if len(sig.Signature.Blob) != ed25519.SignatureSize {
		return verifyErr(ErrBadSignature, nil, "ed25519 signature is %d bytes, not %d", len(sig.Signature.Blob), ed25519.SignatureSize)
	}
	signed := append([]byte(sshsigMagic), ssh.Marshal(signedData{
		Namespace:     namespace,
		HashAlgorithm: string(sig.HashAlgorithm),
		Hash:          digest,
	})...)
	if !verifyEd25519(raw, signed, sig.Signature.Blob) {
		return verifyErr(ErrBadSignature, nil, "ed25519 check failed for key %s", ssh.FingerprintSHA256(pub))
	}
	return nil
}

// verifyEd25519 is the one cryptographic check behind Verify, and so behind
// every signature concord accepts: Go's crypto/ed25519 (RFC 8032 with the
// range check on S, cofactorless). It is tested directly against the shared
// Wycheproof and CCTV vectors. Keys and signatures of the wrong length are
// rejected rather than panicking.
func verifyEd25519(pub ed25519.PublicKey, msg, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(pub, msg, sig)
}

// ed25519Key returns the raw ed25519 key of pub, or an error if pub is
// another type of key (including an ed25519 certificate or security key).
func ed25519Key(pub ssh.PublicKey) (ed25519.PublicKey, error) {
	if t := pub.Type(); t != ssh.KeyAlgoED25519 {
		return nil, fmt.Errorf("key type %q is not ed25519", t)
	}
	ck, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		// Some implementations (e.g. an agent's key) carry only wire bytes.
		parsed, err := ssh.ParsePublicKey(pub.Marshal())
		if err != nil {
			return nil, fmt.Errorf("parsing ed25519 key: %w", err)
		}
		if ck, ok = parsed.(ssh.CryptoPublicKey); !ok {
			return nil, errors.New("ed25519 key without its key bytes")
		}
	}
	raw, ok := ck.CryptoPublicKey().(ed25519.PublicKey)
	if !ok || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("malformed ed25519 key")
	}
	return raw, nil
}

// SignatureKey parses armored strictly and returns the public key it names,
// without verifying anything. Use it to find which roster key to verify with,
// then call Verify. A key other than ed25519 is refused with ErrUnsupported.
// Errors are *VerifyError.
func SignatureKey(armored []byte) (ssh.PublicKey, error) {
	sig, err := ParseArmored(armored)
	if err != nil {
		return nil, err
	}
	if _, err := ed25519Key(sig.PublicKey); err != nil {
		return nil, verifyErr(ErrUnsupported, err, "signature key")
	}
	return sig.PublicKey, nil
}

// ParseArmored parses an armored SSHSIG signature strictly. It accepts only
// the one canonical encoding ssh-keygen -Y sign writes: the begin line, the
// base64 of the blob in lines of 70 characters (the last may be shorter) with
// zero padding bits, the end line, LF after each line, nothing before or
// after; and a blob that re-marshals to the same bytes (no trailing data, an
// empty reserved field), of SSHSIG version 1, hash sha256 or sha512, with a
// key x/crypto/ssh can parse. So Armor(ParseArmored(b)) == b whenever it
// succeeds. It checks neither the key type (see SignatureKey) nor the
// signature (see Verify). Errors are *VerifyError with Kind ErrBadArmor or
// ErrUnsupported.
func ParseArmored(b []byte) (*sshsig.Signature, error) {
	if len(b) > MaxSignatureSize {
		return nil, verifyErr(ErrBadArmor, nil, "%d bytes, more than %d", len(b), MaxSignatureSize)
	}
	body, ok := bytes.CutPrefix(b, []byte(armorBegin))
	if !ok {
		return nil, verifyErr(ErrBadArmor, nil, "does not start with %q", strings.TrimSuffix(armorBegin, "\n"))
	}
	body, ok = bytes.CutSuffix(body, []byte(armorEnd))
	if !ok {
		return nil, verifyErr(ErrBadArmor, nil, "does not end with %q and a newline", strings.TrimSuffix(armorEnd, "\n"))
	}
	lines := bytes.Split(body, []byte("\n"))
	if len(lines) < 2 || len(lines[len(lines)-1]) != 0 {
		return nil, verifyErr(ErrBadArmor, nil, "no base64 lines")
	}
	lines = lines[:len(lines)-1]
	var enc []byte
	for i, l := range lines {
		last := i == len(lines)-1
		if len(l) > armorLineLen || (!last && len(l) != armorLineLen) || len(l) == 0 {
			return nil, verifyErr(ErrBadArmor, nil, "base64 line %d is %d characters, expected %d", i+1, len(l), armorLineLen)
		}
		enc = append(enc, l...)
	}
	blob, err := base64.StdEncoding.Strict().DecodeString(string(enc))
	if err != nil {
		return nil, verifyErr(ErrBadArmor, err, "base64")
	}
	if !bytes.Equal(armorSig(blob), b) {
		// E.g. the blob's length was not a multiple of 3 but the text
		// lacked padding, which Strict does not allow anyway; belt and braces.
		return nil, verifyErr(ErrBadArmor, nil, "armor is not in canonical form")
	}
	return parseBlob(blob)
}

// parseBlob parses an SSHSIG blob strictly (see ParseArmored).
func parseBlob(blob []byte) (*sshsig.Signature, error) {
	var w wireBlob
	if err := ssh.Unmarshal(blob, &w); err != nil {
		return nil, verifyErr(ErrBadArmor, err, "SSHSIG blob")
	}
	if string(w.Magic[:]) != sshsigMagic {
		return nil, verifyErr(ErrBadArmor, nil, "SSHSIG blob starts with %q, not %q", w.Magic[:], sshsigMagic)
	}
	if w.Version != sshsigVersion {
		return nil, verifyErr(ErrUnsupported, nil, "SSHSIG version %d, expected %d", w.Version, sshsigVersion)
	}
	if len(w.Reserved) != 0 {
		return nil, verifyErr(ErrBadArmor, nil, "reserved field is not empty")
	}
	if h := sshsig.HashAlgorithm(w.HashAlgorithm); h != sshsig.HashSHA512 && h != sshsig.HashSHA256 {
		return nil, verifyErr(ErrUnsupported, nil, "hash algorithm %q, expected %q or %q", w.HashAlgorithm, sshsig.HashSHA512, sshsig.HashSHA256)
	}
	var keyType struct {
		Type string
		Rest []byte `ssh:"rest"`
	}
	if err := ssh.Unmarshal(w.PublicKey, &keyType); err != nil {
		return nil, verifyErr(ErrBadArmor, err, "public key")
	}
	if _, err := ssh.ParsePublicKey(w.PublicKey); err != nil {
		if keyType.Type == ssh.KeyAlgoED25519 {
			return nil, verifyErr(ErrBadArmor, err, "malformed ed25519 key")
		}
		return nil, verifyErr(ErrUnsupported, err, "public key of type %q", keyType.Type)
	}
	sig, err := sshsig.ParseSignature(blob)
	if err != nil {
		return nil, verifyErr(ErrBadArmor, err, "SSHSIG blob")
	}
	if !bytes.Equal(sig.Marshal(), blob) {
		return nil, verifyErr(ErrBadArmor, nil, "SSHSIG blob is not in canonical form")
	}
	return sig, nil
}

// Armor returns sig armored as ssh-keygen -Y sign writes it. It differs from
// sshsig.Armor, which wraps base64 at 64 characters as PEM does; concord
// writes and accepts only ssh-keygen's form.
func Armor(sig *sshsig.Signature) []byte {
	return armorSig(sig.Marshal())
}

func armorSig(blob []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(blob)
	var b bytes.Buffer
	b.Grow(len(armorBegin) + len(enc) + len(enc)/armorLineLen + 1 + len(armorEnd))
	b.WriteString(armorBegin)
	for len(enc) > 0 {
		n := min(len(enc), armorLineLen)
		b.WriteString(enc[:n])
		b.WriteByte('\n')
		enc = enc[n:]
	}
	b.WriteString(armorEnd)
	return b.Bytes()
}

// AllowedSigner is one line of an allowed_signers file: who may sign with
// Key, and for which namespaces (all, if Namespaces is empty).
type AllowedSigner struct {
	Principal  string
	Key        ssh.PublicKey
	Namespaces []string
}

// Check reports whether e can be written to an allowed_signers file: the
// principal and each namespace must be non-empty printable ASCII without
// spaces, commas, quotes, backslashes or the pattern characters * ? ! (so
// each names exactly itself), the principal must not start with '#', and the
// key must be ed25519.
func (e AllowedSigner) Check() error {
	if reason := patternSafe(e.Principal); reason != "" {
		return fmt.Errorf("allowed signer principal %q: %s", e.Principal, reason)
	}
	if strings.HasPrefix(e.Principal, "#") {
		return fmt.Errorf("allowed signer principal %q: starts with '#'", e.Principal)
	}
	for _, ns := range e.Namespaces {
		if reason := patternSafe(ns); reason != "" {
			return fmt.Errorf("allowed signer %q: namespace %q: %s", e.Principal, ns, reason)
		}
	}
	if e.Key == nil {
		return fmt.Errorf("allowed signer %q: no key", e.Principal)
	}
	if _, err := ed25519Key(e.Key); err != nil {
		return fmt.Errorf("allowed signer %q: %w", e.Principal, err)
	}
	return nil
}

func patternSafe(s string) string {
	if s == "" {
		return "empty"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' || strings.IndexByte(`,"'*?!\`, c) >= 0 {
			return fmt.Sprintf("character %q not allowed", c)
		}
	}
	return ""
}

// AllowedSigners returns an allowed_signers file, the format read by
// `ssh-keygen -Y verify -f` and by git's gpg.ssh.allowedSignersFile: one line
// per entry,
//
//	principal namespaces="concord,git" ssh-ed25519 AAAA…
//
// (without namespaces= when an entry has none), lines sorted by principal
// then by key wire bytes, namespaces sorted within a line; identical lines
// are written once. The output depends only on the set of entries.
//
// Every entry must pass AllowedSigner.Check (roster entries always do);
// AllowedSigners panics otherwise, as writing a line that means something
// else is never right. Check entries from outside input first.
func AllowedSigners(entries []AllowedSigner) []byte {
	type line struct {
		principal string
		key       []byte
		text      string
	}
	lines := make([]line, 0, len(entries))
	for _, e := range entries {
		if err := e.Check(); err != nil {
			panic("signing.AllowedSigners: " + err.Error())
		}
		var b strings.Builder
		b.WriteString(e.Principal)
		if len(e.Namespaces) > 0 {
			ns := slices.Clone(e.Namespaces)
			slices.Sort(ns)
			ns = slices.Compact(ns)
			b.WriteString(` namespaces="` + strings.Join(ns, ",") + `"`)
		}
		b.WriteString(" " + e.Key.Type() + " " + base64.StdEncoding.EncodeToString(e.Key.Marshal()) + "\n")
		lines = append(lines, line{e.Principal, e.Key.Marshal(), b.String()})
	}
	slices.SortFunc(lines, func(a, b line) int {
		return cmp.Or(strings.Compare(a.principal, b.principal), bytes.Compare(a.key, b.key), strings.Compare(a.text, b.text))
	})
	var out bytes.Buffer
	for i, l := range lines {
		if i > 0 && l.text == lines[i-1].text {
			continue
		}
		out.WriteString(l.text)
	}
	return out.Bytes()
}
