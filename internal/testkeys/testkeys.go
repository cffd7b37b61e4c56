// Package testkeys writes encrypted OpenSSH private keys cheaply, for tests
// only: the bcrypt KDF of the keys concord writes (golang.org/x/crypto/ssh's
// MarshalPrivateKeyWithPassphrase, 16 rounds as ssh-keygen) costs about a
// fifth of a second, seconds under the race detector, and tests make and
// open many keys. Keys written here are in the same format, aes256-ctr under
// bcrypt_pbkdf, with fewer rounds; ssh-keygen and x/crypto read them.
//
// Tests pass Encrypt where concord takes a signing.EncryptFunc (the Encrypt
// field of signing.PrivateKeyOptions, cmd.IO's EncryptKey). Nothing but
// tests imports this package: cmd/concord's TestTestOnlyPackagesNotLinked
// checks that the concord binary does not link it.
package testkeys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/blowfish"
	"golang.org/x/crypto/ssh"
)

// Rounds is the bcrypt_pbkdf rounds of the keys Encrypt writes.
const Rounds = 1

// Encrypt returns key with comment as an OpenSSH private key PEM block,
// encrypted with aes256-ctr under bcrypt_pbkdf of passphrase with Rounds
// rounds; the salt and check bytes come from crypto/rand.
func Encrypt(key ed25519.PrivateKey, comment string, passphrase []byte) (*pem.Block, error) {
	return EncryptRounds(key, comment, passphrase, Rounds)
}

// EncryptRounds is Encrypt with the given bcrypt rounds (at least 1).
func EncryptRounds(key ed25519.PrivateKey, comment string, passphrase []byte, rounds int) (*pem.Block, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("testkeys: not an ed25519 private key")
	}
	salt := make([]byte, 16)
	var check [4]byte
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(check[:]); err != nil {
		return nil, err
	}
	pub := []byte(key.Public().(ed25519.PublicKey))
	c := binary.BigEndian.Uint32(check[:])
	section := ssh.Marshal(struct {
		Check1, Check2 uint32
		Type           string
		Pub, Priv      []byte
		Comment        string
	}{c, c, ssh.KeyAlgoED25519, pub, key, comment})
	for i := byte(1); len(section)%aes.BlockSize != 0; i++ {
		section = append(section, i)
	}
	k, err := BcryptPBKDF(passphrase, salt, rounds, 32+aes.BlockSize)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k[:32])
	if err != nil {
		return nil, err
	}
	cipher.NewCTR(block, k[32:]).XORKeyStream(section, section)
	body := ssh.Marshal(struct {
		Cipher, KDF string
		KDFOpts     []byte
		NumKeys     uint32
		PubKey      []byte
		Section     []byte
	}{"aes256-ctr", "bcrypt", ssh.Marshal(struct {
		Salt   []byte
		Rounds uint32
	}{salt, uint32(rounds)}), 1, ssh.Marshal(struct {
		Type string
		Key  []byte
	}{ssh.KeyAlgoED25519, pub}), section})
	return &pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: append([]byte("openssh-key-v1\x00"), body...)}, nil
}

// BcryptPBKDF is OpenBSD's bcrypt_pbkdf(3), the KDF of OpenSSH private key
// files. (golang.org/x/crypto has it only in an internal package.) It is
// tested against the reference implementation's vectors.
func BcryptPBKDF(password, salt []byte, rounds, keyLen int) ([]byte, error) {
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
	var tmp, out [blockSize]byte
	var cnt [4]byte
	for block := 1; block <= numBlocks; block++ {
		h := sha512.New()
		h.Write(salt)
		binary.BigEndian.PutUint32(cnt[:], uint32(block))
		h.Write(cnt[:])
		if err := bcryptHash(&tmp, shapass[:], h.Sum(nil)); err != nil {
			return nil, err
		}
		out = tmp
		for i := 2; i <= rounds; i++ {
			shasalt := sha512.Sum512(tmp[:])
			if err := bcryptHash(&tmp, shapass[:], shasalt[:]); err != nil {
				return nil, err
			}
			for j := range out {
				out[j] ^= tmp[j]
			}
		}
		// The output is interleaved across blocks.
		for i, v := range out {
			key[i*numBlocks+(block-1)] = v
		}
	}
	return key[:keyLen], nil
}

// bcryptMagic is the text bcrypt_pbkdf encrypts.
var bcryptMagic = []byte("OxychromaticBlowfishSwatDynamite")

// bcryptHash is the bcrypt_pbkdf core: an expensive Blowfish key schedule
// over the hashed password and salt, then 64 encryptions of bcryptMagic.
func bcryptHash(out *[32]byte, shapass, shasalt []byte) error {
	c, err := blowfish.NewSaltedCipher(shapass, shasalt)
	if err != nil {
		return fmt.Errorf("bcrypt_pbkdf: %w", err)
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
	return nil
}
