package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUsageErrorsExit2 is the one table of the rule in usage.go: every
// mistake in the command line itself exits 2, with one "concord: " line
// that says what is wrong and a hint line, and writes nothing.
func TestUsageErrorsExit2(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	for _, k := range []string{"a", "b"} {
		h.mustRun(runOpts{}, "key", "new", "--no-passphrase", "--output", filepath.Join(dir, k))
	}
	stewards := writeFile(t, dir, "stewards.json", `[
 {"id":"a","name":"A","title":"T","institution":"I","country":"C","key_file":"a.pub"},
 {"id":"b","name":"B","title":"T","institution":"I","country":"C","key_file":"b.pub"}]`)
	led := filepath.Join(dir, "ledger")
	key := filepath.Join(dir, "a")
	signer := []string{"--ledger", led, "--as", "a", "--key", key}
	with := func(args ...string) []string { return append(args, signer...) }
	initArgs := func(extra ...string) []string {
		return with(append([]string{"init", "--title", "T", "--stewards", stewards}, extra...)...)
	}
	propose := func(extra ...string) []string {
		return with(append([]string{"propose", "pact", "--title", "P", "--signers", "a,b"}, extra...)...)
	}

	for _, c := range []struct {
		name string
		args []string
		want string // regexp the error line must match
	}{
		{"unknown command", []string{"frobnicate"}, `^unknown command "frobnicate" for "concord"$`},
		{"mistyped command", []string{"stauts"}, `^unknown command "stauts" for "concord"; did you mean "status"\?$`},
		{"mistyped subcommand", []string{"roster", "lsit"}, `did you mean "list"\?$`},
		{"unknown flag", []string{"status", "--frob"}, `^unknown flag: --frob$`},
		{"bad flag value", []string{"show", "pact", "--version", "x"}, `invalid argument "x" for "--version"`},
		{"sign without argument", []string{"sign"}, `^concord sign needs the argument DOC-ID$`},
		{"withdraw without argument", []string{"withdraw"}, `needs the argument DOC-ID`},
		{"diff without versions", []string{"diff", "pact"}, `^concord diff needs the arguments A B$`},
		{"clone without folder", []string{"clone", "file:///x"}, `^concord clone needs the argument DIR$`},
		{"key show without file", []string{"key", "show"}, `^concord key show needs the argument FILE$`},
		{"roster approve without change", []string{"roster", "approve"}, `^concord roster approve needs the argument CHANGE$`},
		{"extra argument", []string{"verify", "extra"}, `^concord verify takes no arguments, but was given "extra"$`},
		{"argument too many", []string{"show", "pact", "two"}, `^concord show takes DOC-ID; "two" is one argument too many$`},
		{"subcommand missing", []string{"roster"}, `^concord roster needs a subcommand$`},
		{"init without flags", with("init"), `^concord init needs --title, --stewards, --threshold$`},
		{"init threshold 0", initArgs("--threshold", "0"), `^--threshold 0: a roster change needs at least 1 steward approval`},
		{"init threshold negative", initArgs("--threshold", "-1"), `^--threshold -1: `},
		{"init threshold above stewards", initArgs("--threshold", "3"), `^--threshold 3 is more than the 2 stewards in .*stewards.json`},
		{"bad language tag", propose("--text", "English=x.txt"), `^--text English=x.txt: language tag "English": not a known language$`},
		{"language twice", propose("--text", "en=x.txt", "--text", "en=y.txt"), `^--text: language en is given twice`},
		{"text without file", propose("--text", "en"), `^--text "en": use LANG=FILE`},
		{"no text", propose(), `^give at least one --text LANG=FILE$`},
		{"quorum above signers", propose("--rule", "quorum:3", "--text", "en=x.txt"), `^--rule quorum:3: a quorum of 3 is more than the 2 signatories in --signers$`},
		{"bad rule", propose("--rule", "most", "--text", "en=x.txt"), `^--rule: rule "most"`},
		{"signer twice", with("propose", "pact", "--title", "P", "--signers", "a,a", "--text", "en=x.txt"), `^--signers: a is given twice$`},
		{"empty signer", with("propose", "pact", "--title", "P", "--signers", "a,,b", "--text", "en=x.txt"), `an empty id`},
		{"bad document id", with("propose", "Pact!", "--title", "P", "--signers", "a", "--text", "en=x.txt"), `^"Pact!" is not a document id`},
		{"amend bad drop", with("amend", "pact", "--drop", "kz", "--text", "en=x.txt"), `^--drop kz: language tag "kz"`},
		{"sign bad document id", with("sign", "../x", "--yes"), `^"../x" is not a document id`},
		{"sign version 0", with("sign", "pact", "--version", "0", "--yes"), `^--version 0: versions are numbered from 1`},
		{"show bad language", []string{"show", "pact", "--lang", "english"}, `^--lang english: language tag "english": not a known language$`},
		{"status bad document id", []string{"status", "UPPER"}, `is not a document id`},
		{"diff bad version", []string{"diff", "pact", "1", "zero"}, `^versions are numbers from 1`},
		{"roster add bad id", with("roster", "add", "Bad_ID"), `^ID "Bad_ID" is not a roster id`},
		{"roster revoke bad id", with("roster", "revoke", "x.y"), `^ID "x.y" is not a roster id`},
		{"missing --as", []string{"sign", "pact", "--key", key}, `^--as ID is required`},
		{"export pdf bad id", []string{"export", "pdf", "A B", "--output", "x.pdf"}, `is not a document id`},
		{"export pdf without id", []string{"export", "pdf", "--output", "x.pdf"}, `^give the document to export`},
		{"no terminal to confirm", with("sign", "pact"), `^no terminal to confirm on`},
		{"key new without output", []string{"key", "new"}, `^key new needs --output FILE$`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.run(runOpts{}, c.args...)
			if r.code != ExitUsage {
				t.Fatalf("concord %s: exit %d, want %d\nstderr:\n%s", strings.Join(c.args, " "), r.code, ExitUsage, r.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "concord: ") || !strings.HasPrefix(lines[1], "hint: ") {
				t.Fatalf("stderr is not one error line and one hint line:\n%s", r.stderr)
			}
			if !regexp.MustCompile(c.want).MatchString(strings.TrimPrefix(lines[0], "concord: ")) {
				t.Errorf("error line %q does not match %q", lines[0], c.want)
			}
			if r.stdout != "" {
				t.Errorf("a usage error printed data:\n%s", r.stdout)
			}
			if _, err := os.Stat(led); !os.IsNotExist(err) {
				t.Errorf("a usage error touched the ledger folder (%v)", err)
			}
		})
	}
}
