package demo

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/internal/det"
	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// These tests build the demo ledger and check it with outside tools only:
// stock git verifies every commit's SSH signature and finds the repository
// well formed, and the audit kit's verify.sh (ssh-keygen and sha256sum)
// accepts the kit and rejects each kind of tampering, naming the file.

// testEnv is a deterministic clock (a minute per call) and randomness.
func testEnv() ledger.Env {
	return ledger.Env{Now: det.Clock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), time.Minute), Rand: &det.Rand{}}
}

// buildDemo runs the demo in a new temporary folder.
func buildDemo(t *testing.T) *Result {
	t.Helper()
	res, err := Run(filepath.Join(t.TempDir(), "demo"), testEnv(), io.Discard)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	return res
}

// gitCmd runs git with no user or system configuration.
func gitCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	c := exec.Command(testtool.Require(t, "git"), args...)
	c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+t.TempDir(), "LC_ALL=C")
	return c
}

// commitsByAuthor returns the ledger's commits, oldest first, with the
// author e-mail (the member id) of each.
func commitsByAuthor(t *testing.T, dir string) (ids, authors []string) {
	t.Helper()
	out, err := gitCmd(t, "-C", dir, "log", "--reverse", "--format=%H %ae").Output()
	if err != nil {
		t.Fatalf("git log: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		id, author, _ := strings.Cut(sc.Text(), " ")
		ids, authors = append(ids, id), append(authors, author)
	}
	return ids, authors
}

func writeAllowedSigners(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "allowed_signers")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGitVerifiesEveryCommit(t *testing.T) {
	testtool.Require(t, "ssh-keygen") // git verifies SSH signatures with it
	res := buildDemo(t)
	l, err := ledger.Open(res.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	allowed := writeAllowedSigners(t, l.AllowedSigners())

	revs, err := gitCmd(t, "-C", res.Ledger, "rev-list", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-list: %v", err)
	}
	commits := strings.Fields(string(revs))
	if len(commits) != l.Entries() {
		t.Fatalf("git lists %d commits, the ledger has %d entries", len(commits), l.Entries())
	}
	for _, c := range commits {
		out, err := gitCmd(t, "-C", res.Ledger, "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", "-v", c).CombinedOutput()
		if err != nil {
			t.Errorf("git verify-commit %s: %v\n%s", c, err, out)
		} else if !strings.Contains(string(out), `Good "git" signature`) {
			t.Errorf("git verify-commit %s succeeded without a good signature line:\n%s", c, out)
		}
	}
}

func TestGitRejectsCommitsOfUnlistedKey(t *testing.T) {
	testtool.Require(t, "ssh-keygen")
	res := buildDemo(t)
	l, err := ledger.Open(res.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	const left = "demo-uz"
	var kept []byte
	for line := range strings.Lines(string(l.AllowedSigners())) {
		if !strings.HasPrefix(line, left+" ") {
			kept = append(kept, line...)
		}
	}
	if bytes.Equal(kept, l.AllowedSigners()) {
		t.Fatalf("%s is not in allowed_signers", left)
	}
	allowed := writeAllowedSigners(t, kept)

	ids, authors := commitsByAuthor(t, res.Ledger)
	var theirs int
	for i, c := range ids {
		out, err := gitCmd(t, "-C", res.Ledger, "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", c).CombinedOutput()
		switch {
		case authors[i] == left && err == nil:
			t.Errorf("git accepted %s's commit %s although their key is not in allowed_signers:\n%s", left, c, out)
		case authors[i] != left && err != nil:
			t.Errorf("git rejected %s's commit %s: %v\n%s", authors[i], c, err, out)
		}
		if authors[i] == left {
			theirs++
		}
	}
	if theirs != 4 { // v1 approval; v2 approval, withdrawal, approval
		t.Errorf("%s made %d commits in the demo, want 4", left, theirs)
	}
}

func TestGitFsckStrict(t *testing.T) {
	res := buildDemo(t)
	out, err := gitCmd(t, "-C", res.Ledger, "fsck", "--strict", "--no-dangling").CombinedOutput()
	if err != nil {
		t.Fatalf("git fsck --strict: %v\n%s", err, out)
	}
	low := strings.ToLower(string(out))
	if strings.Contains(low, "warning") || strings.Contains(low, "error") {
		t.Fatalf("git fsck --strict complains:\n%s", out)
	}
}

// runKit runs the kit's verify.sh and returns its exit status and output.
func runKit(t *testing.T, kit string) (int, string) {
	t.Helper()
	testtool.Require(t, "ssh-keygen")
	testtool.Require(t, "sha256sum")
	c := exec.Command(testtool.Require(t, "sh"), filepath.Join(kit, "verify.sh"))
	c.Env = append(os.Environ(), "LC_ALL=C")
	out, err := c.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("running verify.sh: %v", err)
	return 0, ""
}

// copyDir copies the regular files of src into a new folder.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "kit")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// globOne returns the one file of kit matching pattern (slash-separated,
// relative to kit), as a kit-relative path.
func globOne(t *testing.T, kit, pattern string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(kit, filepath.FromSlash(pattern)))
	if err != nil || len(m) != 1 {
		t.Fatalf("%s matches %d files in the kit, want 1 (%v)", pattern, len(m), err)
	}
	rel, _ := filepath.Rel(kit, m[0])
	return filepath.ToSlash(rel)
}

func readKit(t *testing.T, kit, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(kit, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeKit(t *testing.T, kit, rel string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(kit, filepath.FromSlash(rel)), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// flipSignatureBit decodes an armored SSHSIG signature, flips one bit of
// the raw ed25519 signature (the blob's last 64 bytes) and armors it again
// as ssh-keygen does: base64 in lines of 70 characters between the same
// armor lines.
func flipSignatureBit(t *testing.T, armored []byte) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(armored), "\n"), "\n")
	if len(lines) < 3 || lines[0] != "-----BEGIN SSH SIGNATURE-----" || lines[len(lines)-1] != "-----END SSH SIGNATURE-----" {
		t.Fatalf("not an armored SSH signature:\n%s", armored)
	}
	blob, err := base64.StdEncoding.DecodeString(strings.Join(lines[1:len(lines)-1], ""))
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := signing.ParseArmored(armored)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(blob, parsed.Signature.Blob) || len(parsed.Signature.Blob) != 64 {
		t.Fatal("the blob does not end with the 64-byte ed25519 signature")
	}
	blob[len(blob)-64+10] ^= 0x01 // a bit of R
	enc := base64.StdEncoding.EncodeToString(blob)
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for len(enc) > 70 {
		b.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	b.WriteString(enc + "\n" + lines[len(lines)-1] + "\n")
	out := []byte(b.String())
	if len(out) != len(armored) {
		t.Fatalf("re-armored signature is %d bytes, was %d", len(out), len(armored))
	}
	return out
}

func TestAuditKit(t *testing.T) {
	res := buildDemo(t)
	l, err := ledger.Open(res.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	kit := filepath.Join(t.TempDir(), "kit")
	if err := evidence.ExportAuditKit(l, kit); err != nil {
		t.Fatal(err)
	}
	code, out := runKit(t, kit)
	if code != 0 || !strings.Contains(out, "OK:") {
		t.Fatalf("verify.sh on the untouched kit: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "FAIL") {
		t.Fatalf("verify.sh on the untouched kit reports a failure:\n%s", out)
	}

	const v2 = "documents/" + DocID + "/v2"
	tests := []struct {
		name string
		// tamper changes the kit and returns the file the FAIL line must name.
		tamper func(t *testing.T, kit string) string
		kind   string // what the FAIL line naming the file says
	}{
		{"a file that is no copy of the ledger's", func(t *testing.T, kit string) string {
			writeKit(t, kit, "documents/"+DocID+"/v1/text/xx.txt", []byte("planted\n"))
			return "documents/" + DocID + "/v1/text/xx.txt"
		}, "is named as evidence but is not the ledger's"},
		{"a symbolic link", func(t *testing.T, kit string) string {
			p := "documents/" + DocID + "/v1/text/en.txt"
			if err := os.Remove(filepath.Join(kit, p)); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/etc/hostname", filepath.Join(kit, p)); err != nil {
				t.Fatal(err)
			}
			return p
		}, "is missing or not a regular file"},
		{"text byte changed", func(t *testing.T, kit string) string {
			p := "documents/" + DocID + "/v1/text/en.txt"
			data := readKit(t, kit, p)
			i := bytes.IndexByte(data, 'a')
			data[i] = 'e'
			writeKit(t, kit, p, data)
			return p
		}, "differs from the ledger's"},
		{"signature bit flipped", func(t *testing.T, kit string) string {
			p := globOne(t, kit, v2+"/decisions/*-demo-kg.sig")
			writeKit(t, kit, p, flipSignatureBit(t, readKit(t, kit, p)))
			return p
		}, "differs from the ledger's"},
		{"signature of another signatory", func(t *testing.T, kit string) string {
			p := globOne(t, kit, v2+"/decisions/*-demo-tj.sig")
			writeKit(t, kit, p, readKit(t, kit, globOne(t, kit, v2+"/decisions/*-demo-tm.sig")))
			return p
		}, "differs from the ledger's"},
		{"statement names another ledger", func(t *testing.T, kit string) string {
			p := globOne(t, kit, v2+"/decisions/*-demo-tm.statement")
			data := readKit(t, kit, p)
			i := bytes.Index(data, []byte("\nledger "))
			if i < 0 {
				t.Fatalf("%s has no ledger line:\n%s", p, data)
			}
			j := i + len("\nledger ")
			if data[j] == '0' { // another hex digit
				data[j] = '1'
			} else {
				data[j] = '0'
			}
			writeKit(t, kit, p, data)
			return p
		}, "differs from the ledger's"},
		{"change byte changed", func(t *testing.T, kit string) string {
			m, err := filepath.Glob(filepath.Join(kit, "roster", "changes", "*", "change.json"))
			if err != nil || len(m) == 0 {
				t.Fatalf("no change.json in the kit: %v", err)
			}
			slices.Sort(m)
			rel, _ := filepath.Rel(kit, m[0])
			p := filepath.ToSlash(rel)
			data := readKit(t, kit, p)
			i := bytes.Index(data, []byte("demo enrolment"))
			if i < 0 {
				t.Fatalf("%s has no reason:\n%s", p, data)
			}
			data[i] = 'D'
			writeKit(t, kit, p, data)
			return p
		}, "differs from the ledger's"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := copyDir(t, kit)
			file := tc.tamper(t, k)
			code, out := runKit(t, k)
			if code != 3 {
				t.Fatalf("verify.sh exited %d on the kit with %s tampered, want 3:\n%s", code, file, out)
			}
			want := "FAIL " + file + " " + tc.kind
			if !strings.Contains(out, want) {
				t.Errorf("verify.sh output has no line starting %q:\n%s", want, out)
			}
			if strings.Contains(out, "OK:") {
				t.Errorf("verify.sh printed OK for a tampered kit:\n%s", out)
			}
		})
	}
}

func TestRunRefusesNonEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Run(dir, testEnv(), io.Discard)
	var ne *NotEmptyError
	if !errors.As(err, &ne) || res != nil {
		t.Fatalf("Run into a non-empty folder: %v, %v; want *NotEmptyError", res, err)
	}
	if ne.Dir != dir || ne.Hint() == "" {
		t.Errorf("error names %q with hint %q; want %q and a hint", ne.Dir, ne.Hint(), dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "notes.txt" {
		t.Errorf("Run wrote into the folder: %v", entries)
	}
	if data, _ := os.ReadFile(keep); string(data) != "mine\n" {
		t.Errorf("Run changed notes.txt: %q", data)
	}
}

func TestDemoKeys(t *testing.T) {
	res := buildDemo(t)
	l, err := ledger.Open(res.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	roster := l.Roster()
	if len(roster.Members) != len(Members()) {
		t.Fatalf("roster has %d members, want %d", len(roster.Members), len(Members()))
	}
	for _, m := range roster.Members {
		path := filepath.Join(res.Keys, m.ID)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
		}
		info, err := signing.ReadKeyInfo(path)
		if err != nil {
			t.Fatal(err)
		}
		if !info.Private || info.Encrypted {
			t.Errorf("%s: private %v, encrypted %v; want an unencrypted private key", path, info.Private, info.Encrypted)
		}
		if !strings.Contains(info.Comment, "DEMO KEY") {
			t.Errorf("%s has comment %q, without DEMO KEY", path, info.Comment)
		}
		pub, err := os.ReadFile(path + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(pub), "DEMO KEY") {
			t.Errorf("%s.pub has no DEMO KEY comment: %q", path, pub)
		}
		if got := signing.Fingerprint(info.PublicKey); got != m.Fingerprint {
			t.Errorf("%s holds %s, the roster has %s for %s", path, got, m.Fingerprint, m.ID)
		}
	}
}

func TestDemoLedger(t *testing.T) {
	res := buildDemo(t)
	l, err := ledger.Open(res.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Genesis().Demo {
		t.Error("the genesis entry does not say the ledger is a demonstration")
	}
	if !l.Roster().Demo {
		t.Error("the roster view does not say the ledger is a demonstration")
	}
	if res.LedgerID != l.ID() {
		t.Errorf("Run reports ledger %s, the ledger is %s", res.LedgerID, l.ID())
	}
	if !res.Report.OK() || !res.Report.Demo {
		t.Errorf("demo report: ok %v, demo %v; problems %v", res.Report.OK(), res.Report.Demo, res.Report.Problems)
	}
	if r := res.Report.Ratified; len(r) != 1 || r[0].Document != DocID || r[0].Version != 2 {
		t.Errorf("ratified: %v, want [%s v2]", r, DocID)
	}

	st, err := l.Status(DocID)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Demo || len(st.Versions) != 2 {
		t.Fatalf("status: demo %v, %d versions; want a demo with 2 versions", st.Demo, len(st.Versions))
	}
	v1, v2 := st.Versions[0], st.Versions[1]
	if v1.Superseded != v2.Entry || v1.Ratified != 0 || v1.Approvals != 3 {
		t.Errorf("v1: superseded at %d, ratified at %d, %d approvals; want superseded at %d by v2, not ratified, 3 approvals",
			v1.Superseded, v1.Ratified, v1.Approvals, v2.Entry)
	}
	if v2.Ratified == 0 || v2.Superseded != 0 || v2.Approvals != len(Members()) {
		t.Errorf("v2: ratified at %d, superseded at %d, %d approvals; want ratified with all %d", v2.Ratified, v2.Superseded, v2.Approvals, len(Members()))
	}
	var uz *ledger.SignerState
	for i := range v2.Signers {
		if v2.Signers[i].Signatory == "demo-uz" {
			uz = &v2.Signers[i]
		}
	}
	if uz == nil || uz.State != "approved" {
		t.Fatalf("demo-uz on v2: %+v, want approved", uz)
	}
	// Their latest approval follows a withdrawal of an earlier one.
	log, err := l.Log()
	if err != nil {
		t.Fatal(err)
	}
	var decisions []string
	for _, e := range log {
		if e.Actor == "demo-uz" && e.Kind == rules.KindDecision && strings.Contains(e.Summary, DocID+" v2") {
			decisions = append(decisions, strings.Fields(e.Summary)[0])
			if e.Entry > uz.Entry {
				t.Errorf("demo-uz decided at entry %d, after the latest decision status shows (%d)", e.Entry, uz.Entry)
			}
		}
	}
	if want := []string{"Approve", "Withdraw", "Approve"}; !slices.Equal(decisions, want) {
		t.Errorf("demo-uz's decisions on v2: %q, want %q", decisions, want)
	}
}
