package evidence

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/concord-ledger/concord/ledger"
)

// auditKitReadme explains the kit.
const auditKitReadme = `concord audit kit
=================

This folder holds the ledger's whole history as a git bundle (ledger.bundle:
'git clone ledger.bundle' reads it), a copy of every file of the ledger at its
head, an allowed_signers file listing every key that was ever on its roster,
and verify.sh, which needs nothing but a POSIX shell, git (2.34 or later),
ssh-keygen (OpenSSH 8.1 or later) and sha256sum:

  sh verify.sh [LEDGER-ID]

It reads the history from the bundle, never from a checkout, and checks that:

  - every commit is signed by a key allowed_signers lists (git verify-commit),
    and every key there is one the roster's own files enrol;
  - every signed statement (decisions and roster approvals) verifies with
    ssh-keygen -Y verify, namespace "concord", for the signatory or steward it
    names, names this ledger (the SHA-256 of the first entry's genesis.json),
    and names the SHA-256 of each text or change it is about;
  - every other file here is a regular file and a copy of the ledger's own.

Give it the ledger id your forum publishes to pin the ledger. Exit status 0:
everything holds; 3: the evidence is invalid; 1: it cannot check (a tool is
missing or too old).

What it cannot check without concord: that each key was valid at the ledger
position where it was used (enrolment, rotation and revocation are judged by
position), the steward threshold, and ratification. Run 'concord verify' on
the ledger (git clone ledger.bundle) for those.

Ledger: %s
Head:   %s
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
		err = write("README.txt", []byte(fmt.Sprintf(auditKitReadme, l.ID(), l.Head())), 0o644)
	}
	if err != nil {
		return fmt.Errorf("writing the audit kit: %w", err)
	}
	return nil
}
