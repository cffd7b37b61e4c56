package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/ledger/statecache"
	"github.com/concord-ledger/concord/signing"
)

// useCache turns the state cache on in a fresh folder for the test's
// duration and returns the folder.
func useCache(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "states")
	SetStateCache(dir)
	t.Cleanup(func() { SetStateCache("") })
	return dir
}

// cacheCounts returns the hits and misses counted since the last call.
func cacheCounts() (hits, misses int64) {
	return testCache.hits.Swap(0), testCache.misses.Swap(0)
}

// cacheWorld is a ledger with every kind of state a reader builds: an
// enrolment, a rotation, a revocation, a pending roster change, a
// ratified agreement, an amended one with a withdrawal and a re-approval,
// and one under a quorum rule.
func cacheWorld(t *testing.T) *world { return cacheWorldF(t) }

// cacheWorldF is cacheWorld for tests and fuzz targets alike.
func cacheWorldF(t testing.TB) *world {
	t.Helper()
	w := newWorld(t)
	newA := newPerson(t, "a-new-key", false)
	res, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRotate, ID: "a", Key: newA.signer.PublicKey(), As: "s1", Signer: w.people["s1"].signer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApproveRosterChange(w.dir, w.env, res.Change, "s2", w.people["s2"].signer); err != nil {
		t.Fatal(err)
	}
	w.people["a"].signer = newA.signer
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n", "zh", "协定。\n")
	w.sign("pact", "a")
	w.sign("pact", "b")
	w.propose("draft", []string{"a", "b", "c"}, "all", "en", "Draft one.\n")
	w.sign("draft", "c")
	if _, err := Amend(w.dir, w.env, AmendOptions{Document: "draft", Texts: []TextInput{{Lang: "en", Name: "en", Data: []byte("Draft two.\n")}},
		As: "s1", Signer: w.people["s1"].signer}); err != nil {
		t.Fatal(err)
	}
	w.sign("draft", "a")
	if _, err := w.decide("draft", 0, "a", signing.Withdraw); err != nil {
		t.Fatal(err)
	}
	w.sign("draft", "a")
	w.propose("quorum", []string{"a", "b", "c"}, "quorum:2", "en", "Two of three.\n")
	w.sign("quorum", "b")
	w.sign("quorum", "c")
	res, err = ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRevoke, ID: "c", As: "s1", Signer: w.people["s1"].signer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApproveRosterChange(w.dir, w.env, res.Change, "s2", w.people["s2"].signer); err != nil {
		t.Fatal(err)
	}
	d := newPerson(t, "d", false)
	m := d.Member
	if _, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionAdd, Member: &m, As: "s2", Signer: w.people["s2"].signer}); err != nil {
		t.Fatal(err)
	}
	return w
}

// views returns everything the readers show of w's ledger, as JSON.
func views(t *testing.T, w *world) string {
	t.Helper()
	l := w.open()
	defer l.Close()
	out := map[string]any{"roster": l.Roster(), "allowed": string(l.AllowedSigners()), "id": l.ID(), "entries": l.Entries()}
	docs, err := l.Documents()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range docs {
		st, err := l.Status(id)
		if err != nil {
			t.Fatalf("status %s: %v", id, err)
		}
		out["status "+id] = st
		for n := 1; n <= len(st.Versions); n++ {
			v, err := l.Show(id, n)
			if err != nil {
				t.Fatalf("show %s v%d: %v", id, n, err)
			}
			out[fmt.Sprintf("show %s %d", id, n)] = v
		}
		if len(st.Versions) > 1 {
			d, err := l.Diff(id, 1, 2)
			if err != nil {
				t.Fatalf("diff %s: %v", id, err)
			}
			out["diff "+id] = d
		}
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A state read from the cache shows exactly what a replay of the files
// shows, and a warm cache is read, not replayed.
func TestStateCacheMatchesReplay(t *testing.T) {
	w := cacheWorld(t)
	replayed := views(t, w)
	dir := useCache(t)
	cacheCounts()
	if cold := views(t, w); cold != replayed {
		t.Fatalf("cold cache shows\n%s\nreplay shows\n%s", cold, replayed)
	}
	if hits, misses := cacheCounts(); hits != 0 || misses != 4 { // the roster and 3 documents
		t.Errorf("cold cache: %d hits, %d misses; want 0 and 4", hits, misses)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 4 {
		t.Errorf("cache holds %d files, want 4", len(files))
	}
	if warm := views(t, w); warm != replayed {
		t.Fatalf("warm cache shows\n%s\nreplay shows\n%s", warm, replayed)
	}
	if hits, misses := cacheCounts(); hits != 4 || misses != 0 {
		t.Errorf("warm cache: %d hits, %d misses; want 4 and 0", hits, misses)
	}
}

// After an entry, the next reader replays what changed (the document, or
// the roster and so every document) and shows what a replay shows.
func TestStateCacheFollowsNewEntries(t *testing.T) {
	w := cacheWorld(t)
	useCache(t)
	views(t, w)
	cacheCounts()
	w.sign("draft", "b")
	cacheCounts()
	got := views(t, w)
	if hits, misses := cacheCounts(); hits != 4 || misses != 0 {
		t.Errorf("after a decision: %d hits, %d misses; want 4 and 0 (the sign filed the document's new state)", hits, misses)
	}
	SetStateCache("")
	if want := views(t, w); got != want {
		t.Fatalf("after a decision the cache shows\n%s\nreplay shows\n%s", got, want)
	}
	useCache(t)
	views(t, w)
	// Decisions filed by the signing process: a withdrawal, a re-approval,
	// and the approval that ratifies.
	w.propose("fresh", []string{"a", "b"}, "all", "en", "Fresh.\n")
	w.sign("fresh", "a")
	if _, err := w.decide("fresh", 0, "a", signing.Withdraw); err != nil {
		t.Fatal(err)
	}
	w.sign("fresh", "a")
	if res := w.sign("fresh", "b"); !res.Ratified {
		t.Fatal("fresh was not ratified")
	}
	cacheCounts()
	got = views(t, w)
	if hits, misses := cacheCounts(); hits != 5 || misses != 0 {
		t.Errorf("after the decisions on fresh: %d hits, %d misses; want 5 and 0", hits, misses)
	}
	SetStateCache("")
	if want := views(t, w); got != want {
		t.Fatalf("after the decisions on fresh the cache shows\n%s\nreplay shows\n%s", got, want)
	}
	useCache(t)
	views(t, w)
	cacheCounts()
	res, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRevoke, ID: "b", As: "s1", Signer: w.people["s1"].signer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApproveRosterChange(w.dir, w.env, res.Change, "s2", w.people["s2"].signer); err != nil {
		t.Fatal(err)
	}
	cacheCounts()
	got = views(t, w)
	if hits, misses := cacheCounts(); hits != 0 || misses != 5 {
		t.Errorf("after a roster change: %d hits, %d misses; want 0 and 5", hits, misses)
	}
	SetStateCache("")
	if want := views(t, w); got != want {
		t.Fatalf("after a roster change the cache shows\n%s\nreplay shows\n%s", got, want)
	}
}

// A forged approval committed after the cache was filled is refused: the
// document's folder changed, so its state is replayed with every check.
func TestStateCacheForgedApprovalAfterWarm(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	dir := useCache(t)
	if _, err := w.open().Status("pact"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(dir)
	p := w.entries()
	mallory := newPerson(t, "mallory", false)
	files := w.decisionFiles("pact", 1, p, "a", signing.Approve, mallory.signer, nil)
	f := w.forger()
	f.commit(f.head(), files, "a", nil, p, rules.KindDecision)
	for range 2 { // the refusal is not filed either
		if _, err := w.open().Status("pact"); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
			t.Fatalf("status of a forged approval with a warm cache: err = %v", err)
		}
	}
	if _, err := w.decide("pact", 0, "b", signing.Approve); err == nil {
		t.Fatal("b signed on top of a forged approval of a")
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Errorf("the cache went from %d to %d files: a refused state was filed", len(before), len(after))
	}
}

// Damaged cache files are ignored, removed and filed anew; the readers
// show what a replay shows.
func TestStateCacheDamagedFiles(t *testing.T) {
	w := cacheWorld(t)
	want := views(t, w)
	dir := useCache(t)
	views(t, w)
	damage := map[string]func([]byte) []byte{
		"payload byte flipped": func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
		"truncated":            func(b []byte) []byte { return b[:len(b)/2] },
		"empty":                func(b []byte) []byte { return nil },
		"checksum of garbage":  func(b []byte) []byte { return statecache.Frame([]byte("not a state")) },
		"other magic":          func(b []byte) []byte { return append([]byte("x"), b...) },
	}
	for name, fn := range damage {
		t.Run(name, func(t *testing.T) {
			files, err := os.ReadDir(dir)
			if err != nil || len(files) != 4 {
				t.Fatalf("cache folder: %d files, %v", len(files), err)
			}
			for _, f := range files {
				p := filepath.Join(dir, f.Name())
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, fn(b), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cacheCounts()
			if got := views(t, w); got != want {
				t.Fatalf("with damaged files the readers show\n%s\nwant\n%s", got, want)
			}
			if hits, misses := cacheCounts(); hits != 0 || misses != 4 {
				t.Errorf("damaged files: %d hits, %d misses; want 0 and 4", hits, misses)
			}
			for _, f := range files {
				b, _ := os.ReadFile(filepath.Join(dir, f.Name()))
				if _, ok := statecache.Unframe(b); !ok {
					t.Errorf("%s was not filed anew", f.Name())
				}
			}
		})
	}
}

// A cache folder that cannot be written costs time, never a result.
func TestStateCacheUnwritable(t *testing.T) {
	w := cacheWorld(t)
	want := views(t, w)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	SetStateCache(filepath.Join(file, "states"))
	t.Cleanup(func() { SetStateCache("") })
	for range 2 {
		if got := views(t, w); got != want {
			t.Fatalf("with an unwritable cache the readers show\n%s\nwant\n%s", got, want)
		}
	}
}

// A version filed in one document's folder that names another document is
// refused, whichever documents the process read before: a document's
// state depends on its own folder and the roster only, and so does what
// the cache files for it.
func TestDocumentReplayedAlone(t *testing.T) {
	w := newWorld(t)
	w.propose("b", []string{"a", "b"}, "all", "en", "Bee.\n")
	w.propose("z", []string{"a", "b"}, "all", "en", "Zed.\n")
	l := w.open()
	p := l.Entries()
	text := []byte("Forged.\n")
	sum := sha256.Sum256(text)
	v := &rules.Version{Ledger: l.ID(), Document: "b", Number: 2, Texts: []rules.Text{{Lang: "en", SHA256: hex.EncodeToString(sum[:])}}, Author: "s1", Entry: p}
	l.Close()
	f := w.forger()
	f.commit(f.head(), map[string][]byte{rules.VersionFile("z", 2): rules.EncodeJSON(v), rules.TextFile("z", 2, "en"): text}, "s1", w.people["s1"].signer, p, rules.KindAmend)
	useCache(t)
	for _, first := range []string{"", "b"} {
		l := w.open()
		if first != "" {
			if _, err := l.Status(first); err != nil {
				t.Fatal(err)
			}
		}
		_, err := l.Status("z")
		if err == nil || !strings.Contains(err.Error(), "names b v2, not the folder it is in") {
			t.Errorf("status z after reading %q: err = %v", first, err)
		}
		l.Close()
	}
}

// A ledger opened for a check that rests on the repository alone (verify-pdf
// --ledger) neither reads nor files states.
func TestUncachedOpenIgnoresCache(t *testing.T) {
	w := cacheWorld(t)
	dir := useCache(t)
	views(t, w)
	before, _ := os.ReadDir(dir)
	cacheCounts()
	l, err := Open(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, id := range []string{"pact", "draft", "quorum"} {
		if _, err := l.Status(id); err != nil {
			t.Fatal(err)
		}
	}
	at, err := l.at(l.Head(), l.entry)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := at.Status("pact"); err != nil {
		t.Fatal(err)
	}
	if hits, misses := cacheCounts(); hits != 0 || misses != 0 {
		t.Errorf("uncached ledger: %d hits, %d misses; want none", hits, misses)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Errorf("uncached ledger filed states: %d files, then %d", len(before), len(after))
	}
}

// States are kept only in a folder that only the user can write, named by
// an absolute path; elsewhere the cache is off and readers replay.
func TestStateCacheUnsafeFolders(t *testing.T) {
	w := cacheWorld(t)
	want := views(t, w)
	base := t.TempDir()
	shared := filepath.Join(base, "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Fatal(err)
	}
	t.Chdir(base)
	for _, dir := range []string{"relative", shared, link} {
		SetStateCache(dir)
		cacheCounts()
		if got := views(t, w); got != want {
			t.Fatalf("cache in %s: readers show\n%s\nwant\n%s", dir, got, want)
		}
		if hits, misses := cacheCounts(); hits != 0 || misses != 0 {
			t.Errorf("cache in %s was used: %d hits, %d misses", dir, hits, misses)
		}
	}
	SetStateCache("")
	if _, err := os.Stat(filepath.Join(base, "relative")); err == nil {
		t.Error("a relative cache folder was created")
	}
	if files, _ := os.ReadDir(shared); len(files) != 0 {
		t.Errorf("a folder others can write holds %d states", len(files))
	}
	safe := filepath.Join(base, "safe", "states")
	SetStateCache(safe)
	t.Cleanup(func() { SetStateCache("") })
	views(t, w)
	if files, _ := os.ReadDir(safe); len(files) != 4 {
		t.Errorf("a safe folder holds %d states, want 4", len(files))
	}
}

// A document state whose decision lacks its statement is not used, even
// when an earlier decision had the same key (each decision is checked,
// not each key).
func TestStateCacheDecisionWithoutStatement(t *testing.T) {
	w := cacheWorld(t)
	useCache(t)
	l := w.open()
	defer l.Close()
	if _, err := l.Status("pact"); err != nil {
		t.Fatal(err)
	}
	key := docCacheKey(switchCache{}, l.rosterKey, l.repo, l.head, "pact")
	var s docSnap
	if err := gob.NewDecoder(bytes.NewReader(switchCache{}.Get(key))).Decode(&s); err != nil {
		t.Fatal(err)
	}
	if loadDocCache(switchCache{}, key) == nil {
		t.Fatal("the intact state was not read")
	}
	decs := s.Versions[0].Decisions
	extra := decs[0]
	extra.Statement = nil
	s.Versions[0].Decisions = append(decs, extra)
	switchCache{}.Put(key, gobEncode(&s))
	if loadDocCache(switchCache{}, key) != nil {
		t.Fatal("a state with a decision lacking its statement was read")
	}
}
