package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/signing"
)

// TestCommandLine: the one function every hint writes a concord command
// line with puts the ledger the user gave after the command's path, for
// the commands that read a ledger, and only for them.
func TestCommandLine(t *testing.T) {
	none, spaced, plain := invocation{}, invocation{ledger: "dir with space"}, invocation{ledger: "/srv/ledgers/almaty"}
	for _, tc := range []struct {
		inv  invocation
		path string
		args []string
		want string
	}{
		{none, "verify", nil, "concord verify"},
		{spaced, "verify", nil, `concord verify --ledger "dir with space"`},
		{plain, "verify", []string{"--checkpoint", "FILE"}, "concord verify --ledger /srv/ledgers/almaty --checkpoint FILE"},
		{spaced, "roster list", nil, `concord roster list --ledger "dir with space"`},
		{spaced, "roster approve", []string{"0123456789abcdef", "--as", "ID", "--key", "FILE"},
			`concord roster approve --ledger "dir with space" 0123456789abcdef --as ID --key FILE`},
		{none, "sync", []string{"--remote", "https://***@forge.example/l.git"}, `concord sync --remote "https://***@forge.example/l.git"`},
		{invocation{ledger: "."}, "status", nil, "concord status --ledger ."},
		// Commands that read no ledger repeat none.
		{spaced, "key new", nil, "concord key new"},
		{spaced, "clone", []string{"URL", "DIR"}, "concord clone URL DIR"},
		{spaced, "demo", []string{"./concord-demo-2"}, "concord demo ./concord-demo-2"},
		{spaced, "verify-pdf", []string{"my file.pdf"}, `concord verify-pdf "my file.pdf"`},
	} {
		if got := tc.inv.command(tc.path, tc.args...); got != tc.want {
			t.Errorf("%+v.command(%q, %q) = %s, want %s", tc.inv, tc.path, tc.args, got, tc.want)
		}
	}
	for _, name := range ledgerless {
		if c, _, err := newRootCmd(&IO{Getenv: func(string) string { return "" }}).Find([]string{name}); err != nil || c.Name() != name {
			t.Errorf("ledgerless names %q, which is no concord command", name)
		}
	}
}

// TestHintsNameTheLedger: every hint cmd writes that names a concord
// command names it as the user called concord: with the --ledger (or
// $CONCORD_LEDGER) they gave, one shell word, where the command reads a
// ledger; as it was without. {L} in want is where the ledger goes.
func TestHintsNameTheLedger(t *testing.T) {
	with := func(r ledger.Refusal, e ledger.RefusedError) error {
		e.Reason, e.Msg = r, "refused"
		return &e
	}
	commit := "0123456789abcdef0123456789abcdef01234567"
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"not a ledger", &ledger.NotLedgerError{Dir: "x", Err: errors.New("no git repository there")},
			"pass --ledger DIR or set CONCORD_LEDGER; 'concord init{L}' founds a new ledger"},
		{"inconsistent", &ledger.InconsistentError{Errs: []error{errors.New("bad")}}, "run 'concord verify{L}' for a full report"},
		{"unverified", &ledger.UnverifiedError{What: "the ledger", Report: &ledger.Report{}}, "run 'concord verify{L}' for the full report"},
		{"not enrolled", with(ledger.RefusedNotEnrolled, ledger.RefusedError{Actor: "xjtu"}), "'concord roster list{L}' shows who is enrolled"},
		{"wrong key", with(ledger.RefusedWrongKey, ledger.RefusedError{Actor: "xjtu"}), "sign with the key enrolled for xjtu (see 'concord roster list{L}')"},
		{"pending conflict", with(ledger.RefusedPendingConflict, ledger.RefusedError{}), "approve or wait for the pending change ('concord roster list{L}' shows it)"},
		{"no such change", with(ledger.RefusedNoSuchChange, ledger.RefusedError{}), "'concord roster list{L}' shows pending changes"},
		{"no such document", with(ledger.RefusedNoSuchDocument, ledger.RefusedError{Document: "d"}), "'concord status{L}' lists the ledger's documents"},
		{"document exists", with(ledger.RefusedDocumentExists, ledger.RefusedError{Document: "d"}), "use 'concord amend{L}' for a new version"},
		{"keys needed", with(ledger.RefusedKeysNeeded, ledger.RefusedError{Actors: []string{"xjtu", "kaznu"}}),
			"run 'concord sync{L} --as xjtu --key FILE --as kaznu --key FILE' to re-create them with their signatories' keys"},
		{"cannot place", with(ledger.RefusedCannotPlace, ledger.RefusedError{Commit: commit, Entries: 2}),
			"to take the remote's entries instead, dropping your 2 local entries after commit 0123456789ab (make them again afterwards, on the remote's): git -C {DIR} update-ref refs/heads/main " + commit + ", then 'concord sync{L}'"},
		{"no remote", with(ledger.RefusedNoRemote, ledger.RefusedError{}),
			"run 'concord sync{L} --remote URL', or make the ledger with 'concord clone URL DIR'"},
		{"no remote named origin", with(ledger.RefusedNoRemote, ledger.RefusedError{Remotes: []string{"upstream"}}),
			"run 'concord sync{L} --remote URL', or make upstream the ledger's remote: git -C {DIR} remote rename upstream origin"},
		{"remote rejected", &ledger.RemoteRejectedError{URL: "u", Reason: "r"},
			"do not build on this remote; tell whoever keeps it, and compare checkpoints ('concord verify{L} --checkpoint FILE')"},
		{"ref lock", fmtWrap(&gitstore.RefLockError{Path: "/l/refs/heads/main.lock"}),
			"if no git or concord process is running, remove /l/refs/heads/main.lock, then run 'concord verify{L}'"},
		// Commands that read no ledger: the same with or without one.
		{"clone failed", &ledger.RemoteError{URL: "u", Op: "fetching", Err: errors.New("refused"), Clone: true},
			"check the remote's address and the network, then run 'concord clone' again"},
		{"key type", &signing.KeyTypeError{Path: "k", Type: "ssh-rsa"}, "make an ed25519 key with 'concord key new' or 'ssh-keygen -t ed25519'"},
		{"sign unsupported", &signing.SignError{Kind: signing.ErrUnsupported}, "concord signs with ed25519 keys only; create one with `concord key new`"},
	}
	for _, inv := range []struct {
		name      string
		inv       invocation
		flag, dir string
	}{
		{"no ledger given", invocation{}, "", "LEDGER"},
		{"--ledger with a space", invocation{ledger: "dir with space"}, ` --ledger "dir with space"`, `"dir with space"`},
		{"--ledger plain", invocation{ledger: "/srv/ledgers/almaty"}, " --ledger /srv/ledgers/almaty", "/srv/ledgers/almaty"},
		{"--ledger .", invocation{ledger: "."}, " --ledger .", "."},
		{"--ledger with $", invocation{ledger: "$HOME/l"}, ` --ledger "\$HOME/l"`, `"\$HOME/l"`},
	} {
		for _, c := range cases {
			t.Run(inv.name+"/"+c.name, func(t *testing.T) {
				want := strings.NewReplacer("{L}", inv.flag, "{DIR}", inv.dir).Replace(c.want)
				if got := inv.inv.errorHint(c.err); got != want {
					t.Errorf("hint\n%s\nwant\n%s", got, want)
				}
			})
		}
	}
}

// fmtWrap wraps err as the ledger does the errors it passes on.
func fmtWrap(err error) error { return errors.Join(errors.New("moving the branch"), err) }

// TestHintsAsCalled runs concord and checks the hints and next steps it
// prints name the ledger however the user gave it: --ledger (a folder with
// a space), $CONCORD_LEDGER, --ledger . over $CONCORD_LEDGER, none (the
// current folder), and --ledger "" (none, as ledgerDir reads it).
func TestHintsAsCalled(t *testing.T) {
	h := newHarness(t)
	f := newFixture(t, h)
	f.propose("pact", "alice,bob", map[string]string{"en": "Pact.\n"})
	h.mustRun(runOpts{}, "key", "new", "--no-passphrase", "--output", f.key("dave"), "--comment", "dave")
	spaced := filepath.Join(f.dir, "dir with space")
	if err := os.Rename(f.ledger, spaced); err != nil {
		t.Fatal(err)
	}
	q := shellWord(spaced)
	if !strings.HasPrefix(q, `"`) {
		t.Fatalf("shellWord(%q) = %s: the test needs a folder the shell splits", spaced, q)
	}
	status := func(l string) string { return "hint: 'concord status" + l + "' lists the ledger's documents\n" }
	for _, tc := range []struct {
		name string
		env  string // $CONCORD_LEDGER
		cwd  string // the working folder; "" for the test's
		args []string
		want string // a line of stderr
	}{
		{"--ledger", "", "", []string{"status", "nodoc", "--ledger", spaced}, status(" --ledger " + q)},
		{"--ledger before the command", "", "", []string{"--ledger", spaced, "status", "nodoc"}, status(" --ledger " + q)},
		{"$CONCORD_LEDGER", spaced, "", []string{"status", "nodoc"}, status(" --ledger " + q)},
		{"--ledger wins over $CONCORD_LEDGER", filepath.Join(f.dir, "elsewhere"), "", []string{"status", "nodoc", "--ledger", spaced}, status(" --ledger " + q)},
		{"--ledger . over $CONCORD_LEDGER", filepath.Join(f.dir, "elsewhere"), spaced, []string{"status", "nodoc", "--ledger", "."}, status(" --ledger .")},
		{"the current folder", "", spaced, []string{"status", "nodoc"}, status("")},
		{`--ledger ""`, "", spaced, []string{"status", "nodoc", "--ledger", ""}, status("")},
		{"sign, wrong key", "", "", []string{"sign", "pact", "--ledger", spaced, "--as", "alice", "--key", f.key("dave"), "--yes"},
			"hint: sign with the key enrolled for alice (see 'concord roster list --ledger " + q + "')\n"},
		{"roster approve, no such change", "", "", []string{"roster", "approve", "0123456789abcdef", "--ledger", spaced, "--yes", "--as", "carol", "--key", f.key("carol")},
			"hint: 'concord roster list --ledger " + q + "' shows pending changes\n"},
		{"sync, no remote", "", "", []string{"sync", "--ledger", spaced},
			"hint: run 'concord sync --ledger " + q + " --remote URL', or make the ledger with 'concord clone URL DIR'\n"},
		{"verify --since, not an id", "", "", []string{"verify", "--ledger", spaced, "--since", "1a2b3c"},
			"concord: --since \"1a2b3c\" is not a commit id: give 7 to 40 hex digits, as 'concord log --ledger " + q + "' or 'git rev-parse HEAD' prints\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cwd != "" {
				t.Chdir(tc.cwd)
			}
			h.env["CONCORD_LEDGER"] = tc.env
			r := h.run(runOpts{}, tc.args...)
			if r.code == ExitOK || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant the line\n%s", r.code, r.stderr, tc.want)
			}
		})
	}
	h.env["CONCORD_LEDGER"] = ""

	// The next step roster add prints: the other stewards' approve, on
	// the same ledger.
	r := h.mustRun(runOpts{}, "roster", "add", "dave", "--ledger", spaced, "--name", "D", "--title", "Rector",
		"--institution", "U", "--country", "Kyrgyzstan", "--pubkey", f.key("dave")+".pub", "--as", "alice", "--key", f.key("alice"))
	next := regexp.MustCompile(`(?m)^other stewards approve it with: concord roster approve --ledger ` + regexp.QuoteMeta(q) + ` [0-9a-f]{16} --as ID --key FILE$`)
	if !next.MatchString(r.stderr) {
		t.Errorf("roster add printed\n%s\nwant a line matching %s", r.stderr, next)
	}
}

// TestInvocationOf: which ledger a hint repeats for each kind of command:
// none for the commands that read none, whatever $CONCORD_LEDGER says;
// for verify-pdf, only its own --ledger.
func TestInvocationOf(t *testing.T) {
	env := map[string]string{"CONCORD_LEDGER": "/srv/from env"}
	s := &IO{Getenv: func(k string) string { return env[k] }}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status"}, "/srv/from env"},
		{[]string{"roster", "list"}, "/srv/from env"},
		{[]string{"roster", "list", "--ledger", "flag dir"}, "flag dir"},
		{[]string{"key", "new"}, ""},
		{[]string{"clone", "u", "d"}, ""},
		{[]string{"demo", "d"}, ""},
		{[]string{"verify-pdf", "f.pdf"}, ""},
		{[]string{"verify-pdf", "f.pdf", "--ledger", "flag dir"}, "flag dir"},
	} {
		root := newRootCmd(s)
		c, rest, err := root.Find(tc.args)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ParseFlags(rest); err != nil {
			t.Fatal(err)
		}
		if got := invocationOf(c, s).ledger; got != tc.want {
			t.Errorf("concord %s with $CONCORD_LEDGER set: the hints repeat the ledger %q, want %q", strings.Join(tc.args, " "), got, tc.want)
		}
	}
	if !slices.Contains(ledgerless, "verify-pdf") {
		t.Error("verify-pdf is not ledgerless: a hint naming it would repeat the ledger")
	}
}
