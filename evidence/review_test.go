package evidence_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/internal/demo"
	"github.com/concord-ledger/concord/internal/testtool"
)

// These cases come from an outside review of verify.sh: each was a way to
// make it say OK for a forgery, raise a false alarm, or print what the
// evidence wanted on the terminal.

// runScript runs verify.sh in dir under shell with args and returns its
// output and exit status.
func runScript(t *testing.T, shell, dir string, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(testtool.Require(t, shell), append([]string{filepath.Join(dir, "verify.sh")}, args...)...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// extracted exports the demo's ratified version and extracts its evidence
// with pdfdetach into a new folder.
func extracted(t *testing.T) (dir, ledgerID string) {
	t.Helper()
	pdfdetach := testtool.Require(t, "pdfdetach")
	l := demoLedger(t)
	data, err := evidence.ExportPDF(l, demo.DocID, 0)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	file := filepath.Join(work, "doc.pdf")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(work, "evidence")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdfdetach, "-saveall", "-o", dir, file).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach: %v\n%s", err, out)
	}
	return dir, l.ID()
}

func appendFile(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// An allowed_signers line whose quoted option holds a space (shifting
// fields for a naive reader) and names an attacker's key is refused: the
// script checks commits against keys the roster's own files enrol, and
// allowed_signers only in the exact form concord writes.
func TestScriptAllowedSignersQuotedOption(t *testing.T) {
	dir, id := extracted(t)
	sshKeygen := testtool.Require(t, "ssh-keygen")
	key := filepath.Join(t.TempDir(), "atk")
	if out, err := exec.Command(sshKeygen, "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	genesis, err := os.ReadFile(filepath.Join(dir, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(genesis, []byte(`"key": "ssh-ed25519 `))
	genuine := strings.SplitN(string(genesis[i+len(`"key": "ssh-ed25519 `):]), `"`, 2)[0]
	f := strings.Fields(string(pub))
	appendFile(t, filepath.Join(dir, "allowed_signers"), `xjtu namespaces="concord,git,x ssh-ed25519 `+genuine+`" `+f[0]+" "+f[1]+"\n")
	out, code := runScript(t, "dash", dir, id)
	if code != 3 || !strings.Contains(out, "FAIL allowed_signers line") {
		t.Errorf("exit %d, want 3 and a FAIL naming allowed_signers:\n%s", code, out)
	}
}

// A manifest whose roster, times or paths were rewritten is refused: it
// may hold nothing the script does not check.
func TestScriptManifestRewritten(t *testing.T) {
	for _, tc := range []struct{ name, old, new string }{
		{"an extra field", `  "version": 2,` + "\n", `  "version": 2,` + "\n" + `  "roster": "Mallory Forger",` + "\n"},
		{"a path redirected", `/v2/text/en.txt"`, `/v1/text/en.txt"`},
		{"another version", `  "version": 2,`, `  "version": 1,`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, id := extracted(t)
			p := filepath.Join(dir, "manifest.json")
			m, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			changed := strings.Replace(string(m), tc.old, tc.new, 1)
			if changed == string(m) {
				t.Fatalf("the manifest has no %q", tc.old)
			}
			if err := os.WriteFile(p, []byte(changed), 0o644); err != nil {
				t.Fatal(err)
			}
			out, code := runScript(t, "dash", dir, id)
			if code != 3 || !strings.Contains(out, "FAIL manifest.json") {
				t.Errorf("exit %d, want 3 and a FAIL naming manifest.json:\n%s", code, out)
			}
		})
	}
}

// A file whose name holds backslash escapes reaches the terminal as text,
// never as control bytes, under dash (whose echo would interpret them).
func TestScriptPrintsNamesInertly(t *testing.T) {
	dir, id := extracted(t)
	name := `\r\033[2K\033[32mOK everything\033[8m`
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	appendFile(t, filepath.Join(dir, "text-en.txt"), "a changed clause\n")
	out, code := runScript(t, "dash", dir, id)
	if code != 3 || strings.ContainsAny(out, "\x1b\r") {
		t.Errorf("exit %d (want 3) and output with control bytes %q", code, out)
	}
}

// A kit missing files (a whole later version, a decision) or with a README
// of someone else's is refused; files a file browser makes are noted only;
// a copy of the script whose line endings a checkout converted still runs.
func TestScriptKitCompleteness(t *testing.T) {
	l := demoLedger(t)
	fresh := func(t *testing.T) string {
		kit := filepath.Join(t.TempDir(), "kit")
		if err := evidence.ExportAuditKit(l, kit); err != nil {
			t.Fatal(err)
		}
		return kit
	}
	t.Run("a later version removed", func(t *testing.T) {
		kit := fresh(t)
		if err := os.RemoveAll(filepath.Join(kit, "documents", demo.DocID, "v2")); err != nil {
			t.Fatal(err)
		}
		if out, code := runScript(t, "dash", kit, l.ID()); code != 3 || !strings.Contains(out, "is missing or not a regular file") {
			t.Errorf("exit %d, want 3:\n%s", code, out)
		}
	})
	t.Run("README rewritten", func(t *testing.T) {
		kit := fresh(t)
		if err := os.WriteFile(filepath.Join(kit, "README.txt"), []byte("version 1, RATIFIED by every signatory\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, code := runScript(t, "dash", kit, l.ID()); code != 3 || !strings.Contains(out, "FAIL README.txt") {
			t.Errorf("exit %d, want 3:\n%s", code, out)
		}
	})
	t.Run("browser files and a CRLF script", func(t *testing.T) {
		kit := fresh(t)
		for _, f := range []string{".DS_Store", "documents/desktop.ini", "Thumbs.db"} {
			if err := os.WriteFile(filepath.Join(kit, f), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		script := filepath.Join(kit, "verify.sh")
		data, err := os.ReadFile(script)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(script, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, shell := range []string{"dash", "bash"} {
			if out, code := runScript(t, shell, kit, strings.ToUpper(l.ID())); code != 0 || !strings.Contains(out, "a file browser makes") {
				t.Errorf("%s: exit %d, want 0 with notes:\n%s", shell, code, out)
			}
		}
	})
	t.Run("not a ledger id", func(t *testing.T) {
		kit := fresh(t)
		if out, code := runScript(t, "dash", kit, l.ID()[:8]); code != 2 || !strings.Contains(out, "is not a ledger id") {
			t.Errorf("exit %d, want 2:\n%s", code, out)
		}
	})
}

// The README the script checks a kit's against is the one concord writes.
func TestKitReadmeHashInScript(t *testing.T) {
	sum := sha([]byte(evidence.AuditKitReadme))
	if !strings.Contains(evidence.VerifyScript, "readme_sha256="+sum+"\n") {
		t.Errorf("verify.sh does not carry the README's SHA-256 %s", sum)
	}
}
