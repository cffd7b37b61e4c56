package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/ledger/statecache"
)

// The JSON files of a ledger are outside input: a reader must never panic,
// and must accept only the one byte form concord writes.
func FuzzDecodeJSON(f *testing.F) {
	s1 := newPerson(f, "s1", true)
	f.Add(rules.EncodeJSON(&rules.Genesis{Format: rules.FormatVersion, Title: "T", Created: "2026-01-01T00:00:00Z", Nonce: "00", Founder: "s1", Threshold: 1, Stewards: []rules.Member{s1.Member}}))
	f.Add(rules.EncodeJSON(&rules.Document{ID: "pact", Title: "Pact", Signers: []string{"a"}, Rule: rules.Rule{Kind: "all"}}))
	f.Add(rules.EncodeJSON(&rules.Version{Document: "pact", Number: 1, Texts: []rules.Text{{Lang: "en", SHA256: "00"}}}))
	f.Add(rules.EncodeJSON(&rules.Ratified{Document: "pact", Version: 1, Approvals: []rules.Approval{{Signatory: "a", Entry: 3}}}))
	f.Add(rules.EncodeJSON(&rules.RosterChange{Action: rules.ActionAdd, Member: &s1.Member}))
	f.Add([]byte(`{"id": "x", "id": "y"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range []any{&rules.Genesis{}, &rules.Document{}, &rules.Version{}, &rules.Ratified{}, &rules.RosterChange{}} {
			if err := rules.DecodeJSON(data, v); err == nil {
				if got := rules.EncodeJSON(v); string(got) != string(data) {
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
		e, err := rules.Classify(5, files)
		if err != nil {
			return
		}
		st, _, err := readRoster(w.repo, w.head, nil)
		if err != nil {
			t.Fatal(err)
		}
		e.Apply(st)
	})
}

// A cache file is read from disk: whatever bytes it holds (with or without
// a checksum that matches them), reading it never panics, and a state is
// returned only from a file that reads back whole.
func FuzzStateCacheFile(f *testing.F) {
	w := cacheWorldF(f)
	dir := f.TempDir()
	SetStateCache(dir)
	defer SetStateCache("")
	l := w.open()
	for _, id := range []string{"pact", "draft"} {
		if _, err := l.Status(id); err != nil {
			f.Fatal(err)
		}
	}
	l.Close()
	files, _ := os.ReadDir(dir)
	for _, e := range files {
		raw, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		payload, _ := statecache.Unframe(raw)
		f.Add(raw, false)
		f.Add(payload, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, reframe bool) {
		if reframe {
			data = statecache.Frame(data)
		}
		key := fmt.Sprintf("%064x", os.Getpid()) // fuzz workers are processes
		if err := os.WriteFile(filepath.Join(dir, key), data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, whole := statecache.Unframe(data)
		if st := loadRoster(switchCache{}, key); st != nil && !whole {
			t.Fatal("a roster was read from a file that does not read back whole")
		}
		if err := os.WriteFile(filepath.Join(dir, key), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if ds := loadDocCache(switchCache{}, key); ds != nil && !whole {
			t.Fatal("a document was read from a file that does not read back whole")
		}
	})
}
