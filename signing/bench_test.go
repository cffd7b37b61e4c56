package signing

import (
	"crypto/ed25519"
	"crypto/sha512"
	"testing"
)

// Benchmarks of SSHSIG signing and verification of a typical statement (four
// languages), beside the raw ed25519 operations they wrap, so that
// `go test -bench . ./signing/` shows the overhead of the format side by side.

func BenchmarkSign(b *testing.B) {
	msg := sgStatementBytes(b)
	signer := sgSigner(b, 1)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := Sign(signer, Namespace, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	msg := sgStatementBytes(b)
	signer := sgSigner(b, 1)
	sig, err := Sign(signer, Namespace, msg)
	if err != nil {
		b.Fatal(err)
	}
	pub := signer.PublicKey()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := Verify(sig, pub, Namespace, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// rawSignedData is what the raw benchmarks sign: the size of SSHSIG's signed
// data for a SHA-512 hash, so the comparison is like for like.
func rawSignedData() []byte {
	h := sha512.Sum512([]byte("statement"))
	return append([]byte("SSHSIG"), h[:]...)
}

func BenchmarkRawEd25519Sign(b *testing.B) {
	priv := sgKey(1)
	data := rawSignedData()
	for b.Loop() {
		ed25519.Sign(priv, data)
	}
}

func BenchmarkRawEd25519Verify(b *testing.B) {
	priv := sgKey(1)
	data := rawSignedData()
	sig := ed25519.Sign(priv, data)
	pub := priv.Public().(ed25519.PublicKey)
	for b.Loop() {
		if !verifyEd25519(pub, data, sig) {
			b.Fatal("does not verify")
		}
	}
}

// BenchmarkParsePublicKey is the cost of reading one roster key, its
// point check included (paid once per key a replay meets).
func BenchmarkParsePublicKey(b *testing.B) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		b.Fatal(err)
	}
	line := keyLine(pub)
	for b.Loop() {
		if _, err := ParsePublicKey(line); err != nil {
			b.Fatal(err)
		}
	}
}
