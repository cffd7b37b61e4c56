package ledger

import (
	"testing"
)

// The JSON files of a ledger are outside input: a reader must never panic,
// and must accept only the one byte form concord writes.
func FuzzDecodeJSON(f *testing.F) {
	s1 := newPerson(f, "s1", true)
	f.Add(encodeJSON(&Genesis{Format: FormatVersion, Title: "T", Created: "2026-01-01T00:00:00Z", Nonce: "00", Founder: "s1", Threshold: 1, Stewards: []Member{s1.Member}}))
	f.Add(encodeJSON(&Document{ID: "pact", Title: "Pact", Signers: []string{"a"}, Rule: Rule{Kind: "all"}}))
	f.Add(encodeJSON(&Version{Document: "pact", Number: 1, Texts: []Text{{Lang: "en", SHA256: "00"}}}))
	f.Add(encodeJSON(&Ratified{Document: "pact", Version: 1, Approvals: []Approval{{Signatory: "a", Entry: 3}}}))
	f.Add(encodeJSON(&RosterChange{Action: ActionAdd, Member: &s1.Member}))
	f.Add([]byte(`{"id": "x", "id": "y"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range []any{&Genesis{}, &Document{}, &Version{}, &Ratified{}, &RosterChange{}} {
			if err := decodeJSON(data, v); err == nil {
				if got := encodeJSON(v); string(got) != string(data) {
					t.Fatalf("accepted %q, which encodes again as %q", data, got)
				}
			}
		}
	})
}

// classify and the rules it leads to never panic, whatever files a commit
// adds.
func FuzzClassify(f *testing.F) {
	f.Add("documents/pact/v1/decisions/00000005-a.statement", []byte("concord statement v1\n"), "documents/pact/v1/decisions/00000005-a.sig", []byte("x"))
	f.Add("documents/pact/document.json", []byte("{}"), "documents/pact/v1/version.json", []byte("{}"))
	f.Add("roster/changes/0123456789abcdef/change.json", []byte("{}"), "roster/changes/0123456789abcdef/approvals/00000005-s1.statement", []byte(""))
	f.Add("genesis.json", []byte("{}"), "x", []byte(""))
	w := newWorld(f).open()
	f.Fuzz(func(t *testing.T, p1 string, d1 []byte, p2 string, d2 []byte) {
		files := map[string][]byte{p1: d1, p2: d2}
		e, err := classify(5, files)
		if err != nil {
			return
		}
		st, err := readRoster(w.repo, w.head, false)
		if err != nil {
			t.Fatal(err)
		}
		e.apply(st)
	})
}
