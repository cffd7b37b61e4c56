// Package demo builds the demonstration ledger: the Almaty Consensus
// scenario with illustrative text in Chinese, Kazakh, Russian and English,
// demo keys, an amendment, a withdrawal and re-approval, and ratification.
// A demo ledger says in its genesis entry that it is a demonstration, and
// every view of it says so.
package demo

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/internal/atomicfile"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

//go:embed texts/*.txt
var texts embed.FS

// DocID is the demo agreement's id.
const DocID = "almaty-consensus"

// Langs are the demo's languages, in the order they are given.
var Langs = []string{"zh", "kk", "ru", "en"}

// Members returns the demo roster: the two permanent co-chairs as stewards,
// then four signatories. People's names are placeholders: no real person
// signs a demo.
func Members() []rules.Member {
	m := func(id, name, title, inst, country string, steward bool) rules.Member {
		return rules.Member{ID: id, Name: name, Title: title, Institution: inst, Country: country, Steward: steward}
	}
	return []rules.Member{
		m("xjtu", "Demo President of XJTU", "President (demo)", "Xi'an Jiaotong University", "China", true),
		m("kaznu", "Demo Rector of KazNU", "Rector (demo)", "Al-Farabi Kazakh National University", "Kazakhstan", true),
		m("demo-uz", "Demo Rector A", "Rector (demo)", "Demonstration University of Uzbekistan", "Uzbekistan", false),
		m("demo-kg", "Demo Rector B", "Rector (demo)", "Demonstration University of Kyrgyzstan", "Kyrgyzstan", false),
		m("demo-tj", "Demo Rector C", "Rector (demo)", "Demonstration University of Tajikistan", "Tajikistan", false),
		m("demo-tm", "Demo Rector D", "Rector (demo)", "Demonstration University of Turkmenistan", "Turkmenistan", false),
	}
}

// Text returns the demo text of lang for version 1 or 2 (version 2 adds an
// article on the rotating chairmanship).
func Text(lang string, version int) []byte {
	v1, err := texts.ReadFile("texts/" + lang + ".v1.txt")
	if err != nil {
		panic(err)
	}
	if version == 1 {
		return v1
	}
	add, err := texts.ReadFile("texts/" + lang + ".v2.add.txt")
	if err != nil {
		panic(err)
	}
	return append(v1, add...)
}

// Result says where the demo put things.
type Result struct {
	Ledger   string // the ledger folder
	Keys     string // the demo keys folder
	LedgerID string
	Report   *ledger.Report
	PDF      string // the PDF of the ratified version
}

// Run builds the demo in dir, which must be absent or empty: dir/ledger,
// dir/keys (one unencrypted demo key per member, mode 0600) and
// dir/almaty-consensus.pdf (the ratified version, exported). It writes a
// line per step to out. If env.Glyphs is nil, the PDF's own coverage
// (documents/pdf.NewCoverage) checks what is written.
func Run(dir string, env ledger.Env, out io.Writer) (*Result, error) {
	if env.Glyphs == nil {
		cv, err := pdf.NewCoverage()
		if err != nil {
			return nil, err
		}
		env.Glyphs = cv
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, &NotEmptyError{Dir: dir, File: true}
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, &NotEmptyError{Dir: dir}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	res := &Result{Ledger: filepath.Join(dir, "ledger"), Keys: filepath.Join(dir, "keys")}
	if err := os.MkdirAll(res.Keys, 0o700); err != nil {
		return nil, err
	}
	members := Members()
	signers := map[string]ssh.Signer{}
	for i := range members {
		id := members[i].ID
		path := filepath.Join(res.Keys, id)
		pub, err := signing.CreateKeyFiles(path, env.Rand, signing.PrivateKeyOptions{
			Comment: "DEMO KEY " + id + " (concord demonstration, not for real use)",
		})
		if err != nil {
			return nil, fmt.Errorf("making demo key for %s: %w", id, err)
		}
		members[i].Key = string(trimNL(signing.MarshalPublicKey(pub, "")))
		if signers[id], err = signing.LoadPrivateKey(path, nil); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(out, "made %d demo keys in %s (unencrypted, marked DEMO KEY)\n", len(members), res.Keys)

	l, err := ledger.Init(res.Ledger, env, ledger.InitOptions{Title: "Central Asia–China Higher Education Cooperation Forum (demonstration)",
		Demo: true, Threshold: 2, Stewards: members[:2], Founder: "xjtu", Signer: signers["xjtu"]})
	if err != nil {
		return nil, fmt.Errorf("founding the demo ledger: %w", err)
	}
	res.LedgerID = l.ID()
	fmt.Fprintf(out, "founded demo ledger %s in %s, stewards xjtu and kaznu, threshold 2\n", l.ID(), res.Ledger)

	for i := 2; i < len(members); i++ {
		m := members[i]
		key, _ := signing.ParsePublicKey([]byte(m.Key))
		r, err := ledger.ProposeRosterChange(res.Ledger, env, ledger.RosterChangeOptions{Action: rules.ActionAdd,
			Member: &m, Key: key, Reason: "demo enrolment", As: "xjtu", Signer: signers["xjtu"]})
		if err != nil {
			return nil, fmt.Errorf("enrolling %s: %w", m.ID, err)
		}
		if _, err := ledger.ApproveRosterChange(res.Ledger, env, r.Change, "kaznu", signers["kaznu"]); err != nil {
			return nil, fmt.Errorf("approving %s: %w", m.ID, err)
		}
		fmt.Fprintf(out, "enrolled %s (%s), proposed by xjtu, approved by kaznu\n", m.ID, m.Institution)
	}

	var ids []string
	for _, m := range members {
		ids = append(ids, m.ID)
	}
	version := func(n int) []ledger.TextInput {
		var in []ledger.TextInput
		for _, lang := range Langs {
			in = append(in, ledger.TextInput{Lang: lang, Name: fmt.Sprintf("demo %s v%d", lang, n), Data: Text(lang, n)})
		}
		return in
	}
	if _, err := ledger.Propose(res.Ledger, env, ledger.ProposeOptions{Document: DocID, Title: "Almaty Consensus (illustrative demonstration text)",
		Texts: version(1), Signers: ids, Rule: rules.Rule{Kind: "all"}, As: "xjtu", Signer: signers["xjtu"]}); err != nil {
		return nil, fmt.Errorf("proposing: %w", err)
	}
	fmt.Fprintf(out, "proposed %s v1 in zh, kk, ru, en; rule: all %d signatories\n", DocID, len(ids))

	decide := func(who string, d signing.Decision) error {
		plan, err := ledger.PrepareDecision(res.Ledger, ledger.DecisionOptions{Document: DocID, As: who, Decision: d})
		if err != nil {
			return fmt.Errorf("%s: %w", who, err)
		}
		r, err := plan.Commit(env, signers[who])
		if err != nil {
			return fmt.Errorf("%s: %w", who, err)
		}
		fmt.Fprintf(out, "%s: %s v%d by %s\n", r.Decision, r.Document, r.Version, who)
		if r.Ratified {
			fmt.Fprintf(out, "%s v%d RATIFIED (%s)\n", r.Document, r.Version, r.Required)
		}
		return nil
	}
	for _, who := range []string{"xjtu", "kaznu", "demo-uz"} {
		if err := decide(who, signing.Approve); err != nil {
			return nil, err
		}
	}
	if _, err := ledger.Amend(res.Ledger, env, ledger.AmendOptions{Document: DocID, Texts: version(2),
		Note: "adds Article 4 on the rotating chairmanship", As: "kaznu", Signer: signers["kaznu"]}); err != nil {
		return nil, fmt.Errorf("amending: %w", err)
	}
	fmt.Fprintf(out, "amended %s: v2 adds Article 4 (rotating chairmanship); v1 keeps its 3 approvals\n", DocID)
	steps := []struct {
		who string
		d   signing.Decision
	}{
		{"xjtu", signing.Approve}, {"demo-uz", signing.Approve}, {"demo-uz", signing.Withdraw}, {"kaznu", signing.Approve},
		{"demo-kg", signing.Approve}, {"demo-uz", signing.Approve}, {"demo-tj", signing.Approve}, {"demo-tm", signing.Approve},
	}
	for _, s := range steps {
		if err := decide(s.who, s.d); err != nil {
			return nil, err
		}
	}
	rep, err := ledger.Verify(res.Ledger, ledger.VerifyOptions{})
	if err != nil {
		return nil, err
	}
	res.Report = rep
	if !rep.OK() {
		return res, fmt.Errorf("the demo ledger does not verify: %s", rep.Problems[0])
	}
	ratified := make([]string, len(rep.Ratified))
	for i, r := range rep.Ratified {
		ratified[i] = r.String()
	}
	fmt.Fprintf(out, "verified: %d entries, %d signatures, ratified: %s\n", rep.Entries, rep.Signatures, strings.Join(ratified, ", "))

	// The PDF of the ratified version, with its evidence embedded.
	l, err = ledger.Open(res.Ledger)
	if err != nil {
		return res, err
	}
	data, err := evidence.ExportPDF(l, DocID, 0)
	if err != nil {
		return res, fmt.Errorf("exporting the demo PDF: %w", err)
	}
	res.PDF = filepath.Join(dir, DocID+".pdf")
	if err := atomicfile.Write(res.PDF, data, 0o644); err != nil {
		return res, err // "writing PATH: …"
	}
	fmt.Fprintf(out, "wrote %s: the ratified version 2 with its signature appendix and evidence (check it: concord verify-pdf %s)\n", res.PDF, res.PDF)
	return res, nil
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	return b
}

// NotEmptyError is returned when the demo folder has files in it already,
// or is a file.
type NotEmptyError struct {
	Dir  string
	File bool
}

func (e *NotEmptyError) Error() string {
	if e.File {
		return fmt.Sprintf("%s is a file, not a folder", e.Dir)
	}
	return fmt.Sprintf("%s is not empty", e.Dir)
}

// Hint suggests a fresh folder.
func (e *NotEmptyError) Hint() string {
	return "give a new or empty folder, e.g. concord demo ./concord-demo-2"
}
