package signing

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
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

// FuzzParsePrivateKey checks that parsing a private key file never panics,
// that every refusal is typed, and that what is accepted is a working key
// whose re-encoding (same cipher, salt, rounds and check bytes) gives the
// input's key data back byte for byte.
func FuzzParsePrivateKey(f *testing.F) {
	for i := byte(0); i < 2; i++ {
		key := testKey(f, 110+i)
		for _, pass := range []string{"", fuzzPassphrase} {
			data, err := MarshalPrivateKey(key, "seed key", []byte(pass), 1, testRand(i))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, comment, err := parsePrivateKey("", data, fixedPass(fuzzPassphrase))
		if err != nil {
			if !isA[*KeyFormatError](err) && !isA[*KeyTypeError](err) && !isA[*WrongPassphraseError](err) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if !bytes.Equal(ed25519.NewKeyFromSeed(key.Seed()), key) {
			t.Fatal("accepted an inconsistent key")
		}
		env, err := parseEnvelope("", data)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(env.pub.Marshal(), sshPub(t, key).Marshal()) {
			t.Fatal("accepted a key that does not match its header")
		}
		if env.cipher.name != "none" && (env.cipher.name != "aes256-ctr" || len(env.salt) != saltSize) {
			return // concord decrypts, but does not write, these
		}
		section := env.section
		pass := []byte(nil)
		if env.cipher.name != "none" {
			pass = []byte(fuzzPassphrase)
			if section, err = env.decrypt(pass); err != nil {
				t.Fatal(err)
			}
		}
		// Feed MarshalPrivateKey the input's salt and check bytes as its
		// randomness, so its output must be the input.
		rand := bytes.NewReader(append(bytes.Clone(env.salt), section[:4]...))
		again, err := MarshalPrivateKey(key, comment, pass, env.rounds, rand)
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		in, _ := pem.Decode(data)
		out, _ := pem.Decode(again)
		if !bytes.Equal(in.Bytes, out.Bytes) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", in.Bytes, out.Bytes)
		}
		if binary.BigEndian.Uint32(section) != binary.BigEndian.Uint32(section[4:]) {
			t.Fatal("accepted differing check bytes")
		}
	})
}
