package cmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// testIO is an IO whose message stream and pager are captured.
func testIO(terminal bool, env map[string]string) (*IO, *bytes.Buffer, *[]string) {
	var errBuf bytes.Buffer
	var paged []string
	s := &IO{Err: &errBuf, InTerminal: terminal, ErrTerminal: terminal,
		Getenv: func(k string) string { return env[k] },
		Pager:  func(b []byte) error { paged = append(paged, string(b)); errBuf.Write(b); return nil }}
	return s, &errBuf, &paged
}

// A co-signer sees a right-to-left override as <U+202E>, with a warning,
// and never the raw character.
func TestShowPlanMakesBidiVisible(t *testing.T) {
	text := "Article 1. The fee is \u202e1000\u202c.\n"
	plan := &ledger.DecisionPlan{Document: "pact", Title: "Pact", Version: 1,
		Texts: []rules.Text{{Lang: "en", SHA256: "ab"}}, Show: map[string][]byte{"en": []byte(text)},
		SignerFingerprint: "SHA256:xyz"}
	s, out, _ := testIO(true, nil)
	if err := showPlan(s, plan, signing.Approve, true); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.ContainsRune(got, 0x202E) || strings.ContainsRune(got, 0x202C) {
		t.Errorf("raw bidi control shown:\n%q", got)
	}
	for _, want := range []string{
		"Article 1. The fee is <U+202E>1000<U+202C>.\n",
		"warning: the text in en holds 2 invisible or bidirectional characters shown as <U+XXXX>",
		"Signing key: SHA256:xyz\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("preview lacks %q:\n%s", want, got)
		}
	}
}

// Every language an amendment added or dropped is named, with the note;
// the texts go through the pager on a terminal; the diff is coloured on a
// terminal only, and never with NO_COLOR.
func TestShowPlanLanguagesNotePagerColour(t *testing.T) {
	plan := &ledger.DecisionPlan{Document: "pact", Title: "Pact", Version: 2, DiffFrom: 1, Compared: 1,
		Note: "drop ru, add kk\x1b[31m", Added: []string{"kk"}, Dropped: []string{"ru"},
		Texts:    []rules.Text{{Lang: "en", SHA256: "aa"}, {Lang: "kk", SHA256: "bb"}},
		Diffs:    map[string]string{"en": "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n"},
		Show:     map[string][]byte{"kk": []byte("Келісім.\n")},
		Ratifies: true, Required: "all 2 signatories", SignerFingerprint: "SHA256:xyz"}
	for _, tc := range []struct {
		name     string
		terminal bool
		env      map[string]string
		colour   bool
	}{
		{"terminal", true, nil, true},
		{"NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, false},
		{"TERM=dumb", true, map[string]string{"TERM": "dumb"}, false},
		{"no terminal", false, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, out, paged := testIO(tc.terminal, tc.env)
			if err := showPlan(s, plan, signing.Approve, true); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			for _, want := range []string{
				"Note of version 2: drop ru, add kk<U+001B>[31m\n",
				"== ru: DROPPED (in version 1, not in version 2)\n",
				"== kk (ADDED: new in version 2, in full)\nКелісім.\n",
				"This approval ratifies pact v2 (rule: all 2 signatories).\n",
				"warning: the note holds 1 invisible or bidirectional character shown as <U+XXXX>",
			} {
				if !strings.Contains(got, want) {
					t.Errorf("preview lacks %q:\n%s", want, got)
				}
			}
			if has := strings.Contains(got, "\x1b["); has != tc.colour {
				t.Errorf("colour escapes present: %v, want %v:\n%q", has, tc.colour, got)
			}
			if (len(*paged) == 1) != tc.terminal {
				t.Errorf("paged %d times on terminal=%v", len(*paged), tc.terminal)
			}
		})
	}
}

// A one-character change in a long line is highlighted where it is.
func TestColourDiffHighlightsTheChangedWords(t *testing.T) {
	long := strings.Repeat("The parties agree to cooperate. ", 8)
	d := "--- a\n+++ b\n@@ -1,2 +1,2 @@\n ctx\n-" + long + "0001 euros.\n+" + long + "1000 euros.\n"
	got := colourDiff(d)
	for _, want := range []string{
		"\x1b[31m-" + long + "\x1b[7m0001\x1b[27m euros.\x1b[0m\n",
		"\x1b[32m+" + long + "\x1b[7m1000\x1b[27m euros.\x1b[0m\n",
		" ctx\n",
		"\x1b[1m--- a\x1b[0m\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("coloured diff lacks %q:\n%q", want, got)
		}
	}
	// Unpaired runs are coloured without highlights.
	got = colourDiff("@@ -1 +1,2 @@\n-a\n+b\n+c\n")
	if strings.Contains(got, "\x1b[7m") {
		t.Errorf("highlight on unpaired lines: %q", got)
	}
}
