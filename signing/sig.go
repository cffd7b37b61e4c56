package signing

import (
	"golang.org/x/crypto/ssh"
)

// Namespaces of SSHSIG signatures.
const (
	// Namespace is the SSHSIG namespace of concord statements.
	Namespace = "concord"
	// GitNamespace is the namespace git uses for SSH-signed commits.
	GitNamespace = "git"
)

// Sign returns an armored SSHSIG signature ("-----BEGIN SSH SIGNATURE-----")
// of message under namespace, made with signer (a key file or an agent), using
// SHA-512 as ssh-keygen does. The signature is verified before it is
// returned, so a misbehaving agent is caught here.
func Sign(signer ssh.Signer, namespace string, message []byte) ([]byte, error) {
	panic("unimplemented")
}

// Verify checks that armored is a valid SSHSIG signature of message under
// namespace by pub, following the package's verification rule. Parsing is
// strict: armor that does not re-encode to the same bytes is refused.
// All failures are *VerifyError.
func Verify(armored []byte, pub ssh.PublicKey, namespace string, message []byte) error {
	panic("unimplemented")
}

// SignatureKey parses armored strictly and returns the public key it names,
// without verifying anything. Use it to find which roster key to verify with,
// then call Verify.
func SignatureKey(armored []byte) (ssh.PublicKey, error) {
	panic("unimplemented")
}
