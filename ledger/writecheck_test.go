package ledger

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger/rules"
)

// headOf returns the ledger's head commit.
func headOf(t *testing.T, dir string) string {
	t.Helper()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Head()
}

// TestWriteChecksRefuseAndWriteNothing: every field and text that a later
// view could not show is refused at write time, with a typed error, and
// the head does not move.
func TestWriteChecksRefuseAndWriteNothing(t *testing.T) {
	w := newWorld(t)
	s1 := w.people["s1"]
	// The cases run on a ledger with one document (for amend), proposed below.
	en := []TextInput{{Lang: "en", Name: "en.txt", Data: []byte("Text.\n")}}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"escape in a note", func() error {
			_, err := Propose(w.dir, w.env, ProposeOptions{Document: "d", Title: "T", Texts: en, Signers: []string{"a"}, Rule: rules.Rule{Kind: "all"}, Note: "a\x1b[2J", As: "s1", Signer: s1.signer})
			return err
		}, "note, column 2: control character U+001B (ESCAPE)"},
		{"unassigned in a title", func() error {
			_, err := Propose(w.dir, w.env, ProposeOptions{Document: "d", Title: "T\uFFFF", Texts: en, Signers: []string{"a"}, Rule: rules.Rule{Kind: "all"}, As: "s1", Signer: s1.signer})
			return err
		}, "title, column 2: unassigned code point U+FFFF"},
		{"beyond the glyphs in a text", func() error {
			_, err := Propose(w.dir, w.env, ProposeOptions{Document: "d", Title: "T", Texts: []TextInput{{Lang: "zh", Name: "zh.txt", Data: []byte("一\n二\U00020000\n")}}, Signers: []string{"a"}, Rule: rules.Rule{Kind: "all"}, As: "s1", Signer: s1.signer})
			return err
		}, "text zh.txt (zh): line 2, column 2: '\U00020000' U+20000: no font embedded in concord's PDFs can draw it"},
		{"Arabic script in an amendment", func() error {
			_, err := Amend(w.dir, w.env, AmendOptions{Document: "pact", Texts: []TextInput{{Lang: "kk", Name: "kk.txt", Data: []byte("قازاق\n")}, {Lang: "en", Name: "en.txt", Data: []byte("x\n")}}, As: "s1", Signer: s1.signer})
			return err
		}, "Arabic script cannot be typeset"},
		{"line separator in a roster name", func() error {
			m := newPerson(t, "d", false).Member
			m.Name = "A\u2028B"
			_, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionAdd, Member: &m, As: "s1", Signer: s1.signer})
			return err
		}, "member d: name, column 2: Unicode line break other than LF U+2028 (LINE SEPARATOR)"},
		{"control in a reason", func() error {
			_, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRevoke, ID: "c", Reason: "x\ty", As: "s1", Signer: s1.signer})
			return err
		}, "reason, column 2: control character U+0009 (CHARACTER TABULATION)"},
		{"country code for a language", func() error {
			_, err := Propose(w.dir, w.env, ProposeOptions{Document: "d", Title: "T", Texts: []TextInput{{Lang: "kz", Name: "kz.txt", Data: []byte("x\n")}}, Signers: []string{"a"}, Rule: rules.Rule{Kind: "all"}, As: "s1", Signer: s1.signer})
			return err
		}, `language tag "kz": not a known language`},
	}
	w.propose("pact", []string{"a"}, "all", "en", "Pact.\n")
	before := headOf(t, w.dir)
	for _, c := range cases {
		err := c.run()
		if err == nil || !contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
		if h := headOf(t, w.dir); h != before {
			t.Fatalf("%s: the head moved from %s to %s", c.name, before, h)
		}
	}
	// kz gets a suggestion
	_, err := documents.ParseLang("kz")
	var le *documents.LangError
	if !errors.As(err, &le) || le.Suggest != "kk" {
		t.Errorf("ParseLang(kz) = %v, want a suggestion of kk", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestWritesFailClosedWithoutGlyphs: with no coverage to check against, a
// write that holds text is refused rather than risk an unexportable entry;
// a decision, which holds none, still goes through.
func TestWritesFailClosedWithoutGlyphs(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	env := w.env
	env.Glyphs = nil
	s1 := w.people["s1"]
	_, err := Propose(w.dir, env, ProposeOptions{Document: "d", Title: "T", Texts: []TextInput{{Lang: "en", Name: "en", Data: []byte("x\n")}}, Signers: []string{"a"}, Rule: rules.Rule{Kind: "all"}, As: "s1", Signer: s1.signer})
	if !errors.Is(err, errNoGlyphs) {
		t.Errorf("Propose with no glyphs: %v, want errNoGlyphs", err)
	}
	if _, err := Init(t.TempDir()+"/x", env, InitOptions{Title: "T", Threshold: 1, Stewards: []rules.Member{s1.Member}, Founder: "s1", Signer: s1.signer}); !errors.Is(err, errNoGlyphs) {
		t.Errorf("Init with no glyphs: %v, want errNoGlyphs", err)
	}
	w.env = env
	w.sign("pact", "a") // no text written: no glyphs needed
}

// TestOldEntriesStayValid: an entry written before the write-time checks
// existed (here: a note with a terminal escape, a title with U+FFFF,
// which the read rules never refused) still verifies. Promise 8: what the
// ledger accepted stays usable.
func TestOldEntriesStayValid(t *testing.T) {
	w := newWorld(t)
	l, err := Open(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	err = withLockFrom(w.dir, w.env, l, func(l *Ledger) error {
		p := l.entry + 1
		d := &rules.Document{Ledger: l.ID(), ID: "old", Title: "Old\uFFFF", Signers: []string{"a"}, Rule: rules.Rule{Kind: "all"}, Proposer: "s1", Entry: p}
		c, err := documents.Canonicalize([]byte("Old text.\n"), documents.Options{})
		if err != nil {
			return err
		}
		v := &rules.Version{Ledger: l.ID(), Document: "old", Number: 1, Texts: []rules.Text{{Lang: "en", SHA256: c.HashHex()}}, Author: "s1", Note: "a\x1b[2J", Entry: p}
		files := versionFiles(v, map[string][]byte{"en": c.Bytes})
		files[rules.DocFile(d.ID)] = rules.EncodeJSON(d)
		if err := l.verifyEntry(files, "s1"); err != nil {
			return err
		}
		_, err = l.appendEntry("s1", w.people["s1"].signer, rules.KindPropose, fmt.Sprintf("Propose %s", d.ID), files, w.env.Now())
		return err
	})
	if err != nil {
		t.Fatalf("writing an entry as an older release would: %v", err)
	}
	w.mustVerify()
}
