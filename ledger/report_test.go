package ledger

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// wantCode fails unless rep has a problem with code, and returns it.
func wantCode(t *testing.T, rep *Report, code string) Problem {
	t.Helper()
	var codes []string
	for _, p := range rep.Problems {
		if p.Code == code {
			return p
		}
		codes = append(codes, p.Code)
	}
	t.Fatalf("no problem has the code %q; codes %q, problems %v", code, codes, rep.Problems)
	return Problem{}
}

// TestReportDocuments: the report says, per document and version, who
// decided what with which key at which entry, and the verdict, from the
// audit's own replay.
func TestReportDocuments(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	w.propose("mou", []string{"a", "b", "c"}, "quorum:2", "en", "MoU.\n")
	w.sign("pact", "a")
	if _, err := w.decide("pact", 0, "a", signing.Withdraw); err != nil {
		t.Fatal(err)
	}
	w.sign("mou", "c")
	w.sign("pact", "a")
	w.sign("pact", "b")
	rep := w.mustVerify()

	if len(rep.Documents) != 2 || rep.Documents[0].Document != "mou" || rep.Documents[1].Document != "pact" {
		t.Fatalf("documents %+v, want mou and pact in id order", rep.Documents)
	}
	mou, pact := rep.Documents[0], rep.Documents[1]
	if mou.Rule != "quorum:2" || mou.RuleText != "quorum: 2 of 3 signatories" || !slices.Equal(mou.Signers, []string{"a", "b", "c"}) {
		t.Errorf("mou's rule %q (%q), signers %v", mou.Rule, mou.RuleText, mou.Signers)
	}
	if v := mou.Versions[0]; v.State() != "open" || v.Ratified != 0 || v.Approvals != 1 || v.Required != 2 || len(v.Decisions) != 1 {
		t.Errorf("mou v1: %+v", v)
	}
	v := pact.Versions[0]
	if v.State() != "ratified" || v.Approvals != 2 || v.Required != 2 || v.Superseded != 0 {
		t.Errorf("pact v1: %+v", v)
	}
	want := []struct{ who, decision string }{{"a", "approve"}, {"a", "withdraw"}, {"a", "approve"}, {"b", "approve"}}
	if len(v.Decisions) != len(want) {
		t.Fatalf("pact v1 decisions %+v", v.Decisions)
	}
	last := 0
	for i, d := range v.Decisions {
		fp := signing.Fingerprint(w.people[d.Signatory].signer.PublicKey())
		if d.Signatory != want[i].who || d.Decision != want[i].decision || d.Key != fp || d.Name != "Name of "+d.Signatory || d.Late {
			t.Errorf("decision %d: %+v, want %s %s with %s", i, d, want[i].who, want[i].decision, fp)
		}
		if d.Entry <= last || d.Time == "" {
			t.Errorf("decision %d at entry %d after %d, time %q", i, d.Entry, last, d.Time)
		}
		last = d.Entry
	}
	if v.Ratified != v.Decisions[3].Entry {
		t.Errorf("ratified at %d, b's approval is at %d", v.Ratified, v.Decisions[3].Entry)
	}
	if len(rep.Ratified) != 1 || rep.Ratified[0] != (RatifiedVersion{Document: "pact", Version: 1, Entry: v.Ratified}) {
		t.Errorf("ratified %+v", rep.Ratified)
	}
	if rep.Since != nil || len(rep.Checkpoints) != 0 || rep.Notes == nil {
		t.Errorf("since %+v, checkpoints %+v, notes %v without them asked", rep.Since, rep.Checkpoints, rep.Notes)
	}
}

// TestReportSinceAndCheckpoints: --since and each checkpoint are reported
// found and held, with the position and the signers.
func TestReportSinceAndCheckpoints(t *testing.T) {
	w := newWorld(t)
	kept := w.open().Head()
	keptAt := w.entries() - 1
	cp := w.checkpoint("a")
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	rep := w.verify(VerifyOptions{Since: kept, Checkpoints: cpFiles(cp)})
	if !rep.OK() {
		t.Fatalf("problems %v", rep.Problems)
	}
	if rep.Since == nil || !rep.Since.Found || rep.Since.Entry != keptAt || rep.Since.Head != kept {
		t.Errorf("since %+v, want %s found at %d", rep.Since, kept, keptAt)
	}
	if len(rep.Checkpoints) != 1 {
		t.Fatalf("checkpoints %+v", rep.Checkpoints)
	}
	c := rep.Checkpoints[0]
	if !c.Held || c.Head != kept || c.Entry != keptAt || c.File != "cp1" || len(c.Signers) != 1 || c.Signers[0] != (CheckpointSigner{ID: "a", Name: "Name of a"}) {
		t.Errorf("checkpoint %+v", c)
	}

	other := strings.Repeat("0", 40)
	rep = w.verify(VerifyOptions{Since: other})
	if rep.Since == nil || rep.Since.Found || rep.Since.Entry != -1 {
		t.Errorf("since %+v for a head not in the history", rep.Since)
	}
	wantCode(t, rep, CodeHistoryRewritten)

	rep = w.verify(VerifyOptions{Checkpoints: []CheckpointFile{{Name: "junk", Data: []byte("not a note\n")}}})
	wantCode(t, rep, CodeCheckpointInvalid)
	if len(rep.Checkpoints) != 0 {
		t.Errorf("a checkpoint that does not open is reported as %+v", rep.Checkpoints)
	}
	rep = w.verify(VerifyOptions{LedgerID: strings.Repeat("1", 64)})
	if p := wantCode(t, rep, CodeLedgerNotPinned); p.Entry != -1 {
		t.Errorf("pin problem at entry %d", p.Entry)
	}
}

// TestReportCodes: tampering with stock tools' means gives the problems
// their codes.
func TestReportCodes(t *testing.T) {
	t.Run("unsigned", func(t *testing.T) {
		w := newWorld(t)
		w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
		p := w.entries()
		f := w.forger()
		f.commit(f.head(), w.decisionFiles("pact", 1, p, "a", signing.Approve, w.people["a"].signer, nil), "a", nil, p, rules.KindDecision)
		if pr := wantCode(t, w.verify(VerifyOptions{}), rules.CodeCommitUnsigned); pr.Entry != p || pr.Commit == "" {
			t.Errorf("problem %+v, want at entry %d with its commit", pr, p)
		}
	})
	t.Run("bad statement signature", func(t *testing.T) {
		w := newWorld(t)
		w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
		p := w.entries()
		files := w.decisionFiles("pact", 1, p, "a", signing.Approve, w.people["a"].signer, nil)
		other := w.decisionFiles("pact", 1, p, "a", signing.Withdraw, w.people["a"].signer, nil)
		for name := range files {
			if strings.HasSuffix(name, rules.SigSuffix) {
				files[name] = other[name] // a signature of another statement
			}
		}
		f := w.forger()
		f.commit(f.head(), files, "a", w.people["a"].signer, p, rules.KindDecision)
		if pr := wantCode(t, w.verify(VerifyOptions{}), CodeSignatureInvalid); pr.Path == "" || pr.Entry != p {
			t.Errorf("problem %+v, want the signature file at entry %d", pr, p)
		}
	})
	t.Run("modified file", func(t *testing.T) {
		w := newWorld(t)
		w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
		f := w.forger()
		var path string
		for name := range f.files(f.head()) {
			if strings.HasSuffix(name, "/title") || strings.HasSuffix(name, "document.json") {
				path = name
			}
		}
		if path == "" {
			t.Fatal("no document file")
		}
		f.commit(f.head(), map[string][]byte{path: []byte("{}\n")}, "s1", w.people["s1"].signer, w.entries(), rules.KindDecision)
		wantCode(t, w.verify(VerifyOptions{}), CodeNotAppendOnly)
	})
}

// TestProblemCodesDocumented: every code is in docs/JSON.md and in the
// schema of verify's output.
func TestProblemCodesDocumented(t *testing.T) {
	root := testtool.RepoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "JSON.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range ProblemCodes() {
		if seen[c] {
			t.Errorf("code %q listed twice", c)
		}
		seen[c] = true
		if !strings.Contains(string(doc), "`"+c+"`") {
			t.Errorf("docs/JSON.md does not document the problem code %q", c)
		}
	}
}
