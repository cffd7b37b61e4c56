package signing

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// sgKey returns a deterministic ed25519 key; different n, different keys.
func sgKey(n byte) ed25519.PrivateKey {
	seed := bytes.Repeat([]byte{n}, ed25519.SeedSize)
	return ed25519.NewKeyFromSeed(seed)
}

func sgSigner(tb testing.TB, n byte) ssh.Signer {
	tb.Helper()
	s, err := ssh.NewSignerFromKey(sgKey(n))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func sgPub(tb testing.TB, k any) ssh.PublicKey {
	tb.Helper()
	p, err := ssh.NewPublicKey(k)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// sgStatement returns a typical statement: four languages, as for the
// Almaty Consensus.
func sgStatement() *Statement {
	return &Statement{
		Ledger:    strings.Repeat("ab", 32),
		Document:  "almaty-consensus",
		Version:   3,
		Texts:     []TextHash{{"en", sha256.Sum256([]byte("en"))}, {"kk", sha256.Sum256([]byte("kk"))}, {"ru", sha256.Sum256([]byte("ru"))}, {"zh", sha256.Sum256([]byte("zh"))}},
		Signatory: "kaznu-rector",
		Decision:  Approve,
		Time:      time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
	}
}

func sgStatementBytes(tb testing.TB) []byte {
	tb.Helper()
	b, err := sgStatement().Format()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// rawSSHSIG builds an SSHSIG signature by hand, independently of Sign and of
// the sshsig module: hash the message with hashAlg, sign the signed data with
// priv, and let edit change the blob before it is marshalled and armored.
func rawSSHSIG(tb testing.TB, priv ed25519.PrivateKey, namespace, hashAlg string, msg []byte, edit func(*wireBlob, *ssh.Signature)) []byte {
	tb.Helper()
	var digest []byte
	switch hashAlg {
	case "sha256":
		h := sha256.Sum256(msg)
		digest = h[:]
	default:
		h := sha512.Sum512(msg)
		digest = h[:]
	}
	signed := append([]byte("SSHSIG"), ssh.Marshal(signedData{Namespace: namespace, HashAlgorithm: hashAlg, Hash: digest})...)
	sig := &ssh.Signature{Format: "ssh-ed25519", Blob: ed25519.Sign(priv, signed)}
	w := wireBlob{
		Version:       1,
		PublicKey:     sgPub(tb, priv.Public()).Marshal(),
		Namespace:     namespace,
		HashAlgorithm: hashAlg,
	}
	copy(w.Magic[:], "SSHSIG")
	if edit != nil {
		edit(&w, sig)
	}
	w.Signature = ssh.Marshal(sig)
	return armorSig(ssh.Marshal(w))
}

// editArmored decodes a canonical armored signature, lets edit change the
// blob, and re-armors it canonically.
func editArmored(tb testing.TB, armored []byte, edit func(*wireBlob, *ssh.Signature)) []byte {
	tb.Helper()
	body := strings.TrimSuffix(strings.TrimPrefix(string(armored), armorBegin), armorEnd)
	blob, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, "\n", ""))
	if err != nil {
		tb.Fatal(err)
	}
	var w wireBlob
	if err := ssh.Unmarshal(blob, &w); err != nil {
		tb.Fatal(err)
	}
	var sig ssh.Signature
	if err := ssh.Unmarshal(w.Signature, &sig); err != nil {
		tb.Fatal(err)
	}
	edit(&w, &sig)
	w.Signature = ssh.Marshal(sig)
	return armorSig(ssh.Marshal(w))
}

// groupOrder is L = 2^252 + 27742317777372353535851937790883648493, the
// order of the ed25519 base point (RFC 8032, section 5.1).
var groupOrder = func() *big.Int {
	c, ok := new(big.Int).SetString("27742317777372353535851937790883648493", 10)
	if !ok {
		panic("bad constant")
	}
	return c.Add(c, new(big.Int).Lsh(big.NewInt(1), 252))
}()

// addL returns the 64-byte ed25519 signature with L added to S (a 256-bit
// little-endian integer): the malleated twin that verifiers without a range
// check on S accept.
func addL(tb testing.TB, sig []byte) []byte {
	tb.Helper()
	le := sig[32:64]
	be := make([]byte, 32)
	for i := range le {
		be[31-i] = le[i]
	}
	s := new(big.Int).SetBytes(be)
	s.Add(s, groupOrder)
	if s.BitLen() > 256 {
		tb.Fatal("S + L does not fit in 32 bytes")
	}
	be = s.FillBytes(make([]byte, 32))
	out := append([]byte(nil), sig...)
	for i := range be {
		out[32+i] = be[31-i]
	}
	return out
}

// malleate returns the S+L twin of an armored ed25519 signature.
func malleate(tb testing.TB, armored []byte) []byte {
	tb.Helper()
	return editArmored(tb, armored, func(_ *wireBlob, s *ssh.Signature) { s.Blob = addL(tb, s.Blob) })
}

var (
	sgRSAOnce sync.Once
	sgRSA     *rsa.PrivateKey
)

func sgRSAKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	sgRSAOnce.Do(func() {
		var err error
		if sgRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return sgRSA
}

func TestVerify(t *testing.T) {
	msg := sgStatementBytes(t)
	signer := sgSigner(t, 1)
	pub := signer.PublicKey()
	good, err := Sign(signer, Namespace, msg)
	if err != nil {
		t.Fatal(err)
	}
	gitSig, err := Sign(signer, GitNamespace, msg)
	if err != nil {
		t.Fatal(err)
	}
	otherSig, err := Sign(sgSigner(t, 2), Namespace, msg)
	if err != nil {
		t.Fatal(err)
	}
	// A namespace whose blob length is not a multiple of 3, so the base64
	// ends in "==" with 4 padding bits in the last data character.
	padded, err := Sign(signer, "concordx", msg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(padded, []byte("==\n")) {
		t.Fatalf("test premise: expected padding in %s", padded)
	}
	// Set a padding bit: the last data character before "==" changes, and
	// the text is no longer canonical base64 though lenient decoders map it
	// to the same bytes.
	badPad := func() []byte {
		b := bytes.Clone(padded)
		i := bytes.Index(b, []byte("==\n")) - 1
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		v := strings.IndexByte(alphabet, b[i])
		b[i] = alphabet[v|1]
		if b[i] == padded[i] {
			b[i] = alphabet[v|2]
		}
		return b
	}()
	if lenient, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(string(badPad), armorBegin), armorEnd), "\n", "")); err != nil {
		t.Fatalf("test premise: lenient decoding of non-canonical padding failed: %v", err)
	} else if _, err := parseBlob(lenient); err != nil {
		t.Fatalf("test premise: non-canonical padding decodes to a valid blob leniently: %v", err)
	}

	rsaPub := sgPub(t, &sgRSAKey(t).PublicKey)
	rsaSigner, err := ssh.NewSignerFromKey(sgRSAKey(t))
	if err != nil {
		t.Fatal(err)
	}
	rsaSig, err := sshsig.Sign(bytes.NewReader(msg), rsaSigner, sshsig.HashSHA512, Namespace)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert := &ssh.Certificate{Key: pub, CertType: ssh.UserCert, ValidPrincipals: []string{"x"}, ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, sgSigner(t, 9)); err != nil {
		t.Fatal(err)
	}

	// A signature with '+' or '/' in its base64, rewritten in the base64url
	// alphabet.
	var urlSig, urlMsg []byte
	for i := 0; urlSig == nil; i++ {
		m := append(bytes.Clone(msg), strings.Repeat("x", i)...)
		s, err := Sign(signer, Namespace, m)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsAny(s, "+/") {
			s = bytes.ReplaceAll(s, []byte("+"), []byte("-"))
			urlSig, urlMsg = bytes.ReplaceAll(s, []byte("/"), []byte("_")), m
		}
	}

	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 1; return c }
	// replaceLine swaps base64 line n (0-based) of an armored signature.
	lines := strings.Split(string(good), "\n")

	tests := []struct {
		name      string
		armored   []byte
		pub       ssh.PublicKey
		namespace string
		msg       []byte
		want      error // nil: accepted
	}{
		{"valid", good, pub, Namespace, msg, nil},
		{"valid, hand-built", rawSSHSIG(t, sgKey(1), Namespace, "sha512", msg, nil), pub, Namespace, msg, nil},
		{"valid, sha256 hash", rawSSHSIG(t, sgKey(1), Namespace, "sha256", msg, nil), pub, Namespace, msg, nil},
		{"valid, padded base64", padded, pub, "concordx", msg, nil},

		{"git signature checked as concord", gitSig, pub, Namespace, msg, ErrBadNamespace},
		{"concord signature checked as git", good, pub, GitNamespace, msg, ErrBadNamespace},
		{"namespace prefix", good, pub, "concor", msg, ErrBadNamespace},
		{"namespace extension", good, pub, "concord2", msg, ErrBadNamespace},
		{"namespace case", good, pub, "Concord", msg, ErrBadNamespace},
		{"empty namespace", good, pub, "", msg, ErrBadNamespace},
		{"namespace edited in blob", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { w.Namespace = "file" }), pub, "file", msg, ErrBadSignature},

		{"statement one byte different", good, pub, Namespace, flip(msg, len(msg)/2), ErrBadSignature},
		{"statement with extra newline", good, pub, Namespace, append(bytes.Clone(msg), '\n'), ErrBadSignature},
		{"statement truncated", good, pub, Namespace, msg[:len(msg)-1], ErrBadSignature},
		{"empty statement", good, pub, Namespace, nil, ErrBadSignature},
		{"signature bit flipped", editArmored(t, good, func(_ *wireBlob, s *ssh.Signature) { s.Blob[10] ^= 0x80 }), pub, Namespace, msg, ErrBadSignature},
		{"S + L twin", malleate(t, good), pub, Namespace, msg, ErrBadSignature},
		{"hash algorithm swapped to sha256", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { w.HashAlgorithm = "sha256" }), pub, Namespace, msg, ErrBadSignature},
		{"signature 63 bytes", editArmored(t, good, func(_ *wireBlob, s *ssh.Signature) { s.Blob = s.Blob[:63] }), pub, Namespace, msg, ErrBadSignature},
		{"signature 65 bytes", editArmored(t, good, func(_ *wireBlob, s *ssh.Signature) { s.Blob = append(s.Blob, 0) }), pub, Namespace, msg, ErrBadSignature},
		{"signature all zero", editArmored(t, good, func(_ *wireBlob, s *ssh.Signature) { s.Blob = make([]byte, 64) }), pub, Namespace, msg, ErrBadSignature},

		{"another key", otherSig, pub, Namespace, msg, ErrWrongKey},
		{"checked against another key", good, sgSigner(t, 2).PublicKey(), Namespace, msg, ErrWrongKey},
		{"embedded key swapped for the expected one", editArmored(t, otherSig, func(w *wireBlob, _ *ssh.Signature) { w.PublicKey = pub.Marshal() }), pub, Namespace, msg, ErrBadSignature},
		{"nil key", good, nil, Namespace, msg, ErrWrongKey},
		{"rsa verification key", good, rsaPub, Namespace, msg, ErrUnsupported},
		{"rsa signature, rsa key", Armor(rsaSig), rsaPub, Namespace, msg, ErrUnsupported},
		{"rsa signature, ed25519 key", Armor(rsaSig), pub, Namespace, msg, ErrWrongKey},
		{"ecdsa verification key", good, sgPub(t, &ecKey.PublicKey), Namespace, msg, ErrUnsupported},
		{"ed25519 certificate as key", good, cert, Namespace, msg, ErrUnsupported},
		{"signature format rsa-sha2-512", editArmored(t, good, func(_ *wireBlob, s *ssh.Signature) { s.Format = "rsa-sha2-512" }), pub, Namespace, msg, ErrUnsupported},
		{"signature with trailing fields", editArmored(t, good, func(_ *wireBlob, s *ssh.Signature) { s.Rest = []byte{1, 0, 0, 0, 7} }), pub, Namespace, msg, ErrUnsupported},
		{"version 2", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { w.Version = 2 }), pub, Namespace, msg, ErrUnsupported},
		{"version 0", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { w.Version = 0 }), pub, Namespace, msg, ErrUnsupported},
		{"hash sha384", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { w.HashAlgorithm = "sha384" }), pub, Namespace, msg, ErrUnsupported},
		{"hash SHA512", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { w.HashAlgorithm = "SHA512" }), pub, Namespace, msg, ErrUnsupported},
		{"unknown key type in blob", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) {
			w.PublicKey = ssh.Marshal(struct{ T, K string }{"ssh-foo", "x"})
		}), pub, Namespace, msg, ErrUnsupported},

		{"reserved field set", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { w.Reserved = []byte("x") }), pub, Namespace, msg, ErrBadArmor},
		{"bad magic", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { copy(w.Magic[:], "SSHSIH") }), pub, Namespace, msg, ErrBadArmor},
		{"key with trailing bytes", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { w.PublicKey = append(w.PublicKey, 0) }), pub, Namespace, msg, ErrBadArmor},
		{"key of 31 bytes", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) {
			w.PublicKey = ssh.Marshal(struct{ T, K string }{"ssh-ed25519", strings.Repeat("k", 31)})
		}), pub, Namespace, msg, ErrBadArmor},
		{"trailing bytes in blob", func() []byte {
			b := editArmored(t, good, func(*wireBlob, *ssh.Signature) {})
			blob, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(string(b), armorBegin), armorEnd), "\n", ""))
			return armorSig(append(blob, 0, 0, 0))
		}(), pub, Namespace, msg, ErrBadArmor},
		{"truncated armor: end line cut", good[:len(good)-10], pub, Namespace, msg, ErrBadArmor},
		{"truncated armor: no final newline", good[:len(good)-1], pub, Namespace, msg, ErrBadArmor},
		{"truncated armor: base64 line dropped", []byte(strings.Join(append(append([]string{}, lines[:2]...), lines[3:]...), "\n")), pub, Namespace, msg, ErrBadArmor},
		{"truncated armor: begin line only", []byte(armorBegin), pub, Namespace, msg, ErrBadArmor},
		{"no base64 lines", []byte(armorBegin + armorEnd), pub, Namespace, msg, ErrBadArmor},
		{"empty", nil, pub, Namespace, msg, ErrBadArmor},
		{"trailing newline", append(bytes.Clone(good), '\n'), pub, Namespace, msg, ErrBadArmor},
		{"trailing garbage", append(bytes.Clone(good), "x"...), pub, Namespace, msg, ErrBadArmor},
		{"second signature after", append(bytes.Clone(good), good...), pub, Namespace, msg, ErrBadArmor},
		{"leading newline", append([]byte("\n"), good...), pub, Namespace, msg, ErrBadArmor},
		{"leading text", append([]byte("signature:\n"), good...), pub, Namespace, msg, ErrBadArmor},
		{"CRLF", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), pub, Namespace, msg, ErrBadArmor},
		{"CRLF on one line", bytes.Replace(good, []byte("\n"), []byte("\r\n"), 2), pub, Namespace, msg, ErrBadArmor},
		{"trailing space on a line", bytes.Replace(good, []byte("\n"), []byte(" \n"), 2), pub, Namespace, msg, ErrBadArmor},
		{"blank line in body", bytes.Replace(good, []byte("\n"), []byte("\n\n"), 2), pub, Namespace, msg, ErrBadArmor},
		{"rewrapped at 64 (PEM, sshsig.Armor)", func() []byte {
			s, err := sshsig.Unarmor(good)
			if err != nil {
				t.Fatal(err)
			}
			return sshsig.Armor(s)
		}(), pub, Namespace, msg, ErrBadArmor},
		{"one long base64 line", []byte(armorBegin + strings.Join(lines[1:len(lines)-2], "") + "\n" + armorEnd), pub, Namespace, msg, ErrBadArmor},
		{"non-canonical padding bits", badPad, pub, "concordx", msg, ErrBadArmor},
		{"padding removed", bytes.Replace(padded, []byte("==\n"), []byte("\n"), 1), pub, "concordx", msg, ErrBadArmor},
		{"base64url alphabet", urlSig, pub, Namespace, urlMsg, ErrBadArmor},
		{"lowercase begin line", bytes.Replace(good, []byte("BEGIN SSH SIGNATURE"), []byte("BEGIN SSH signature"), 1), pub, Namespace, msg, ErrBadArmor},
		{"PEM header line", bytes.Replace(good, []byte(armorBegin), []byte(armorBegin+"Comment: x\n"), 1), pub, Namespace, msg, ErrBadArmor},
		{"oversized", append(bytes.Clone(good), bytes.Repeat([]byte("A"), MaxSignatureSize)...), pub, Namespace, msg, ErrBadArmor},
	}
	kinds := []error{ErrBadArmor, ErrBadNamespace, ErrWrongKey, ErrBadSignature, ErrUnsupported}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.armored, tt.pub, tt.namespace, tt.msg)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify accepted it, want %v", tt.want)
			}
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("Verify error %T (%v), want *VerifyError", err, err)
			}
			if ve.Kind != tt.want {
				t.Fatalf("Verify error kind %q (%v), want %q", ve.Kind, err, tt.want)
			}
			for _, k := range kinds {
				if errors.Is(err, k) != (k == tt.want) {
					t.Errorf("errors.Is(err, %q) = %v", k, !(k == tt.want))
				}
			}
			if !ve.InvalidEvidence() {
				t.Error("InvalidEvidence() = false")
			}
		})
	}
}

// TestVerifyEveryByte flips each bit of the statement and of the armored
// signature in turn: every change must be refused.
func TestVerifyEveryByte(t *testing.T) {
	msg := sgStatementBytes(t)
	signer := sgSigner(t, 1)
	good, err := Sign(signer, Namespace, msg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range msg {
		for bit := range 8 {
			m := bytes.Clone(msg)
			m[i] ^= 1 << bit
			if err := Verify(good, signer.PublicKey(), Namespace, m); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("statement byte %d bit %d flipped: got %v, want ErrBadSignature", i, bit, err)
			}
		}
	}
	for i := range good {
		for bit := range 8 {
			s := bytes.Clone(good)
			s[i] ^= 1 << bit
			if err := Verify(s, signer.PublicKey(), Namespace, msg); err == nil {
				t.Fatalf("signature byte %d bit %d flipped: accepted", i, bit)
			}
		}
	}
}

func TestSign(t *testing.T) {
	msg := sgStatementBytes(t)
	signer := sgSigner(t, 1)
	a, err := Sign(signer, Namespace, msg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sign(signer, Namespace, msg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two signatures of the same message differ (ed25519 is deterministic)")
	}
	// Sign's output is byte for byte the hand-built SSHSIG with SHA-512.
	if want := rawSSHSIG(t, sgKey(1), Namespace, "sha512", msg, nil); !bytes.Equal(a, want) {
		t.Errorf("Sign =\n%s\nwant (hand-built)\n%s", a, want)
	}
	lines := strings.Split(strings.TrimSuffix(string(a), "\n"), "\n")
	if lines[0] != "-----BEGIN SSH SIGNATURE-----" || lines[len(lines)-1] != "-----END SSH SIGNATURE-----" {
		t.Errorf("armor lines: %q", lines)
	}
	for i, l := range lines[1 : len(lines)-1] {
		if len(l) > 70 || (i < len(lines)-3 && len(l) != 70) {
			t.Errorf("base64 line %d has %d characters", i+1, len(l))
		}
	}

	rsaSigner, err := ssh.NewSignerFromKey(sgRSAKey(t))
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecSigner, err := ssh.NewSignerFromKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("agent refused")
	tests := []struct {
		name      string
		signer    ssh.Signer
		namespace string
		want      error // Kind of *SignError; nil with wantErr for a signer failure
		wantErr   error
	}{
		{"rsa signer", rsaSigner, Namespace, ErrUnsupported, nil},
		{"ecdsa signer", ecSigner, Namespace, ErrUnsupported, nil},
		{"empty namespace", signer, "", ErrBadNamespace, nil},
		{"nil signer", nil, Namespace, nil, nil},
		{"agent flips a bit", sgFakeSigner{signer, func(s *ssh.Signature) { s.Blob[0] ^= 1 }, nil}, Namespace, ErrSignerMisbehaved, ErrBadSignature},
		{"agent returns S+L twin", sgFakeSigner{signer, func(s *ssh.Signature) { s.Blob = addL(t, s.Blob) }, nil}, Namespace, ErrSignerMisbehaved, ErrBadSignature},
		{"agent returns another format", sgFakeSigner{signer, func(s *ssh.Signature) { s.Format = "ssh-rsa" }, nil}, Namespace, ErrSignerMisbehaved, ErrUnsupported},
		{"agent signs with another key", sgFakeSigner{signer, nil, sgSigner(t, 2)}, Namespace, ErrSignerMisbehaved, ErrBadSignature},
		{"agent fails", sgErrSigner{signer, boom}, Namespace, nil, boom},
		{"signer reads randomness", sgRandSigner{signer}, Namespace, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Sign(tt.signer, tt.namespace, msg)
			if err == nil {
				t.Fatalf("Sign succeeded:\n%s", out)
			}
			var se *SignError
			if !errors.As(err, &se) {
				t.Fatalf("error %T (%v), want *SignError", err, err)
			}
			if se.Kind != tt.want {
				t.Errorf("Kind = %v, want %v (%v)", se.Kind, tt.want, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
			// Failing to sign is an operational error (exit 1), even when
			// the cause is a signature that does not verify.
			var ie interface{ InvalidEvidence() bool }
			if errors.As(err, &ie) && ie.InvalidEvidence() {
				t.Errorf("InvalidEvidence() = true for %v", err)
			}
		})
	}
}

// sgFakeSigner signs with sign (or its own key) and then edits the signature.
type sgFakeSigner struct {
	ssh.Signer
	edit func(*ssh.Signature)
	sign ssh.Signer // if set, signs instead of Signer, keeping Signer's public key
}

func (f sgFakeSigner) Sign(r io.Reader, data []byte) (*ssh.Signature, error) {
	s := f.Signer
	if f.sign != nil {
		s = f.sign
	}
	sig, err := s.Sign(r, data)
	if err == nil && f.edit != nil {
		f.edit(sig)
	}
	return sig, err
}

type sgErrSigner struct {
	ssh.Signer
	err error
}

func (e sgErrSigner) Sign(io.Reader, []byte) (*ssh.Signature, error) { return nil, e.err }

type sgRandSigner struct{ ssh.Signer }

func (r sgRandSigner) Sign(rnd io.Reader, data []byte) (*ssh.Signature, error) {
	if _, err := io.ReadFull(rnd, make([]byte, 8)); err != nil {
		return nil, err
	}
	return r.Signer.Sign(rnd, data)
}

func TestSignatureKey(t *testing.T) {
	msg := sgStatementBytes(t)
	signer := sgSigner(t, 3)
	good, err := Sign(signer, Namespace, msg)
	if err != nil {
		t.Fatal(err)
	}
	k, err := SignatureKey(good)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Marshal(), signer.PublicKey().Marshal()) {
		t.Error("SignatureKey returned another key")
	}
	rsaSigner, err := ssh.NewSignerFromKey(sgRSAKey(t))
	if err != nil {
		t.Fatal(err)
	}
	rsaSig, err := sshsig.Sign(bytes.NewReader(msg), rsaSigner, sshsig.HashSHA512, Namespace)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		armored []byte
		want    error
	}{
		{"rsa", Armor(rsaSig), ErrUnsupported},
		{"crlf", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), ErrBadArmor},
		{"garbage", []byte("hello"), ErrBadArmor},
		{"version 2", editArmored(t, good, func(w *wireBlob, _ *ssh.Signature) { w.Version = 2 }), ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := SignatureKey(tt.armored)
			if !errors.Is(err, tt.want) {
				t.Fatalf("SignatureKey = %v, %v; want %v", k, err, tt.want)
			}
		})
	}
}

// TestArmorLayout checks armor against the layout of OpenSSH's
// sshbuf_dtob64 with wrapping, for every blob length up to a few lines,
// including exact multiples of 70 characters (no blank line before the end
// line).
func TestArmorLayout(t *testing.T) {
	for n := 0; n < 300; n++ {
		blob := bytes.Repeat([]byte{0xa5}, n)
		enc := base64.StdEncoding.EncodeToString(blob)
		var want strings.Builder
		want.WriteString("-----BEGIN SSH SIGNATURE-----\n")
		for i, c := range enc {
			want.WriteRune(c)
			if i%70 == 69 {
				want.WriteByte('\n')
			}
		}
		if len(enc)%70 != 0 {
			want.WriteByte('\n')
		}
		want.WriteString("-----END SSH SIGNATURE-----\n")
		if got := string(armorSig(blob)); got != want.String() {
			t.Fatalf("armor of %d bytes:\n%s\nwant\n%s", n, got, want.String())
		}
		// Not a signature: refused, never a panic.
		if _, err := ParseArmored(armorSig(blob)); !errors.Is(err, ErrBadArmor) {
			t.Fatalf("ParseArmored of %d junk bytes: %v", n, err)
		}
	}
}

func TestAllowedSigners(t *testing.T) {
	k1 := sgSigner(t, 1).PublicKey()
	k2 := sgSigner(t, 2).PublicKey()
	line := func(principal, opts string, k ssh.PublicKey) string {
		s := principal + " "
		if opts != "" {
			s += opts + " "
		}
		return s + strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(k)), "\n") + "\n"
	}
	// Order of keys for one principal: by wire bytes.
	lo, hi := k1, k2
	if bytes.Compare(k1.Marshal(), k2.Marshal()) > 0 {
		lo, hi = k2, k1
	}
	tests := []struct {
		name    string
		entries []AllowedSigner
		want    string
	}{
		{"empty", nil, ""},
		{"no namespaces", []AllowedSigner{{"alice", k1, nil}}, line("alice", "", k1)},
		{"namespaces sorted", []AllowedSigner{{"alice", k1, []string{"git", "concord"}}}, line("alice", `namespaces="concord,git"`, k1)},
		{"namespaces deduplicated", []AllowedSigner{{"alice", k1, []string{"concord", "concord"}}}, line("alice", `namespaces="concord"`, k1)},
		{"sorted by principal", []AllowedSigner{{"bob", k1, nil}, {"alice", k2, nil}}, line("alice", "", k2) + line("bob", "", k1)},
		{"then by key", []AllowedSigner{{"alice", hi, nil}, {"alice", lo, nil}}, line("alice", "", lo) + line("alice", "", hi)},
		{"duplicates once", []AllowedSigner{{"alice", k1, nil}, {"alice", k1, nil}}, line("alice", "", k1)},
		{"email principal", []AllowedSigner{{"rector@kaznu.kz", k1, []string{"git"}}}, line("rector@kaznu.kz", `namespaces="git"`, k1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(AllowedSigners(tt.entries)); got != tt.want {
				t.Errorf("AllowedSigners =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}

	bad := []struct {
		name  string
		entry AllowedSigner
	}{
		{"empty principal", AllowedSigner{"", k1, nil}},
		{"space in principal", AllowedSigner{"a b", k1, nil}},
		{"comma in principal", AllowedSigner{"a,b", k1, nil}},
		{"wildcard principal", AllowedSigner{"*", k1, nil}},
		{"negated principal", AllowedSigner{"!a", k1, nil}},
		{"comment principal", AllowedSigner{"#a", k1, nil}},
		{"quote in principal", AllowedSigner{`a"`, k1, nil}},
		{"non-ASCII principal", AllowedSigner{"ректор", k1, nil}},
		{"newline in principal", AllowedSigner{"a\nb", k1, nil}},
		{"quote in namespace", AllowedSigner{"a", k1, []string{`x" y`}}},
		{"empty namespace", AllowedSigner{"a", k1, []string{""}}},
		{"nil key", AllowedSigner{"a", nil, nil}},
		{"rsa key", AllowedSigner{"a", sgPub(t, &sgRSAKey(t).PublicKey), nil}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.entry.Check(); err == nil {
				t.Fatal("Check accepted it")
			}
			defer func() {
				if recover() == nil {
					t.Error("AllowedSigners did not panic")
				}
			}()
			AllowedSigners([]AllowedSigner{tt.entry})
		})
	}
}
