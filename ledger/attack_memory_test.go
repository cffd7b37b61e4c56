package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/concord-ledger/concord/ledger/rules"
)

// Attacks on the memory of an audit, as a remote serving a history of its
// own making (no signatory's key needed: the entries are forged, and the
// audit reads them all before it refuses them).

// TestAttackForgedTextsNotKept: forged entries proposing documents whose
// text is one large blob, named again by each. The audit refuses every
// one, but its state kept every text it read (a text is recorded even
// when its entry breaks the rules), so N entries held N copies: a remote
// of one 30 MiB blob of zeros (30 KB sent) and a thousand small entries
// would hold 30 GB. The audit now keeps no text in its state: they are
// checked when their entry is applied and never read again.
func TestAttackForgedTextsNotKept(t *testing.T) {
	w := newWorld(t)
	id := w.open().ID()
	f := w.forger()
	text := bytes.Repeat([]byte("A long text.\n"), (1<<20)/13)
	sum := sha256.Sum256(text)
	head := f.head()
	const n = 12
	p := w.entries()
	for i := range n {
		doc := fmt.Sprintf("doc-%02d", i)
		d := rules.Document{Ledger: id, ID: doc, Title: "Big", Signers: []string{"s1"}, Rule: rules.Rule{Kind: "all"}, Proposer: "s1", Entry: p}
		v := rules.Version{Ledger: id, Document: doc, Number: 1, Texts: []rules.Text{{Lang: "en", SHA256: hex.EncodeToString(sum[:])}}, Author: "s1", Entry: p}
		head = f.commit(head, map[string][]byte{
			rules.DocFile(doc):           rules.EncodeJSON(&d),
			rules.VersionFile(doc, 1):    rules.EncodeJSON(&v),
			rules.TextFile(doc, 1, "en"): text,
		}, "s1", nil, p, rules.KindPropose)
		p++
	}
	f.setHead(head)
	repo := w.rawRepo()
	rep, err := verifyRepo(repo, head.String(), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Fatal("unsigned entries verified")
	}
	kept := 0
	for _, ds := range rep.state.Docs {
		for _, vs := range ds.Versions {
			for _, data := range vs.Texts {
				kept += len(data)
			}
		}
	}
	if kept > 0 {
		t.Fatalf("the audit's state keeps %d bytes of texts after %d forged entries naming one %d-byte text", kept, n, len(text))
	}
}

// TestAttackReadAheadBounded: the audit reads entries ahead of its replay;
// it held up to 64 entries, whatever their size: 64 entries of a 30 MiB
// file each (one blob, named again by each) are 1.9 GB. It now holds at
// most 64 MiB of their files (and one entry more, bounded by
// gitstore.MaxChangeBytes).
func TestAttackReadAheadBounded(t *testing.T) {
	w := newWorld(t)
	f := w.forger()
	big := bytes.Repeat([]byte{'z'}, 4<<20)
	head := f.head()
	p := w.entries()
	prev := ""
	for i := range 40 {
		name := fmt.Sprintf("junk/%02d", i)
		edits := map[string][]byte{name: big}
		if prev != "" {
			edits[prev] = nil
		}
		head = f.commit(head, edits, "s1", nil, p, rules.KindPropose)
		prev = name
		p++
	}
	f.setHead(head)
	repo := w.rawRepo()
	ids, err := repo.FirstParentIDs(head.String())
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	next, stop := readEntries(repo, ids, 0, true)
	defer stop()
	// Let the reader run ahead as far as it may.
	var held uint64
	for range 50 {
		time.Sleep(20 * time.Millisecond)
		if h := heap() - min(before, heap()); h > held {
			held = h
		}
	}
	t.Logf("held %d MiB ahead", held>>20)
	if limit := uint64(readAhead*readAheadUnit + 3*len(big) + 8<<20); held > limit {
		t.Fatalf("the reader held %d MiB ahead of the replay (entries of %d MiB), more than %d MiB", held>>20, len(big)>>20, limit>>20)
	}
	for range ids {
		if r := next(); r.err != nil {
			t.Fatal(r.err)
		}
	}
}
