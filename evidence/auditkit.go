package evidence

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/concord-ledger/concord/ledger"
)

// AuditKitReadme is the kit's README.txt. It is the same in every kit
// (verify.sh checks it is, byte for byte, so that no one can put claims in
// a kit's README): what the kit is of, verify.sh prints.
const AuditKitReadme = `concord audit kit
=================

This folder holds a concord ledger's whole history as a git bundle
(ledger.bundle: 'git clone -b main ledger.bundle DIR' reads it), a copy of
every file of the ledger at its head, allowed_signers, and verify.sh, which
needs nothing but a POSIX shell, git (2.34 or later), ssh-keygen (OpenSSH
8.1 or later) and sha256sum:

  sh verify.sh [LEDGER-ID]

It prints which ledger and head the kit is of. Give it the ledger id your
forum publishes to pin the ledger. It reads the history from the bundle,
never from a checkout, and checks that:

  - every commit is signed (git verify-commit) by a key that the roster's
    own files enrolled before it, for the member the commit names;
  - every signed statement (decisions and roster approvals) verifies with
    ssh-keygen -Y verify, namespace "concord", for the signatory or steward
    it names, names this ledger (the SHA-256 of the first entry's
    genesis.json), and names the SHA-256 of each text or change it is
    about;
  - every file of the ledger at the head is here, a regular file, a copy
    of the ledger's own; allowed_signers lists only keys the roster's files
    enrol; this README is concord's own.

Exit status 0: everything holds; 3: the evidence is invalid; 1: it cannot
check (a tool is missing or too old); 2: the ledger id given is not one.

What it cannot check without concord: that each key was valid at the
ledger position where it was used (enrolment, rotation and revocation are
judged by position), the steward threshold of roster changes, and
ratification. Run 'concord verify' on the ledger (git clone -b main
ledger.bundle DIR) for those. See docs/EVIDENCE.md in concord's repository.
`

// ExportAuditKit writes the audit kit for the ledger's head into out, which
// must be absent or empty.
func ExportAuditKit(l *ledger.Ledger, out string) error {
	if err := ledger.ClaimFolder(out); err != nil {
		return err
	}
	write := func(rel string, data []byte, mode os.FileMode) error {
		p := filepath.Join(out, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, mode)
	}
	err := l.Walk(func(path string, data []byte) error {
		return write(path, data, 0o644)
	})
	if err == nil {
		err = write("allowed_signers", l.AllowedSigners(), 0o644)
	}
	if err == nil {
		err = write("verify.sh", []byte(VerifyScript), 0o755)
	}
	if err == nil {
		var bundle []byte
		if bundle, err = l.Bundle(); err == nil {
			err = write(BundleName, bundle, 0o644)
		}
	}
	if err == nil {
		err = write("README.txt", []byte(AuditKitReadme), 0o644)
	}
	if err != nil {
		return fmt.Errorf("writing the audit kit: %w", err)
	}
	return nil
}
