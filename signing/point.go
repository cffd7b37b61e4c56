package signing

import (
	"bytes"
	"fmt"

	"filippo.io/edwards25519"
)

// minusOne is L-1, so that [L-1]P + P = [L]P.
var minusOne = func() *edwards25519.Scalar {
	one, err := edwards25519.NewScalar().SetCanonicalBytes(append([]byte{1}, make([]byte, 31)...))
	if err != nil {
		panic(err)
	}
	return edwards25519.NewScalar().Negate(one)
}()

// checkKeyPoint refuses an ed25519 public key that is not the canonical
// encoding of a point of the prime-order subgroup. Verification (Go's
// crypto/ed25519, cofactorless) accepts such keys, but a small-order key
// lets anyone forge signatures for it with no private key, and a key with a
// small-order component lets one key pair sign as two different keys; both
// break "one key counts once".
func checkKeyPoint(raw []byte) error {
	p, err := new(edwards25519.Point).SetBytes(raw)
	if err != nil {
		return fmt.Errorf("not a point on the curve")
	}
	if !bytes.Equal(p.Bytes(), raw) {
		return fmt.Errorf("not the canonical encoding of its point")
	}
	identity := edwards25519.NewIdentityPoint()
	if new(edwards25519.Point).MultByCofactor(p).Equal(identity) == 1 {
		return fmt.Errorf("a small-order point, for which anyone can forge signatures")
	}
	// [L-1]P + P, in variable time: a public key is public, and this is
	// about twice as fast as the constant-time ScalarMult.
	l := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(minusOne, p, edwards25519.NewScalar())
	if l.Add(l, p).Equal(identity) != 1 {
		return fmt.Errorf("a point with a small-order component")
	}
	return nil
}
