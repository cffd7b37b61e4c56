package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

func (w *world) checkpoint(as string) []byte {
	w.t.Helper()
	msg, c, err := MakeCheckpoint(w.dir, CheckpointOptions{As: as, Signer: w.people[as].signer})
	if err != nil {
		w.t.Fatalf("checkpoint: %v", err)
	}
	l := w.open()
	if c.Head != l.Head() || c.Entries != l.Entries() || c.Ledger != l.ID() {
		w.t.Fatalf("checkpoint %+v does not describe the head %s (%d entries)", c, l.Head(), l.Entries())
	}
	return msg
}

func cpFiles(msgs ...[]byte) []CheckpointFile {
	var out []CheckpointFile
	for i, m := range msgs {
		out = append(out, CheckpointFile{Name: "cp" + string(rune('1'+i)), Data: m})
	}
	return out
}

func TestCheckpointText(t *testing.T) {
	c := &rules.Checkpoint{Ledger: strings.Repeat("ab", 32), Entries: 12, Head: strings.Repeat("cd", 20)}
	want := "concord checkpoint v1\nledger " + c.Ledger + "\nentries 12\nhead " + c.Head + "\n"
	if c.Text() != want {
		t.Fatalf("Text() = %q, want %q", c.Text(), want)
	}
	got, err := rules.ParseCheckpointText(want)
	if err != nil || got.Text() != want {
		t.Fatalf("parse: %+v, %v", got, err)
	}
	for _, bad := range []string{
		"",
		strings.Replace(want, "v1", "v2", 1),
		strings.Replace(want, "entries 12", "entries 012", 1),
		strings.Replace(want, "entries 12", "entries 0", 1),
		strings.Replace(want, "\n", "\r\n", 1),
		want + "extra\n",
		strings.TrimSuffix(want, "\n"),
		strings.Replace(want, c.Head, strings.ToUpper(c.Head), 1),
	} {
		if _, err := rules.ParseCheckpointText(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzCheckpointText(f *testing.F) {
	f.Add((&rules.Checkpoint{Ledger: strings.Repeat("ab", 32), Entries: 3, Head: strings.Repeat("cd", 20)}).Text())
	f.Add("concord checkpoint v1\n")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := rules.ParseCheckpointText(s)
		if err == nil && c.Text() != s {
			t.Fatalf("%q parsed, but re-encodes as %q", s, c.Text())
		}
	})
}

func TestCheckpointVerifies(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	cp1 := w.checkpoint("s1")
	w.sign("pact", "a")
	cp2 := w.checkpoint("a")
	w.sign("pact", "b")
	rep := w.verify(VerifyOptions{Checkpoints: cpFiles(cp1, cp2)})
	if !rep.OK() {
		t.Fatalf("problems: %v", rep.Problems)
	}
}

func TestCheckpointRefusals(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	good := w.checkpoint("s1")
	l := w.open()
	foreign, err := signCheckpoint(&rules.Checkpoint{Ledger: strings.Repeat("e", 64), Entries: l.Entries(), Head: l.Head()}, "s1", w.people["s1"].signer)
	if err != nil {
		t.Fatal(err)
	}
	mallory := newPerson(t, "mallory", false)
	byMallory, err := signCheckpoint(&rules.Checkpoint{Ledger: l.ID(), Entries: l.Entries(), Head: l.Head()}, "s1", mallory.signer)
	if err != nil {
		t.Fatal(err)
	}
	foreignByMallory, err := signCheckpoint(&rules.Checkpoint{Ledger: strings.Repeat("e", 64), Entries: l.Entries(), Head: l.Head()}, "s1", mallory.signer)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cp   []byte
		want string
	}{
		{"tampered text", []byte(strings.Replace(string(good), "entries ", "entries 1", 1)), "checkpoint cp1: a signature on it does not verify: it was changed after it was signed (invalid signature for key s1+"},
		{"other ledger", foreign, "checkpoint cp1 is of ledger eeeeeeee"},
		{"unknown key", byMallory, "signed by no key on this ledger's roster (s1 "},
		{"not a note", []byte("hello\n"), "checkpoint cp1: not a signed note as concord writes checkpoints: malformed note"},
		{"another ledger's, by its own key", foreignByMallory, "checkpoint cp1: it is a checkpoint of ledger eeeeeeee"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, w.verify(VerifyOptions{Checkpoints: cpFiles(tc.cp)}), tc.want)
		})
	}
}

func TestCheckpointRequiresVerifiedLedgerAndEnrolledKey(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	mallory := newPerson(t, "mallory", false)
	if _, _, err := MakeCheckpoint(w.dir, CheckpointOptions{As: "a", Signer: mallory.signer}); err == nil || !strings.Contains(err.Error(), "not a's enrolled key") {
		t.Fatalf("wrong key: %v", err)
	}
	f := w.forger()
	f.commit(f.head(), map[string][]byte{rules.TextFile("pact", 1, "en"): []byte("Changed.\n")}, "s1", w.people["s1"].signer, w.entries(), rules.KindAmend)
	_, _, err := MakeCheckpoint(w.dir, CheckpointOptions{As: "a", Signer: w.people["a"].signer})
	var ue *UnverifiedError
	if !errors.As(err, &ue) || !ue.InvalidEvidence() {
		t.Fatalf("checkpoint of a tampered ledger: %v", err)
	}
}

// TestCheckpointRewriteAndSplitView rolls the ledger back and grows it
// again differently: a checkpoint of the first line is reported as
// rewritten history, and the two checkpoints as a split view.
func TestCheckpointRewriteAndSplitView(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	base := w.open().Head()
	w.sign("pact", "a")
	cpA := w.checkpoint("s1")
	headA := w.open().Head()
	f := w.forger()
	f.setHead(plumbing.NewHash(base)) // roll back
	rep := w.verify(VerifyOptions{Checkpoints: cpFiles(cpA)})
	wantProblem(t, rep, "history rewritten or rolled back: checkpoint cp1 (signed by s1) names head "+headA+" at entry")
	w.sign("pact", "b")
	cpB := w.checkpoint("s2")
	rep = w.verify(VerifyOptions{Checkpoints: cpFiles(cpA, cpB)})
	wantProblem(t, rep, "history rewritten or rolled back: checkpoint cp1", "split view: checkpoints cp1 (head "+headA)
	wantCode(t, rep, CodeSplitView)
	wantCode(t, rep, CodeHistoryRewritten)
	// An older checkpoint on the same line is no split view.
	rep = w.verify(VerifyOptions{Checkpoints: cpFiles(cpB, w.checkpoint("a"))})
	if !rep.OK() {
		t.Fatalf("problems: %v", rep.Problems)
	}
}

func TestWitness(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	before := w.open()
	res, err := Witness(w.dir, w.env, "b", w.people["b"].signer)
	if err != nil {
		t.Fatalf("witness: %v", err)
	}
	if res.Entry != before.Entries() || res.Checkpoint.Head != before.Head() || res.Checkpoint.Entries != before.Entries() {
		t.Fatalf("witness result %+v, ledger before had %d entries, head %s", res, before.Entries(), before.Head())
	}
	w.sign("pact", "a")
	w.mustVerify()
	data, err := w.open().repo.ReadFile(w.open().Head(), rules.WitnessFile(res.Entry, "b"))
	if err != nil {
		t.Fatal(err)
	}
	// The witness note is a checkpoint verify accepts.
	if rep := w.verify(VerifyOptions{Checkpoints: cpFiles(data)}); !rep.OK() {
		t.Fatalf("problems: %v", rep.Problems)
	}
}

func TestWitnessForged(t *testing.T) {
	mallory := newPerson(t, "mallory", false)
	for _, tc := range []struct {
		name string
		cp   func(l *Ledger) *rules.Checkpoint
		key  func(w *world) *person
		want string
	}{
		{"names an older head", func(l *Ledger) *rules.Checkpoint {
			c, _ := l.repo.ReadCommit(l.Head())
			return &rules.Checkpoint{Ledger: l.ID(), Entries: l.Entries() - 1, Head: c.Parents[0]}
		}, nil, "witness note names head"},
		{"wrong entry count", func(l *Ledger) *rules.Checkpoint {
			return &rules.Checkpoint{Ledger: l.ID(), Entries: l.Entries() + 1, Head: l.Head()}
		}, nil, "witness note names head"},
		{"other ledger", func(l *Ledger) *rules.Checkpoint {
			return &rules.Checkpoint{Ledger: strings.Repeat("0", 64), Entries: l.Entries(), Head: l.Head()}
		}, nil, "witness note is of ledger 0000"},
		{"signed by another key", nil, func(w *world) *person { return mallory }, "witness note is not signed by b's key valid at entry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
			l := w.open()
			c := &rules.Checkpoint{Ledger: l.ID(), Entries: l.Entries(), Head: l.Head()}
			if tc.cp != nil {
				c = tc.cp(l)
			}
			signer := w.people["b"]
			if tc.key != nil {
				signer = tc.key(w)
			}
			msg, err := signCheckpoint(c, "b", signer.signer)
			if err != nil {
				t.Fatal(err)
			}
			p := l.Entries()
			f := w.forger()
			f.commit(f.head(), map[string][]byte{rules.WitnessFile(p, "b"): msg}, "b", w.people["b"].signer, p, rules.KindWitness)
			wantProblem(t, w.verify(VerifyOptions{}), rules.WitnessFile(p, "b")+": "+tc.want)
		})
	}
}

// TestLateDecision: a decision on a version ratified meanwhile (it can
// arrive from another copy of the ledger) is recorded and counts for
// nothing; one that records a second ratification is refused.
func TestLateDecision(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b", "c"}, "quorum:2", "en", "Pact.\n")
	w.sign("pact", "a")
	if res := w.sign("pact", "b"); !res.Ratified {
		t.Fatal("not ratified by the quorum")
	}
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "c", signing.Approve, w.people["c"].signer, nil)
	f := w.forger()
	late := f.commit(f.head(), files, "c", w.people["c"].signer, p, rules.KindDecision)
	rep := w.mustVerify()
	if len(rep.Ratified) != 1 {
		t.Fatalf("ratified %v", rep.Ratified)
	}
	st, err := w.open().Status("pact")
	if err != nil {
		t.Fatal(err)
	}
	if st.Versions[0].Approvals != 2 {
		t.Fatalf("a late approval counted: %d approvals", st.Versions[0].Approvals)
	}
	// Still: no approval twice.
	files = w.decisionFiles("pact", 1, p+1, "c", signing.Approve, w.people["c"].signer, nil)
	f.commit(late, files, "c", w.people["c"].signer, p+1, rules.KindDecision)
	wantProblem(t, w.verify(VerifyOptions{}), "c approved pact v1 already at entry")
}
