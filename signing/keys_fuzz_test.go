package signing

import (
	"bytes"
	"crypto/ed25519"
	"encoding/pem"
	"regexp"
	"testing"

	"golang.org/x/crypto/ssh"
)

// authorizedLine splits an authorized_keys line as ParseAuthorizedKey
// documents: blanks around the line and between the fields are not part of
// them, and the comment is the rest after the base64 field.
var authorizedLine = regexp.MustCompile(`^[ \t]*([^ \t\r\n]+)[ \t]+([^ \t\r\n]+)(?:[ \t]+(.*?))?[ \t]*(?:\r?\n)?$`)

// FuzzParsePublicKey checks that ParseAuthorizedKey never panics and that,
// when it succeeds, MarshalPublicKey gives the input back in its normal form
// (outer blanks and line ending dropped, one space between the fields, "\n"
// at the end), which parses to the same key and comment.
func FuzzParsePublicKey(f *testing.F) {
	for i := byte(0); i < 3; i++ {
		pub := sshPub(f, testKey(f, 100+i))
		f.Add(MarshalPublicKey(pub, ""))
		f.Add(MarshalPublicKey(pub, "alice@example.org"))
		f.Add([]byte(" \t" + string(MarshalPublicKey(pub, "Алия  李"))[:len(MarshalPublicKey(pub, "Алия  李"))-1] + " \r\n"))
	}
	f.Add([]byte("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 rsa\n"))
	f.Add([]byte("ssh-ed25519 AAAA\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, line []byte) {
		pub, comment, err := ParseAuthorizedKey(line)
		if err != nil {
			if !isA[*KeyFormatError](err) && !isA[*KeyTypeError](err) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if pub.Type() != ssh.KeyAlgoED25519 {
			t.Fatalf("accepted a %s key", pub.Type())
		}
		m := authorizedLine.FindSubmatch(line)
		if m == nil {
			t.Fatalf("accepted %q, which is not a key line", line)
		}
		want := string(m[1]) + " " + string(m[2])
		if len(m[3]) > 0 {
			want += " " + string(m[3])
		}
		want += "\n"
		got := MarshalPublicKey(pub, comment)
		if string(got) != want {
			t.Fatalf("re-encoding of %q is %q, want %q", line, got, want)
		}
		pub2, comment2, err := ParseAuthorizedKey(got)
		if err != nil || !SameKey(pub, pub2) || comment2 != comment {
			t.Fatalf("re-encoding %q does not parse back: %v", got, err)
		}
	})
}

// fuzzPassphrase is the passphrase of the encrypted seeds of
// FuzzParsePrivateKey.
const fuzzPassphrase = "fuzz"

// fuzzKeySeeds are key files for the private key fuzzers: unencrypted and
// encrypted (cheaply) with fuzzPassphrase.
func fuzzKeySeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for i := byte(0); i < 2; i++ {
		key := testKey(f, 110+i)
		for _, o := range []PrivateKeyOptions{{Comment: "seed key"}, cheap("seed key", fuzzPassphrase)} {
			data, err := MarshalPrivateKey(key, o)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, data)
		}
	}
	return seeds
}

// FuzzParsePrivateKey checks that parsing a private key file never panics,
// that every refusal is typed, and that what is accepted is a consistent
// key matching its header, which x/crypto reads too, and whose comment (of
// an unencrypted key) survives writing the key again.
func FuzzParsePrivateKey(f *testing.F) {
	for _, s := range fuzzKeySeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pass := fixedPass(fuzzPassphrase)
		if block, _ := pem.Decode(data); block != nil {
			if _, kdf, err := parseKeyHeader(block.Bytes); err == nil && kdf != nil && kdf.Rounds > 4 {
				// Judge the header only: the KDF would take too long.
				pass = func() ([]byte, error) { return nil, &PassphraseMissingError{Reason: "fuzzing"} }
			}
		}
		key, comment, err := parsePrivateKey("", data, pass)
		if err != nil {
			if !isA[*KeyFormatError](err) && !isA[*KeyTypeError](err) && !isA[*WrongPassphraseError](err) &&
				!isA[*NotPrivateKeyError](err) && !isA[*KeyCipherError](err) && !isA[*PassphraseMissingError](err) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if !bytes.Equal(ed25519.NewKeyFromSeed(key.Seed()), key) {
			t.Fatal("accepted an inconsistent key")
		}
		kf, err := parsePrivateKeyFile("", data)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(kf.pub.Marshal(), sshPub(t, key).Marshal()) {
			t.Fatal("accepted a key that does not match its header")
		}
		var raw any
		if kf.encrypted {
			raw, err = ssh.ParseRawPrivateKeyWithPassphrase(data, []byte(fuzzPassphrase))
		} else {
			raw, err = ssh.ParseRawPrivateKey(data)
		}
		if xk, ok := raw.(*ed25519.PrivateKey); err != nil || !ok || !bytes.Equal(*xk, key) {
			t.Fatalf("x/crypto reads %T, %v", raw, err)
		}
		if kf.encrypted {
			return
		}
		again, err := MarshalPrivateKey(key, PrivateKeyOptions{Comment: comment})
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		key2, comment2, err := parsePrivateKey("", again, noPassAsked(t))
		if err != nil || !bytes.Equal(key2, key) || comment2 != comment {
			t.Fatalf("re-encoding reads back as %q, %v", comment2, err)
		}
	})
}

// FuzzParseKeyHeader checks that the header parser never panics and that
// what it accepts is exactly the wire encoding of what it returns.
func FuzzParseKeyHeader(f *testing.F) {
	for _, s := range fuzzKeySeeds(f) {
		block, _ := pem.Decode(s)
		f.Add(block.Bytes)
	}
	f.Add([]byte(opensshMagic))
	f.Add([]byte("openssh-key-v1\x00\x00\x00\x00\x04none"))
	f.Fuzz(func(t *testing.T, body []byte) {
		h, kdf, err := parseKeyHeader(body)
		if err != nil {
			if h != nil || kdf != nil {
				t.Fatal("a header returned with an error")
			}
			return
		}
		if got := append([]byte(opensshMagic), ssh.Marshal(h)...); !bytes.Equal(got, body) {
			t.Fatalf("accepted %x, which re-encodes as %x", body, got)
		}
		if h.NumKeys != 1 {
			t.Fatalf("accepted %d keys", h.NumKeys)
		}
		if (kdf != nil) != (h.KDF == "bcrypt") {
			t.Fatalf("KDF %q with options %+v", h.KDF, kdf)
		}
		if kdf != nil && !bytes.Equal(ssh.Marshal(kdf), h.KDFOpts) {
			t.Fatalf("KDF options %x re-encode as %x", h.KDFOpts, ssh.Marshal(kdf))
		}
	})
}
