package signing

import (
	"bytes"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// opensshMagic begins the body of an OpenSSH private key file.
const opensshMagic = "openssh-key-v1\x00"

// keyHeader is the unencrypted part of an OpenSSH private key file, as
// OpenSSH's PROTOCOL.key defines it after the magic "openssh-key-v1\0":
//
//	string cipher, string kdfname, string kdfoptions, uint32 N,
//	string publickey, string privatesection
//
// concord decodes only this much itself, with x/crypto's wire decoder, so
// that it can judge a file (key type, cipher, bcrypt rounds) without a
// passphrase and before any KDF runs; golang.org/x/crypto/ssh decrypts and
// decodes the private section.
type keyHeader struct {
	Cipher  string
	KDF     string
	KDFOpts []byte
	NumKeys uint32
	PubKey  []byte
	Section []byte // encrypted unless Cipher is "none"
	Rest    []byte `ssh:"rest"` // the tag of an AEAD cipher; else empty
}

// bcryptOptions are the kdfoptions of the "bcrypt" KDF: a salt and the
// number of rounds of bcrypt_pbkdf.
type bcryptOptions struct {
	Salt   []byte
	Rounds uint32
}

// parseKeyHeader decodes body, the bytes of an "OPENSSH PRIVATE KEY" PEM
// block, into its header, and the bcrypt options when the KDF is "bcrypt".
// It refuses a missing magic, truncation, other than one key, and
// malformed bcrypt options; the error says which, for a *KeyFormatError.
// It judges nothing else.
func parseKeyHeader(body []byte) (*keyHeader, *bcryptOptions, error) {
	rest, ok := bytes.CutPrefix(body, []byte(opensshMagic))
	if !ok {
		return nil, nil, fmt.Errorf("missing openssh-key-v1 magic")
	}
	var h keyHeader
	if err := ssh.Unmarshal(rest, &h); err != nil {
		return nil, nil, fmt.Errorf("truncated")
	}
	if h.NumKeys != 1 {
		return nil, nil, fmt.Errorf("%d keys in one file (want 1)", h.NumKeys)
	}
	if h.KDF != "bcrypt" {
		return &h, nil, nil
	}
	var opts bcryptOptions
	if err := ssh.Unmarshal(h.KDFOpts, &opts); err != nil {
		return nil, nil, fmt.Errorf("malformed KDF options")
	}
	return &h, &opts, nil
}
