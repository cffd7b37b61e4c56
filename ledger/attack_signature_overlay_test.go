//go:build unix

package ledger

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSignatureDisplayOverlays: the ledger's commits are SSH-signed so
// that stock 'git verify-commit' and 'git log --show-signature' check
// them, given concord's allowed signers. The repository's own config
// could name, for that, an allowed-signers file mapping the signatories'
// keys to other names ('Good "git" signature for President-Eve'), or a
// gpg.ssh.program of its own that says 'Good' of anything; verify said OK.
// Both are overlays; a file holding concord's own allowed signers (as
// docs/LEDGER.md tells users to set) is not.
func TestSignatureDisplayOverlays(t *testing.T) {
	r := gitWorld(t)
	r.sign("pact", "a")
	l := r.open()
	own := l.AllowedSigners()
	dir := t.TempDir()
	good := filepath.Join(dir, "allowed")
	if err := os.WriteFile(good, append([]byte("# concord roster allowed-signers\n"), own...), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.dir, "config", "gpg.ssh.allowedSignersFile", good)
	runGit(t, r.dir, "verify-commit", "HEAD")
	r.mustVerify()

	first, _, _ := strings.Cut(string(own), " ")
	evil := filepath.Join(dir, "evil")
	if err := os.WriteFile(evil, []byte(strings.ReplaceAll(string(own), first+" ", "President-Eve ")), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.dir, "config", "gpg.ssh.allowedSignersFile", evil)
	if out := runGit(t, r.dir, "log", "--show-signature", "--all"); !strings.Contains(out, "President-Eve") {
		t.Fatalf("stock git does not name the other signer:\n%s", out)
	}
	if rep := r.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), "allowedSignersFile") {
		t.Errorf("an allowed-signers file naming others is not reported:\n%s", fmtProblems(rep))
	}
	runGit(t, r.dir, "config", "--unset", "gpg.ssh.allowedSignersFile")

	// A revocation file listing a signatory's key: git refuses the
	// entry's signature ('Could not verify signature.').
	revoked := filepath.Join(dir, "revoked")
	_, key, _ := strings.Cut(strings.SplitN(string(own), "\n", 2)[0], " ssh-ed25519 ")
	if err := os.WriteFile(revoked, []byte("ssh-ed25519 "+key+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.dir, "config", "gpg.ssh.revocationFile", revoked)
	if rep := r.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), "revocationFile") {
		t.Errorf("gpg.ssh.revocationFile is not reported:\n%s", fmtProblems(rep))
	}
	runGit(t, r.dir, "config", "--unset", "gpg.ssh.revocationFile")

	prog := filepath.Join(dir, "prog")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\necho 'Good \"git\" signature for anyone'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.dir, "config", "gpg.ssh.program", prog)
	if rep := r.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), "gpg.ssh.program") {
		t.Errorf("gpg.ssh.program is not reported:\n%s", fmtProblems(rep))
	}
}
