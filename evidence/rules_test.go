package evidence_test

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/internal/demo"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// The PDF's history is judged by the one rules engine: evidence that
// 'concord verify' refuses, verify-pdf refuses too, for the same reason.
// Each case writes, with the signers' own keys (so every signature
// verifies), an entry concord never writes, then builds a PDF carrying that
// history.
func TestVerifyPDFRefusesWhatVerifyRefuses(t *testing.T) {
	newcomer := func(t *testing.T) ssh.Signer {
		priv, err := signing.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ssh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		forge func(t *testing.T, f *entryForger)
		want  string
	}{
		{"approve twice", func(t *testing.T, f *entryForger) {
			f.decide(t, 2, "demo-tm", f.key(t, "demo-tm"), signing.Approve)
		}, "demo-tm approved almaty-consensus v2 already at entry 21"},
		{"withdraw without approval", func(t *testing.T, f *entryForger) {
			f.decide(t, 1, "demo-tj", f.key(t, "demo-tj"), signing.Withdraw)
		}, "demo-tj withdraws an approval of almaty-consensus v1 they have not given"},
		{"a signer not on the document", func(t *testing.T, f *entryForger) {
			s := newcomer(t)
			f.enrol(t, "newcomer", s)
			f.decide(t, 2, "newcomer", s, signing.Approve)
		}, "newcomer is not a signatory of almaty-consensus"},
		{"a key used before its enrolment", func(t *testing.T, f *entryForger) {
			s := newcomer(t)
			f.decide(t, 2, "newcomer", s, signing.Approve)
			f.enrol(t, "newcomer", s)
		}, "newcomer is not on the roster"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := demoRun(t)
			l, err := ledger.Open(res.Ledger)
			if err != nil {
				t.Fatal(err)
			}
			genuine, err := evidence.Input(l, demo.DocID, 2)
			if err != nil {
				t.Fatal(err)
			}
			f := &entryForger{dir: res.Ledger, keys: res.Keys}
			tc.forge(t, f)

			rep, err := ledger.Verify(res.Ledger, ledger.VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var problems []string
			for _, p := range rep.Problems {
				problems = append(problems, p.String())
			}
			if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Fatalf("verify: problems %q, want one saying %q", problems, tc.want)
			}

			bundle, err := f.bundle(t)
			if err != nil {
				t.Fatal(err)
			}
			for i := range genuine.Evidence {
				if genuine.Evidence[i].Name == evidence.BundleName {
					genuine.Evidence[i].Data = bundle
				}
			}
			refusedByVerifyPDF(t, render(t, genuine), evidence.VerifyPDFOptions{}, tc.want)
		})
	}
}

// demoRun builds the demo ledger with a fixed clock and randomness and
// returns where it is, keys included.
func demoRun(t *testing.T) *demo.Result {
	t.Helper()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	env := ledger.Env{Now: func() time.Time { now = now.Add(time.Minute); return now }, Rand: &pdfDetRand{}}
	res, err := demo.Run(filepath.Join(t.TempDir(), "demo"), env, io.Discard)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	return res
}

// entryForger appends entries to a ledger through gitstore, signed by the
// keys given, without the checks concord makes before it writes.
type entryForger struct {
	dir, keys string
}

func (f *entryForger) key(t *testing.T, id string) ssh.Signer {
	t.Helper()
	s, err := signing.LoadPrivateKey(filepath.Join(f.keys, id), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// decide appends who's decision d on version n, signed with signer.
func (f *entryForger) decide(t *testing.T, n int, who string, signer ssh.Signer, d signing.Decision) {
	t.Helper()
	repo, err := gitstore.Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	chain, err := repo.FirstParentIDs(head)
	if err != nil {
		t.Fatal(err)
	}
	p := len(chain)
	genesis, err := repo.ReadFile(head, rules.GenesisPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := repo.ReadFile(head, rules.VersionFile(demo.DocID, n))
	if err != nil {
		t.Fatal(err)
	}
	var v rules.Version
	if err := rules.DecodeJSON(raw, &v); err != nil {
		t.Fatal(err)
	}
	st := &signing.Statement{Ledger: fmt.Sprintf("%x", sha256Sum(genesis)), Document: demo.DocID, Version: n,
		Texts: rules.TextHashes(&v), Signatory: who, Decision: d, Time: time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)}
	stmt, err := st.Format()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signing.Sign(signer, signing.Namespace, stmt)
	if err != nil {
		t.Fatal(err)
	}
	base := rules.DecisionBase(demo.DocID, n, p, who)
	f.append(t, repo, head, p, who, signer, rules.KindDecision,
		map[string][]byte{base + rules.StatementSuffix: stmt, base + rules.SigSuffix: sig})
}

// enrol adds id with signer's key through concord, approved by both
// genesis stewards.
func (f *entryForger) enrol(t *testing.T, id string, signer ssh.Signer) {
	t.Helper()
	glyphs, err := pdf.NewCoverage()
	if err != nil {
		t.Fatal(err)
	}
	env := ledger.Env{Now: func() time.Time { return time.Date(2026, 6, 3, 9, 0, 0, 0, time.UTC) }, Rand: rand.Reader, Glyphs: glyphs}
	m := &rules.Member{ID: id, Name: "Newcomer", Title: "President", Institution: "New University", Country: "Kazakhstan",
		Key: rules.KeyString(signer.PublicKey())}
	res, err := ledger.ProposeRosterChange(f.dir, env, ledger.RosterChangeOptions{Action: rules.ActionAdd, Member: m,
		As: "xjtu", Signer: f.key(t, "xjtu")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.ApproveRosterChange(f.dir, env, res.Change, "kaznu", f.key(t, "kaznu")); err != nil {
		t.Fatal(err)
	}
}

func (f *entryForger) append(t *testing.T, repo *gitstore.Repo, head string, p int, actor string, signer ssh.Signer, kind string, files map[string][]byte) {
	t.Helper()
	msg := fmt.Sprintf("A forged %s\n\nConcord-Entry: %d\nConcord-Kind: %s\n", kind, p, kind)
	if _, err := repo.Append(gitstore.NewCommit{Parent: head, Files: files, Message: msg, Name: actor, Email: actor,
		When: time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC),
		Sign: func(payload []byte) ([]byte, error) { return signing.Sign(signer, signing.GitNamespace, payload) }}); err != nil {
		t.Fatal(err)
	}
}

func (f *entryForger) bundle(t *testing.T) ([]byte, error) {
	t.Helper()
	repo, err := gitstore.Open(f.dir)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	head, err := repo.Head()
	if err != nil {
		return nil, err
	}
	return repo.Bundle(head)
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
