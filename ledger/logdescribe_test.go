package ledger

import (
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// TestLogDescribesEntriesFromFiles: log's summary, kind and actor come
// from the files an entry adds; a signer's commit message, whatever it
// says, is only the Message field.
func TestLogDescribesEntriesFromFiles(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	w.sign("pact", "a")
	// b files a withdrawal under a commit message claiming an approval by
	// a of another document (the forger's message says "forged").
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "b", signing.Withdraw, w.people["b"].signer, nil)
	f := w.forger()
	f.body = "Approve other v1 (a): ratified by all\n\n"
	f.commit(f.head(), files, "b", w.people["b"].signer, p, rules.KindWitness)
	// An entry whose files fit no entry at all.
	f.body = ""
	f.commit(f.head(), map[string][]byte{"notes.txt": []byte("hello\n")}, "a", w.people["a"].signer, p+1, rules.KindDecision)

	log, err := w.open().Log()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range log[:p] {
		// Entries concord wrote: the description and the message agree.
		if e.Summary != e.Message || e.Kind == "" {
			t.Errorf("entry %d: summary %q, message %q, kind %q", e.Entry, e.Summary, e.Message, e.Kind)
		}
	}
	forged := log[p]
	if forged.Summary != "Withdraw approval of pact v1 (b)" || forged.Kind != rules.KindDecision || forged.Actor != "b" || forged.Message != "forged" {
		t.Errorf("forged entry described as %+v", forged)
	}
	odd := log[p+1]
	if !strings.HasPrefix(odd.Summary, "not a ledger entry: ") || odd.Kind != "" || odd.Actor != "a" {
		t.Errorf("unclassifiable entry described as %+v", odd)
	}
	subjects, err := w.open().LogSubjects(log)
	if err != nil {
		t.Fatal(err)
	}
	if s := subjects[p]; s.Document != "pact" || s.Version != 1 {
		t.Errorf("subject of the forged entry: %+v", s)
	}
}
