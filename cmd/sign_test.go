package cmd

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/signing"
)

// fixture is a fresh ledger founded by stewards alice and carol (threshold
// 2) with signatory bob enrolled; all three keys are unencrypted and live
// in dir/<id>.
type fixture struct {
	t      *testing.T
	h      *harness
	dir    string
	ledger string
}

func newFixture(t *testing.T, h *harness) *fixture {
	t.Helper()
	f := &fixture{t: t, h: h, dir: t.TempDir()}
	f.ledger = filepath.Join(f.dir, "ledger")
	for _, id := range []string{"alice", "carol", "bob"} {
		h.mustRun(runOpts{}, "key", "new", "--no-passphrase", "--output", f.key(id), "--comment", id)
	}
	var stewards []map[string]string
	for _, id := range []string{"alice", "carol"} {
		stewards = append(stewards, map[string]string{"id": id, "name": "Steward " + id, "title": "Rector",
			"institution": "University of " + id, "country": "Kazakhstan", "key_file": id + ".pub"})
	}
	data, err := json.Marshal(stewards)
	if err != nil {
		t.Fatal(err)
	}
	sf := writeFile(t, f.dir, "stewards.json", string(data))
	r := h.mustRun(runOpts{}, "init", "--ledger", f.ledger, "--title", "Test ledger", "--stewards", sf,
		"--threshold", "2", "--as", "alice", "--key", f.key("alice"))
	if !strings.HasPrefix(r.stdout, "founded ledger ") {
		t.Fatalf("init printed %q", r.stdout)
	}
	f.enrol("bob", f.key("bob")+".pub")
	return f
}

// key returns the private key file of id.
func (f *fixture) key(id string) string { return filepath.Join(f.dir, id) }

// enrol adds signatory id with public key file pub: alice proposes, carol
// approves.
func (f *fixture) enrol(id, pub string) {
	f.t.Helper()
	r := f.h.mustRun(runOpts{}, "roster", "add", id, "--ledger", f.ledger, "--name", "Signatory "+id, "--title", "Rector",
		"--institution", "University of "+id, "--country", "Kyrgyzstan", "--pubkey", pub,
		"--as", "alice", "--key", f.key("alice"), "--json")
	var res struct {
		Change    string
		Effective bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Change == "" || res.Effective {
		f.t.Fatalf("roster add: %v, %+v from %q", err, res, r.stdout)
	}
	r = f.h.mustRun(runOpts{}, "roster", "approve", res.Change, "--ledger", f.ledger, "--as", "carol", "--key", f.key("carol"), "--yes")
	if !strings.HasPrefix(r.stdout, "change "+res.Change+" took effect at entry ") {
		f.t.Fatalf("roster approve printed %q", r.stdout)
	}
}

// textArgs writes texts (lang -> text) to files named prefix.lang and
// returns the --text flags, languages in sorted order.
func (f *fixture) textArgs(prefix string, texts map[string]string) []string {
	f.t.Helper()
	langs := make([]string, 0, len(texts))
	for l := range texts {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	var args []string
	for _, l := range langs {
		args = append(args, "--text", l+"="+writeFile(f.t, f.dir, prefix+"."+l, texts[l]))
	}
	return args
}

// propose proposes doc v1 by alice, to be signed by all of signers.
func (f *fixture) propose(doc, signers string, texts map[string]string) {
	f.t.Helper()
	args := append([]string{"propose", doc, "--ledger", f.ledger, "--title", "Pact of tests", "--signers", signers,
		"--rule", "all", "--as", "alice", "--key", f.key("alice")}, f.textArgs(doc+".v1", texts)...)
	f.h.mustRun(runOpts{}, args...)
}

// amend adds the next version of doc, by alice.
func (f *fixture) amend(doc, prefix string, texts map[string]string) {
	f.t.Helper()
	args := append([]string{"amend", doc, "--ledger", f.ledger, "--as", "alice", "--key", f.key("alice")}, f.textArgs(prefix, texts)...)
	f.h.mustRun(runOpts{}, args...)
}

// head returns the commit the ledger's main branch points at.
func (f *fixture) head() string {
	f.t.Helper()
	return readHead(f.t, f.ledger)
}

func readHead(t *testing.T, ledgerDir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ledgerDir, "refs", "heads", "main"))
	if err != nil {
		t.Fatalf("reading the ledger head: %v", err)
	}
	h := strings.TrimSpace(string(data))
	if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(h) {
		t.Fatalf("ledger head %q is not a commit id", h)
	}
	return h
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

const (
	textEN = "Article 1. The parties cooperate.\nArticle 2. They meet once a year.\n"
	textFR = "Article 1. Les parties coopèrent.\nArticle 2. Elles se réunissent une fois par an.\n"
)

var pactTexts = map[string]string{"en": textEN, "fr": textFR}

// hashLines is the hash part of a sign preview.
func hashLines(texts map[string]string) string {
	return "SHA-256 of the texts you sign:\n  en " + sha(texts["en"]) + "\n  fr " + sha(texts["fr"]) + "\n"
}

// approveLine matches the one line `concord sign` prints on success.
func approveLine(who string, version string) *regexp.Regexp {
	return regexp.MustCompile(`^approve: pact v` + version + ` by ` + who +
		` at entry [0-9]+ \(commit ([0-9a-f]{12})\); (1 approval|[0-9]+ approvals), rule: [^\n]+\n$`)
}

func TestSignConfirm(t *testing.T) {
	preview := func(fp string) string {
		return "pact: Pact of tests, version 1\n" +
			"\n== en\n" + textEN + "\n== fr\n" + textFR + "\n" +
			hashLines(pactTexts) + "Signing key: " + fp + "\n" +
			"Approve pact version 1 as bob with key " + fp + "? [y/N] "
	}
	tests := []struct {
		name    string
		stdin   string
		signed  bool
		wantErr string // the error line, when not signed and not silent
	}{
		{"y", "y\n", true, ""},
		{"yes", "yes\n", true, ""},
		{"Y with spaces", "  Y  \n", true, ""},
		{"y without newline", "y", true, ""},
		{"n", "n\n", false, ""},
		{"empty line", "\n", false, ""},
		{"other word", "sure\n", false, ""},
		{"y on the second line only", "\ny\n", false, ""},
		{"end of input", "", false, "reading the answer: EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			f := newFixture(t, h)
			f.propose("pact", "bob,alice", pactTexts)
			fullPreview := preview(keyFP(t, f.key("bob")))
			before := f.head()
			r := h.run(runOpts{terminal: true, stdin: tt.stdin}, "sign", "pact", "--ledger", f.ledger, "--as", "bob", "--key", f.key("bob"))
			after := f.head()
			if tt.signed {
				if r.code != ExitOK {
					t.Fatalf("exit %d, want 0\nstderr:\n%s", r.code, r.stderr)
				}
				if r.stderr != fullPreview {
					t.Errorf("stderr:\n%s\nwant exactly:\n%s", r.stderr, fullPreview)
				}
				m := approveLine("bob", "1").FindStringSubmatch(r.stdout)
				if m == nil {
					t.Fatalf("stdout %q is not an approval line", r.stdout)
				}
				if after == before || !strings.HasPrefix(after, m[1]) {
					t.Errorf("head %s -> %s; stdout names commit %s", before, after, m[1])
				}
				h.mustRun(runOpts{}, "verify", "--ledger", f.ledger)
				return
			}
			if r.code != ExitError {
				t.Errorf("exit %d, want 1", r.code)
			}
			var want string
			if tt.wantErr == "" {
				want = fullPreview + "nothing signed\n"
			} else {
				want = fullPreview + "concord: " + tt.wantErr + "\n"
			}
			if r.stderr != want {
				t.Errorf("stderr:\n%s\nwant exactly:\n%s", r.stderr, want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if after != before {
				t.Errorf("ledger head moved from %s to %s: something was signed", before, after)
			}
		})
	}
}

func TestSignNoTerminal(t *testing.T) {
	h := newHarness(t)
	f := newFixture(t, h)
	f.propose("pact", "bob,alice", pactTexts)
	tests := []struct {
		name  string
		opts  runOpts
		args  []string
		code  int
		want  string // exact stderr
		moved bool
	}{
		{
			name: "no terminal, no --yes", args: []string{"sign", "pact"}, code: ExitUsage,
			want: "concord: no terminal to confirm on: pass --yes to sign without being asked\nhint: run 'concord sign --help' for usage\n",
		},
		{
			name: "stdin not a terminal", opts: runOpts{inTerminal: ptr(false), errTerminal: ptr(true), stdin: "y\n"},
			args: []string{"sign", "pact"}, code: ExitUsage,
			want: "concord: no terminal to confirm on: pass --yes to sign without being asked\nhint: run 'concord sign --help' for usage\n",
		},
		{
			name: "stderr not a terminal", opts: runOpts{inTerminal: ptr(true), errTerminal: ptr(false), stdin: "y\n"},
			args: []string{"sign", "pact"}, code: ExitUsage,
			want: "concord: no terminal to confirm on: pass --yes to sign without being asked\nhint: run 'concord sign --help' for usage\n",
		},
		{
			name: "withdraw, no terminal, no --yes", args: []string{"withdraw", "pact"}, code: ExitUsage,
			want: "concord: no terminal to confirm on: pass --yes to withdraw without being asked\nhint: run 'concord withdraw --help' for usage\n",
		},
		{
			// The key is checked before anything is shown.
			name: "--agent without SSH_AUTH_SOCK", args: []string{"sign", "pact", "--agent", "--yes"}, code: ExitError,
			want: "concord: --agent: SSH_AUTH_SOCK is not set\nhint: start ssh-agent and ssh-add your key\n",
		},
		{
			name: "--agent without SSH_AUTH_SOCK on a terminal", opts: runOpts{terminal: true, stdin: "y\n"},
			args: []string{"sign", "pact", "--agent"}, code: ExitError,
			want: "concord: --agent: SSH_AUTH_SOCK is not set\nhint: start ssh-agent and ssh-add your key\n",
		},
		{
			// Last: it signs. Without a question, the texts are not shown.
			name: "--yes", args: []string{"sign", "pact", "--yes"}, code: ExitOK, moved: true,
			want: "pact: Pact of tests, version 1\n" + hashLines(pactTexts) + "Signing key: " + keyFP(t, f.key("bob")) + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := f.key("bob")
			for _, a := range tt.args {
				if a == "--agent" {
					key += ".pub"
				}
			}
			before := f.head()
			r := h.run(tt.opts, append(tt.args, "--ledger", f.ledger, "--as", "bob", "--key", key)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d", r.code, tt.code)
			}
			if r.stderr != tt.want {
				t.Errorf("stderr:\n%s\nwant exactly:\n%s", r.stderr, tt.want)
			}
			if moved := f.head() != before; moved != tt.moved {
				t.Errorf("ledger head moved: %v, want %v", moved, tt.moved)
			}
			if tt.moved && !approveLine("bob", "1").MatchString(r.stdout) {
				t.Errorf("stdout %q is not an approval line", r.stdout)
			} else if !tt.moved && r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

func TestSignEncryptedKey(t *testing.T) {
	const pass = "correct horse battery staple"
	tests := []struct {
		name     string
		file     string // --passphrase-file content; "" for none
		opts     runOpts
		args     []string
		wantErr  string // "" for success
		wantHint string
	}{
		{name: "right file", file: pass + "\n", args: []string{"--yes"}},
		{name: "right file, CRLF", file: pass + "\r\n", args: []string{"--yes"}},
		{name: "wrong file", file: "correct horse\n", args: []string{"--yes"}, wantErr: `wrong passphrase for key "$KEY"`,
			wantHint: "check the passphrase; from a passphrase file only the first line is used"},
		{name: "file with the passphrase on line 2", file: "\n" + pass + "\n", args: []string{"--yes"},
			wantErr:  `getting passphrase for key "$KEY": empty passphrase in passphrase file "$FILE"`,
			wantHint: "write the passphrase on the first line of the file"},
		{name: "terminal", opts: runOpts{terminal: true, stdin: "y\n", passwords: []string{pass}}},
		{name: "wrong on terminal, then right", opts: runOpts{terminal: true, stdin: "y\n", passwords: []string{pass + " ", pass}}},
		{name: "wrong on terminal three times", opts: runOpts{terminal: true, stdin: "y\n", passwords: []string{pass + " ", "x", "y"}},
			wantErr: `wrong passphrase for key "$KEY" (3 tries)`, wantHint: "check the passphrase; from a passphrase file only the first line is used"},
		{name: "no terminal, no file", args: []string{"--yes"},
			wantErr:  `no passphrase for key "$KEY": no --passphrase-file, $CONCORD_PASSPHRASE_FILE is not set, and no terminal to ask on`,
			wantHint: "give --passphrase-file FILE or set CONCORD_PASSPHRASE_FILE, or use ssh-agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			f := newFixture(t, h)
			key := f.key("dave")
			pf := writeFile(t, f.dir, "dave.pass", pass+"\n")
			h.mustRun(runOpts{}, "key", "new", "--output", key, "--passphrase-file", pf)
			f.enrol("dave", key+".pub")
			f.propose("pact", "dave,bob", pactTexts)
			args := append([]string{"sign", "pact", "--ledger", f.ledger, "--as", "dave", "--key", key}, tt.args...)
			var file string
			if tt.file != "" {
				file = writeFile(t, f.dir, "given.pass", tt.file)
				args = append(args, "--passphrase-file", file)
			}
			before := f.head()
			r := h.run(tt.opts, args...)
			after := f.head()
			if r.asked != len(tt.opts.passwords) || r.leftover != 0 {
				t.Errorf("asked for %d passwords, %d left unasked", r.asked, r.leftover)
			}
			if tt.opts.terminal && !strings.Contains(r.stderr[:strings.Index(r.stderr+"concord: ", "concord: ")], "[y/N] Passphrase for "+key+": \n") {
				t.Errorf("no passphrase prompt after the confirmation:\n%s", r.stderr)
			}
			if tt.wantErr == "" {
				if r.code != ExitOK {
					t.Fatalf("exit %d, want 0\nstderr:\n%s", r.code, r.stderr)
				}
				if !approveLine("dave", "1").MatchString(r.stdout) || after == before {
					t.Errorf("not signed: stdout %q, head %s -> %s", r.stdout, before, after)
				}
				return
			}
			if r.code != ExitError {
				t.Errorf("exit %d, want 1", r.code)
			}
			wantErr := strings.NewReplacer("$KEY", key, "$FILE", file).Replace(tt.wantErr)
			checkErrorLines(t, r.stderr, wantErr, tt.wantHint)
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if after != before {
				t.Errorf("ledger head moved from %s to %s", before, after)
			}
		})
	}
}

func TestSignShowsDiffAfterAmend(t *testing.T) {
	h := newHarness(t)
	f := newFixture(t, h)
	f.propose("pact", "bob,alice", pactTexts)
	r := h.mustRun(runOpts{}, "sign", "pact", "--ledger", f.ledger, "--as", "bob", "--key", f.key("bob"), "--yes")
	if strings.Contains(r.stdout, "RATIFIED") {
		t.Fatalf("v1 should need alice too: %s", r.stdout)
	}
	const addEN = "Article 3. The chair rotates every two years.\n"
	const addFR = "Article 3. La présidence tourne tous les deux ans.\n"
	v2 := map[string]string{"en": textEN + addEN, "fr": textFR + addFR}
	f.amend("pact", "pact.v2", v2)
	before := f.head()
	h.env["NO_COLOR"] = "1" // compared as plain text; TestSignShowsColour checks the colours
	r = h.run(runOpts{terminal: true, stdin: "y\n"}, "sign", "pact", "--ledger", f.ledger, "--as", "bob", "--key", f.key("bob"))
	if r.code != ExitOK {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	if !approveLine("bob", "2").MatchString(r.stdout) || f.head() == before {
		t.Errorf("v2 not signed: stdout %q", r.stdout)
	}
	for _, want := range []string{
		"pact: Pact of tests, version 2\n",
		"You approved version 1; these are the changes since:\n",
		"\n== en\n--- pact v1 en\n+++ pact v2 en\n",
		"\n+" + addEN,
		"\n== fr\n--- pact v1 fr\n+++ pact v2 fr\n",
		"\n+" + addFR,
		"\n " + "Article 2. They meet once a year.\n", // context
		hashLines(v2),
		"Signing key: " + keyFP(t, f.key("bob")) + "\n",
		"Approve pact version 2 as bob with key " + keyFP(t, f.key("bob")) + "? [y/N] ",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("preview has no %q:\n%s", want, r.stderr)
		}
	}
	// The full text is not shown: no line of it stands unprefixed.
	for _, line := range strings.Split(strings.TrimSuffix(textEN+addEN+textFR+addFR, "\n"), "\n") {
		for _, got := range strings.Split(r.stderr, "\n") {
			if got == line {
				t.Errorf("preview shows the full text line %q instead of the diff:\n%s", line, r.stderr)
			}
		}
	}

	// alice never approved: she sees the full text of v2.
	r = h.run(runOpts{terminal: true, stdin: "n\n"}, "sign", "pact", "--ledger", f.ledger, "--as", "alice", "--key", f.key("alice"))
	if r.code != ExitError || !strings.Contains(r.stderr, "\n== en\n"+textEN+addEN+"\n== fr\n") || strings.Contains(r.stderr, "You approved") {
		t.Errorf("alice's preview (exit %d) should show the full v2 text:\n%s", r.code, r.stderr)
	}
}

func TestSignDemoLedger(t *testing.T) {
	h := newHarness(t)
	dir := filepath.Join(t.TempDir(), "demo")
	r := h.mustRun(runOpts{}, "demo", dir)
	if !strings.Contains(r.stdout, demoBanner) || !strings.Contains(r.stdout, "RATIFIED") {
		t.Errorf("demo output lacks the banner or the ratification:\n%s", r.stdout)
	}
	l := filepath.Join(dir, "ledger")
	for _, id := range []string{"xjtu", "kaznu", "demo-uz", "demo-kg", "demo-tj", "demo-tm"} {
		fi, err := os.Stat(filepath.Join(dir, "keys", id))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("demo key %s: %v", id, err)
		}
	}
	before := readHead(t, l)
	// The latest version is ratified: signing it again is refused.
	r = h.run(runOpts{}, "sign", "almaty-consensus", "--ledger", l, "--as", "demo-tm", "--key", filepath.Join(dir, "keys", "demo-tm"), "--yes")
	if r.code != ExitError {
		t.Errorf("exit %d, want 1\nstderr:\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "concord: "); n != 1 || !strings.HasPrefix(r.stderr, "concord: ") {
		t.Errorf("want one error line (and maybe a hint):\n%s", r.stderr)
	}
	if lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n"); len(lines) > 2 || (len(lines) == 2 && !strings.HasPrefix(lines[1], "hint: ")) {
		t.Errorf("want one error line and at most one hint line:\n%s", r.stderr)
	}
	if after := readHead(t, l); after != before {
		t.Errorf("ledger head moved from %s to %s", before, after)
	}
	h.mustRun(runOpts{}, "verify", "--ledger", l)
}

// TestSignUnencryptedKeyReadsNoPassphrase checks that no passphrase is read
// or asked for a key that needs none, even when a file is named.
func TestSignUnencryptedKeyReadsNoPassphrase(t *testing.T) {
	h := newHarness(t)
	f := newFixture(t, h)
	f.propose("pact", "bob,alice", pactTexts)
	h.env[passphraseFileEnv] = filepath.Join(f.dir, "absent-env")
	r := h.run(runOpts{terminal: true, stdin: "y\n"}, "sign", "pact", "--ledger", f.ledger, "--as", "bob", "--key", f.key("bob"),
		"--passphrase-file", filepath.Join(f.dir, "absent"))
	if r.code != ExitOK || r.asked != 0 {
		t.Fatalf("exit %d after %d passphrase questions, want 0 after none\nstderr:\n%s", r.code, r.asked, r.stderr)
	}
	if !approveLine("bob", "1").MatchString(r.stdout) {
		t.Errorf("stdout %q is not an approval line", r.stdout)
	}
}

// keyFP is the fingerprint of the key in path (private or public).
func keyFP(t *testing.T, path string) string {
	t.Helper()
	info, err := signing.ReadKeyInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	return signing.Fingerprint(info.PublicKey)
}
