// Package signing holds everything concord does with keys and signatures:
// ed25519 keys in OpenSSH form (files, encrypted or not, and ssh-agent),
// statements (the exact bytes a signatory signs), and SSHSIG signatures over
// them. It is the only package that touches raw cryptography.
//
// The verification rule: a signature is valid exactly when Go's
// crypto/ed25519, reached through the OpenSSH SSHSIG format, accepts it, for
// the expected namespace, message bytes and key. Everything this package
// accepts, `ssh-keygen -Y verify` accepts too; this package is the stricter
// where they differ (non-canonical S, non-canonical armor).
package signing
