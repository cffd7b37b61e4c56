package signing

import (
	"errors"
	"fmt"
)

// Kinds of signature failure. A *VerifyError or *SignError wraps exactly one
// of them, so callers (and tests) can tell which check failed with
// errors.Is(err, ErrBadNamespace) and the like.
var (
	// ErrBadArmor means the armored signature is not in the one canonical
	// form ssh-keygen writes, or its SSHSIG blob is malformed.
	ErrBadArmor = errors.New("malformed signature")
	// ErrBadNamespace means the signature was made for another namespace
	// (for instance "git" where "concord" was expected), or no namespace was
	// given.
	ErrBadNamespace = errors.New("wrong signature namespace")
	// ErrWrongKey means the signature names a key other than the one it is
	// checked against.
	ErrWrongKey = errors.New("signature made by another key")
	// ErrBadSignature means the ed25519 check itself failed: the message,
	// namespace or signature bytes were altered.
	ErrBadSignature = errors.New("signature does not verify")
	// ErrUnsupported means a key type, signature algorithm, hash algorithm
	// or SSHSIG version other than those concord accepts (ed25519, SHA-256 or
	// SHA-512, version 1).
	ErrUnsupported = errors.New("unsupported signature algorithm")
	// ErrSignerMisbehaved means a signer (typically an ssh-agent or a
	// hardware token behind it) returned a signature that does not verify
	// under its own public key.
	ErrSignerMisbehaved = errors.New("signer returned a bad signature")
)

// VerifyError is returned by Verify, SignatureKey and ParseArmored for every
// signature that is not accepted. It is evidence of tampering or of a
// signature made for something else, so InvalidEvidence reports true.
type VerifyError struct {
	// Kind is one of ErrBadArmor, ErrBadNamespace, ErrWrongKey,
	// ErrBadSignature or ErrUnsupported.
	Kind error
	// Reason says what exactly failed, e.g. `namespace is "git", expected
	// "concord"`.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

// Error implements error.
func (e *VerifyError) Error() string {
	msg := e.Kind.Error()
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns Kind and, if set, Err, so errors.Is matches either.
func (e *VerifyError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// InvalidEvidence reports true: a signature that does not verify is invalid
// evidence (exit status 3).
func (e *VerifyError) InvalidEvidence() bool { return true }

// Hint suggests a next step where one exists.
func (e *VerifyError) Hint() string {
	switch e.Kind {
	case ErrBadArmor:
		return "signatures must be byte for byte as ssh-keygen -Y sign writes them; a file converted to CRLF or re-wrapped is refused"
	}
	return ""
}

func verifyErr(kind error, err error, format string, args ...any) *VerifyError {
	return &VerifyError{Kind: kind, Reason: fmt.Sprintf(format, args...), Err: err}
}

// SignError is returned by Sign when no signature could be made. It is an
// operational error, not evidence of tampering.
type SignError struct {
	// Kind is ErrUnsupported (the signer's key is not ed25519),
	// ErrBadNamespace (empty namespace), ErrSignerMisbehaved (the signature
	// made does not verify), or nil for a failure of the signer itself.
	Kind error
	// Reason says what failed.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

// Error implements error.
func (e *SignError) Error() string {
	msg := "signing"
	if e.Kind != nil {
		msg += ": " + e.Kind.Error()
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns Kind and Err, whichever are set.
func (e *SignError) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// InvalidEvidence reports false: failing to sign is an operational error,
// even when the cause is a signature that does not verify (which Err, a
// *VerifyError, would otherwise report as invalid evidence).
func (e *SignError) InvalidEvidence() bool { return false }

// Hint suggests a next step where one exists; for ErrUnsupported, making an
// ed25519 key is the caller's to say.
func (e *SignError) Hint() string {
	switch e.Kind {
	case ErrSignerMisbehaved:
		return "the ssh-agent or security key returned a signature that does not verify; restart the agent or sign with the key file"
	}
	return ""
}

// StatementError reports a statement or roster approval that is not well
// formed: from Format, a field that cannot be written; from ParseStatement or
// ParseRosterApproval, input that is not in the one canonical byte form.
type StatementError struct {
	// What is "statement" or "roster approval".
	What string
	// Line is the 1-based line of the input where parsing failed; it is 0
	// for errors from Format.
	Line int
	// Field is the field at fault ("ledger", "text", "time", …), or "" when
	// the fault is in the framing (encoding, line endings, extra lines).
	Field string
	// Reason says what is wrong.
	Reason string
}

// Error implements error.
func (e *StatementError) Error() string {
	msg := "invalid " + e.What
	if e.Line > 0 {
		msg += fmt.Sprintf(" (line %d)", e.Line)
	}
	if e.Field != "" {
		msg += ": " + e.Field
	}
	return msg + ": " + e.Reason
}

// InvalidEvidence reports whether the error came from parsing (a stored
// statement that is malformed is invalid evidence), as opposed to Format
// being given a bad value.
func (e *StatementError) InvalidEvidence() bool { return e.Line > 0 }
