package cmd

import (
	"fmt"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/signing"
)

// keyFirst checks the key named by --key before anything is shown or a
// passphrase asked, and returns its public key: with --agent, that the
// agent holds it (the returned signer is then ready to use); else that the
// file exists, is readable and is a private key (not a .pub file). Whether
// it is --as's key, valid now, is the ledger's check, which the caller
// runs next with the public key.
func (o *signerOptions) keyFirst(s *IO) (ssh.PublicKey, ssh.Signer, error) {
	if o.Agent {
		signer, err := o.signer(s)
		if err != nil {
			return nil, nil, err
		}
		return signer.PublicKey(), signer, nil
	}
	info, err := signing.ReadKeyInfo(o.Key)
	if err != nil {
		return nil, nil, err
	}
	if !info.Private {
		return nil, nil, &usageError{err: &keyKindError{path: o.Key}}
	}
	return info.PublicKey, nil, nil
}

// keyKindError is a public key given where a private key is needed.
type keyKindError struct{ path string }

func (e *keyKindError) Error() string {
	return fmt.Sprintf("--key %s is a public key; signing needs the private key file", e.path)
}

func (e *keyKindError) Hint() string {
	return "give the private key file (without .pub), or add --agent to sign with this key through ssh-agent"
}

// loadSigner returns the signer keyFirst found (agent), or loads the
// private key file, asking for its passphrase if needed.
func (o *signerOptions) loadSigner(s *IO, agent ssh.Signer) (ssh.Signer, error) {
	if agent != nil {
		return agent, nil
	}
	return o.signer(s)
}
