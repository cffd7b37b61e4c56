package signing

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"filippo.io/edwards25519"
	"golang.org/x/crypto/ssh"
)

// keyLine returns an authorized_keys line for raw 32 key bytes.
func keyLine(raw []byte) []byte {
	blob := ssh.Marshal(struct {
		Type string
		Key  []byte
	}{"ssh-ed25519", raw})
	return []byte("ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob))
}

func TestParsePublicKeyRefusesWeakPoints(t *testing.T) {
	seed := sha256.Sum256([]byte("point test"))
	good := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	// A point of order 8 (a generator of the torsion subgroup).
	torsion, err := new(edwards25519.Point).SetBytes(mustHex(t, "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"))
	if err != nil {
		t.Fatal(err)
	}
	goodPoint, _ := new(edwards25519.Point).SetBytes(good)
	mixed := new(edwards25519.Point).Add(goodPoint, torsion).Bytes()
	cases := []struct {
		name string
		raw  []byte
		want string // "" for accepted
	}{
		{"a real key", good, ""},
		{"identity", mustHex(t, "0100000000000000000000000000000000000000000000000000000000000000"), "small-order"},
		{"identity with the sign bit set", mustHex(t, "0100000000000000000000000000000000000000000000000000000000000080"), "canonical"},
		{"identity as y = p+1", mustHex(t, "ee"+strings.Repeat("ff", 30)+"7f"), "canonical"},
		{"order 2 point", mustHex(t, "ec"+strings.Repeat("ff", 30)+"7f"), "small-order"},
		{"order 8 point", torsion.Bytes(), "small-order"},
		{"real key plus a torsion point", mixed, "small-order component"},
		{"not on the curve", mustHex(t, "0200000000000000000000000000000000000000000000000000000000000000"), "not a point"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePublicKey(keyLine(c.raw))
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused a real key: %v", err)
				}
				return
			}
			var kf *KeyFormatError
			if !errors.As(err, &kf) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want a *KeyFormatError mentioning %q", err, c.want)
			}
		})
	}
}
