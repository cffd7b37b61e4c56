package ledger

import (
	"errors"
	"reflect"
	"testing"

	"github.com/concord-ledger/concord/ledger/rules"
)

// TestRefusalsCarryFacts checks that the refusals a caller words itself
// (cmd names its flags and commands in their hints) say which refusal they
// are and carry the facts that wording needs.
func TestRefusalsCarryFacts(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "One.\n", "ru", "Один.\n")
	en2 := TextInput{Lang: "en", Name: "en", Data: []byte("Two.\n")}
	ru2 := TextInput{Lang: "ru", Name: "ru", Data: []byte("Два.\n")}
	amend := func(drop []string, texts ...TextInput) error {
		_, err := Amend(w.dir, w.env, AmendOptions{Document: "pact", Texts: texts, Drop: drop, As: "a", Signer: w.people["a"].signer})
		return err
	}
	propose := func(doc, as string, signers []string, texts ...TextInput) error {
		_, err := Propose(w.dir, w.env, ProposeOptions{Document: doc, Title: "T", Texts: texts, Signers: signers,
			Rule: rules.Rule{Kind: "all"}, As: as, Signer: w.people["s1"].signer})
		return err
	}
	status := func(id string) error { _, err := w.open().Status(id); return err }
	for _, c := range []struct {
		name string
		err  error
		want RefusedError
	}{
		{"text left out", amend(nil, en2), RefusedError{Reason: RefusedTextLeftOut, Document: "pact", Version: 1, Lang: "ru"}},
		{"dropped and given", amend([]string{"ru"}, en2, ru2), RefusedError{Reason: RefusedDropGiven, Document: "pact", Version: 1, Lang: "ru"}},
		{"dropping what is not there", amend([]string{"kk"}, en2, ru2), RefusedError{Reason: RefusedDropAbsent, Document: "pact", Version: 1, Lang: "kk"}},
		{"no text", propose("other", "s1", []string{"a"}), RefusedError{Reason: RefusedNoText}},
		{"document exists", propose("pact", "s1", []string{"a"}, en2), RefusedError{Reason: RefusedDocumentExists, Document: "pact"}},
		{"wrong key", propose("other", "s2", []string{"a"}, en2), RefusedError{Reason: RefusedWrongKey, Actor: "s2"}},
		{"no such document", status("nope"), RefusedError{Reason: RefusedNoSuchDocument, Document: "nope"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var re *RefusedError
			if !errors.As(c.err, &re) {
				t.Fatalf("err = %v, want a *RefusedError", c.err)
			}
			got := RefusedError{Reason: re.Reason, Actor: re.Actor, Document: re.Document, Version: re.Version, Lang: re.Lang, Actors: re.Actors}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("refusal %q carries %+v, want %+v", re.Msg, got, c.want)
			}
			if re.Hint() != "" {
				t.Errorf("hint %q: the caller words the next step of this refusal", re.Hint())
			}
		})
	}
}
