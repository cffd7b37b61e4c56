package gitstore_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestCommitForm writes crafted commit objects with stock git ('git
// hash-object -t commit -w --literally') and checks that gitstore reads
// only the exact form concord writes as Canonical.
func TestCommitForm(t *testing.T) {
	dir := t.TempDir()
	g, err := gitstore.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	// A commit concord writes, whose tree the crafted ones reuse.
	id, err := g.Append(gitstore.NewCommit{Message: "Found the ledger\n", Name: "Ana <CTO>\x01 ", Email: "ana",
		When: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Files: map[string][]byte{"genesis.json": []byte("{}\n")}})
	if err != nil {
		t.Fatal(err)
	}
	own, err := g.ReadCommit(id)
	if err != nil {
		t.Fatal(err)
	}
	if !own.Canonical || own.Author != "Ana CTO" {
		t.Fatalf("concord's own commit: canonical %v (%s), author %q", own.Canonical, own.FormProblem, own.Author)
	}
	tree := own.Tree
	const ident = "Ana <ana> 1767225600 +0000"
	good := "tree " + tree + "\nauthor " + ident + "\ncommitter " + ident + "\n\nA message\n\nConcord-Entry: 0\n"
	sig := "gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n"
	withSig := strings.Replace(good, "\n\nA message", "\n"+strings.TrimSuffix(sig, "\n")+"\n\nA message", 1)
	for _, tc := range []struct {
		name, text, want string // want "" for canonical
	}{
		{"plain", good, ""},
		{"signed", withSig, ""},
		{"with parent", strings.Replace(good, "\nauthor", "\nparent "+id+"\nauthor", 1), ""},
		{"encoding header", strings.Replace(good, "\n\nA message", "\nencoding ISO-8859-1\n\nA message", 1), `extra header "encoding"`},
		{"encoding UTF-8", strings.Replace(good, "\n\nA message", "\nencoding UTF-8\n\nA message", 1), `extra header "encoding"`},
		{"mergetag", strings.Replace(good, "\n\nA message", "\nmergetag object "+id+"\n type commit\n\nA message", 1), `extra header "mergetag"`},
		{"gpgsig-sha256", strings.Replace(good, "\n\nA message", "\ngpgsig-sha256 x\n\nA message", 1), `extra header "gpgsig-sha256"`},
		{"header after the signature", strings.Replace(withSig, "\n\nA message", "\nx-extra y\n\nA message", 1), `extra header "x-extra"`},
		{"committer before author", "tree " + tree + "\ncommitter " + ident + "\nauthor " + ident + "\n\nm\n", "no author header"},
		{"no committer", "tree " + tree + "\nauthor " + ident + "\n\nm\n", "no committer header"},
		{"two emails", strings.Replace(good, "author "+ident, "author Ana <ana> <eve> 1767225600 +0000", 1), "as git and go-git both read it"},
		{"'>' in the e-mail", strings.Replace(good, "author "+ident, "author Ana <ana>eve> 1767225600 +0000", 1), "as git and go-git both read it"},
		{"no space before '<'", strings.Replace(good, "author "+ident, "author Ana<ana> 1767225600 +0000", 1), "as git and go-git both read it"},
		{"two spaces", strings.Replace(good, "author "+ident, "author Ana  <ana> 1767225600 +0000", 1), "spaces at an end"},
		{"empty name", strings.Replace(good, "author "+ident, "author  <ana> 1767225600 +0000", 1), "name is empty"},
		{"no time", strings.Replace(good, "author "+ident, "author Ana <ana>", 1), "as git and go-git both read it"},
		{"leading zero", strings.Replace(good, "author "+ident, "author Ana <ana> 01767225600 +0000", 1), "as git and go-git both read it"},
		{"zone -0000", strings.Replace(good, "committer "+ident, "committer Ana <ana> 1767225600 -0000", 1), "time zone -0000"},
		{"zone +2500", strings.Replace(good, "committer "+ident, "committer Ana <ana> 1767225600 +2500", 1), "time zone +2500"},
		{"zone +0160", strings.Replace(good, "committer "+ident, "committer Ana <ana> 1767225600 +0160", 1), "time zone +0160"},
		{"zone without sign", strings.Replace(good, "committer "+ident, "committer Ana <ana> 1767225600 0100", 1), "as git and go-git both read it"},
		{"zone of 3 digits", strings.Replace(good, "committer "+ident, "committer Ana <ana> 1767225600 +100", 1), "as git and go-git both read it"},
		{"tab in the name", strings.Replace(good, "author "+ident, "author A\tna <ana> 1767225600 +0000", 1), "as git and go-git both read it"},
		{"message not UTF-8", good + "\xff\n", "not valid UTF-8"},
		{"NUL in the message", good + "a\x00b\n", "NUL"},
		{"tree twice", "tree " + tree + "\n" + good, "no author header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "commit")
			if err := os.WriteFile(f, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(testtool.Require(t, "git"), "--git-dir", dir, "hash-object", "-t", "commit", "-w", "--literally", f)
			cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("git hash-object: %v\n%s", err, out)
			}
			c, err := g.ReadCommit(strings.TrimSpace(string(out)))
			if err != nil {
				if tc.want == "" {
					t.Fatal(err)
				}
				return // refused at reading: not accepted either
			}
			switch {
			case tc.want == "" && !c.Canonical:
				t.Errorf("not canonical (%s); want canonical", c.FormProblem)
			case tc.want != "" && c.Canonical:
				t.Errorf("canonical; want refused with %q", tc.want)
			case tc.want != "" && !strings.Contains(c.FormProblem, tc.want):
				t.Errorf("refused with %q; want %q", c.FormProblem, tc.want)
			}
			if p := gitstore.CommitFormProblem([]byte(tc.text)); (p == "") != (tc.want == "") {
				t.Errorf("CommitFormProblem: %q", p)
			}
		})
	}
}
