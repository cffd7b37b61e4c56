package pdf

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/internal/testtool"
)

// The fixture is shaped like the demo ledger (internal/demo): the Almaty
// Consensus, version 2, in zh, kk, ru and en, six signatories, one
// withdrawal and re-approval, ratified by all six. It is built here rather
// than from the demo package, which depends on the ledger, so that this
// package's tests never depend on the ledger. Keys come from fixed seeds
// and ed25519 signatures are deterministic, so the fixture never changes.

var demoLangs = []string{"zh", "kk", "ru", "en"}

// demoText returns the demo text of lang, version 2, from
// internal/demo/texts.
func demoText(t testing.TB, lang string) []byte {
	t.Helper()
	dir := filepath.Join(testtool.RepoRoot(t), "internal", "demo", "texts")
	v1, err := os.ReadFile(filepath.Join(dir, lang+".v1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	add, err := os.ReadFile(filepath.Join(dir, lang+".v2.add.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return append(v1, add...)
}

type fixtureMember struct{ id, name, title, inst, country string }

var fixtureMembers = []fixtureMember{
	{"xjtu", "Demo President of XJTU", "President (demo)", "Xi'an Jiaotong University", "China"},
	{"kaznu", "Demo Rector of KazNU", "Rector (demo)", "Al-Farabi Kazakh National University", "Kazakhstan"},
	{"demo-uz", "Demo Rector A", "Rector (demo)", "Demonstration University of Uzbekistan", "Uzbekistan"},
	{"demo-kg", "Demo Rector B", "Rector (demo)", "Demonstration University of Kyrgyzstan", "Kyrgyzstan"},
	{"demo-tj", "Demo Rector C", "Rector (demo)", "Demonstration University of Tajikistan", "Tajikistan"},
	{"demo-tm", "Demo Rector D", "Rector (demo)", "Demonstration University of Turkmenistan", "Turkmenistan"},
}

func fakeCommit(entry int) string {
	h := sha1.Sum([]byte(fmt.Sprintf("commit %d", entry)))
	return hex.EncodeToString(h[:])
}

var fixtureStart = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func entryTime(entry int) time.Time { return fixtureStart.Add(time.Duration(entry) * 7 * time.Minute) }

// demoInput returns the fixture Input. Every call returns an equal Input.
func demoInput(t testing.TB) *Input {
	t.Helper()
	lsum := sha256.Sum256([]byte("fixture genesis"))
	in := &Input{
		LedgerTitle: "Central Asia–China Higher Education Cooperation Forum (demonstration)",
		Title:       "Almaty Consensus (illustrative demonstration text)",
		Document:    "almaty-consensus",
		Version:     2,
		Ledger:      hex.EncodeToString(lsum[:]),
		Head:        fakeCommit(21),
		Date:        entryTime(21),
		Demo:        true,
		Status:      Status{Ratified: true, RatifiedEntry: 21, RatifiedTime: entryTime(21), Rule: "all 6 signatories", Approvals: 6, Required: 6},
		Namespace:   "concord",
		Producer:    "concord",
	}
	for _, lang := range demoLangs {
		data := demoText(t, lang)
		sum := sha256.Sum256(data)
		in.Texts = append(in.Texts, Text{Lang: lang, Data: data, SHA256: hex.EncodeToString(sum[:])})
		in.Evidence = append(in.Evidence, File{Name: "text-" + lang + ".txt", Data: data, Description: "canonical text " + lang})
	}
	// Entry of each signatory's latest decision on v2, as in the demo.
	entries := map[string]int{"xjtu": 14, "kaznu": 17, "demo-kg": 18, "demo-uz": 19, "demo-tj": 20, "demo-tm": 21}
	var allowed bytes.Buffer
	for i, m := range fixtureMembers {
		priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32))
		signer, err := ssh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		e := entries[m.id]
		stmt := statementFor(in, m.id, "approve", entryTime(e))
		sig, err := sshsig.Sign(bytes.NewReader(stmt), signer, sshsig.HashSHA512, "concord")
		if err != nil {
			t.Fatal(err)
		}
		armored := sshsig.Armor(sig)
		in.Signatories = append(in.Signatories, Signatory{ID: m.id, Name: m.name, Title: m.title, Institution: m.inst, Country: m.country,
			Fingerprint: ssh.FingerprintSHA256(signer.PublicKey()), Decision: Approved, Entry: e, Time: entryTime(e),
			Commit: fakeCommit(e), Signature: armored})
		base := fmt.Sprintf("decision-%08d-%s", e, m.id)
		in.Evidence = append(in.Evidence,
			File{Name: base + ".statement", Data: stmt},
			File{Name: base + ".sig", Data: armored})
		fmt.Fprintf(&allowed, "%s namespaces=\"concord\" %s", m.id, ssh.MarshalAuthorizedKey(signer.PublicKey()))
	}
	in.Evidence = append(in.Evidence, File{Name: "allowed_signers", Data: allowed.Bytes()},
		File{Name: "manifest.json", Data: []byte(`{"document":"almaty-consensus","version":2}` + "\n")})
	in.Timeline = []Event{
		{Entry: 13, What: "version 2 proposed by kaznu (adds Article 4 on the rotating chairmanship)"},
		{Entry: 14, What: "approved by xjtu"},
		{Entry: 15, What: "approved by demo-uz"},
		{Entry: 16, What: "approval withdrawn by demo-uz"},
		{Entry: 17, What: "approved by kaznu"},
		{Entry: 18, What: "approved by demo-kg"},
		{Entry: 19, What: "approved by demo-uz"},
		{Entry: 20, What: "approved by demo-tj"},
		{Entry: 21, What: "approved by demo-tm; ratified (all 6 signatories)"},
	}
	for i := range in.Timeline {
		in.Timeline[i].Time = entryTime(in.Timeline[i].Entry)
		in.Timeline[i].Commit = fakeCommit(in.Timeline[i].Entry)
	}
	return in
}

// statementFor is a statement shaped like concord's.
func statementFor(in *Input, who, decision string, at time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "concord decision statement v1\nledger %s\ndocument %s\nversion %d\n", in.Ledger, in.Document, in.Version)
	for _, t := range in.Texts {
		fmt.Fprintf(&b, "text %s %s\n", t.Lang, t.SHA256)
	}
	fmt.Fprintf(&b, "signatory %s\ndecision %s\ntime %s\n", who, decision, at.UTC().Format(time.RFC3339))
	return []byte(b.String())
}
