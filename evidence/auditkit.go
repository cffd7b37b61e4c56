package evidence

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/concord-ledger/concord/ledger"
)

// AuditKitScript is the kit's verify.sh: POSIX sh that re-checks every
// statement's signature with ssh-keygen -Y verify against allowed_signers,
// and every text and change hash with sha256sum, exiting 1 if any fails.
const AuditKitScript = `#!/bin/sh
# concord audit kit: re-check every signature and hash with ssh-keygen and
# sha256sum only. Exit status 0: everything holds; 1: something failed.
set -u
cd "$(dirname "$0")" || exit 1
fail=0
checked=0
ledger=$(sha256sum genesis.json | cut -d' ' -f1)
echo "ledger $ledger"
for st in $(find documents roster -name '*.statement' 2>/dev/null | sort); do
	sig="${st%.statement}.sig"
	who=$(sed -n 's/^signatory //p; s/^steward //p' "$st")
	if ! ssh-keygen -Y verify -f allowed_signers -I "$who" -n concord -s "$sig" < "$st" >/dev/null 2>&1; then
		echo "FAIL signature: $sig does not verify for $who"
		fail=1
	fi
	if [ "$(sed -n 's/^ledger //p' "$st")" != "$ledger" ]; then
		echo "FAIL ledger: $st names another ledger"
		fail=1
	fi
	case "$st" in
	documents/*/decisions/*)
		vdir=$(dirname "$(dirname "$st")")
		if ! sed -n 's/^text //p' "$st" | {
			ok=0
			while read -r lang hash; do
				got=$(sha256sum "$vdir/text/$lang.txt" 2>/dev/null | cut -d' ' -f1)
				if [ "$got" != "$hash" ]; then
					echo "FAIL text: $vdir/text/$lang.txt does not have the SHA-256 $st names"
					ok=1
				fi
			done
			exit $ok
		}; then
			fail=1
		fi
		;;
	roster/changes/*)
		cdir=$(dirname "$(dirname "$st")")
		if [ "$(sha256sum "$cdir/change.json" | cut -d' ' -f1)" != "$(sed -n 's/^change-sha256 //p' "$st")" ]; then
			echo "FAIL change: $cdir/change.json does not have the SHA-256 $st names"
			fail=1
		fi
		;;
	esac
	checked=$((checked + 1))
done
` + scriptVerdict

// scriptVerdict ends both verify.sh scripts (the audit kit's and the one a
// PDF embeds): it fails when nothing was checked or anything failed.
const scriptVerdict = `if [ "$checked" -eq 0 ]; then
	echo "FAIL: no statement found"
	exit 1
fi
if [ "$fail" -ne 0 ]; then
	echo "FAILED: some checks did not hold"
	exit 1
fi
echo "OK: $checked statements: every signature and hash holds"
`

// auditKitReadme explains the kit.
const auditKitReadme = `concord audit kit
=================

This folder holds a copy of every file of a concord ledger at one head, an
allowed_signers file listing every key that was ever on its roster, and
verify.sh, which needs nothing but a POSIX shell, ssh-keygen and sha256sum.

  sh verify.sh

checks, for every signed statement (documents/*/v*/decisions/*.statement and
roster/changes/*/approvals/*.statement), that:

  - its signature (the .sig beside it) verifies with ssh-keygen -Y verify,
    namespace "concord", for the signatory or steward the statement names;
  - it names this ledger (the SHA-256 of genesis.json);
  - each text it names (text LANG SHA256) has exactly that SHA-256;
  - a roster approval names the SHA-256 of the change it approves.

What it cannot check without the git history: that each key was valid at
the ledger position where it was used (enrolment, rotation and revocation
are judged by position), the steward threshold, and ratification. Run
'concord verify' on the ledger itself for those.

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
		err = write("verify.sh", []byte(AuditKitScript), 0o755)
	}
	if err == nil {
		err = write("README.txt", []byte(fmt.Sprintf(auditKitReadme, l.ID(), l.Head())), 0o644)
	}
	if err != nil {
		return fmt.Errorf("writing the audit kit: %w", err)
	}
	return nil
}
