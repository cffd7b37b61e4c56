package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/internal/det"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/ledger/statecache"
	"github.com/concord-ledger/concord/signing"
)

// testEnv is a deterministic clock (a minute per reading) and randomness.
func testEnv() Env {
	return Env{Now: det.Clock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), time.Minute), Rand: &det.Rand{}, Glyphs: bmpGlyphs{}, Cache: switchCache{}}
}

// bmpGlyphs stands in for the PDF's coverage in this package's tests (which
// must not link the PDF writer): every character up to U+FFFF but the
// Arabic block, which it refuses as a script.
type bmpGlyphs struct{}

func (bmpGlyphs) Covers(r rune) bool { return r <= 0xFFFF && bmpGlyphs{}.Unshaped(r) == "" }
func (bmpGlyphs) Unshaped(r rune) string {
	if r >= 0x0600 && r <= 0x06FF {
		return "Arabic"
	}
	return ""
}

// person is a test member with a key.
type person struct {
	rules.Member
	signer ssh.Signer
}

func newPerson(t testing.TB, id string, steward bool) *person {
	t.Helper()
	seed := sha256.Sum256([]byte("concord test key " + id))
	priv := ed25519.NewKeyFromSeed(seed[:])
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return &person{
		Member: rules.Member{ID: id, Name: "Name of " + id, Title: "President", Institution: "University " + id,
			Country: "Kazakhstan", Key: rules.KeyString(signer.PublicKey()), Steward: steward},
		signer: signer,
	}
}

// world is a test ledger with its people.
type world struct {
	t      testing.TB
	dir    string
	env    Env
	people map[string]*person
}

// newWorld founds a ledger with stewards s1, s2 (threshold 2) and enrols
// signatories a, b, c.
func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, dir: filepath.Join(t.TempDir(), "ledger"), env: testEnv(), people: map[string]*person{}}
	for _, id := range []string{"s1", "s2"} {
		w.people[id] = newPerson(t, id, true)
	}
	_, err := Init(w.dir, w.env, InitOptions{Title: "Test ledger", Threshold: 2,
		Stewards: []rules.Member{w.people["s1"].Member, w.people["s2"].Member}, Founder: "s1", Signer: w.people["s1"].signer})
	if err != nil {
		t.Fatalf("init: %v", err)
	}
	for _, id := range []string{"a", "b", "c"} {
		w.enrol(id)
	}
	return w
}

func (w *world) enrol(id string) *person {
	w.t.Helper()
	p := newPerson(w.t, id, false)
	w.people[id] = p
	m := p.Member
	res, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionAdd, Member: &m, As: "s1", Signer: w.people["s1"].signer})
	if err != nil {
		w.t.Fatalf("propose add %s: %v", id, err)
	}
	if _, err := ApproveRosterChange(w.dir, w.env, res.Change, "s2", w.people["s2"].signer); err != nil {
		w.t.Fatalf("approve add %s: %v", id, err)
	}
	return p
}

func (w *world) propose(doc string, signers []string, rule string, texts ...string) {
	w.t.Helper()
	r, err := rules.ParseRule(rule)
	if err != nil {
		w.t.Fatal(err)
	}
	var in []TextInput
	for i := 0; i+1 < len(texts); i += 2 {
		in = append(in, TextInput{Lang: texts[i], Name: texts[i], Data: []byte(texts[i+1])})
	}
	if _, err := Propose(w.dir, w.env, ProposeOptions{Document: doc, Title: "Agreement " + doc, Texts: in,
		Signers: signers, Rule: r, As: "s1", Signer: w.people["s1"].signer}); err != nil {
		w.t.Fatalf("propose %s: %v", doc, err)
	}
}

func (w *world) decide(doc string, version int, who string, d signing.Decision) (*DecisionResult, error) {
	plan, err := PrepareDecision(w.dir, DecisionOptions{Document: doc, Version: version, As: who, Decision: d, Cache: switchCache{}})
	if err != nil {
		return nil, err
	}
	return plan.Commit(w.env, w.people[who].signer)
}

func (w *world) sign(doc string, who string) *DecisionResult {
	w.t.Helper()
	res, err := w.decide(doc, 0, who, signing.Approve)
	if err != nil {
		w.t.Fatalf("%s signs %s: %v", who, doc, err)
	}
	return res
}

// verify audits w's ledger with opts, reading each object through go-git,
// and again reading them all at once through git (VerifyOptions.Git),
// when git is installed: the two must give the same report.
func (w *world) verify(opts VerifyOptions) *Report {
	w.t.Helper()
	opts.Git = ""
	rep, err := Verify(w.dir, opts)
	if err != nil {
		w.t.Fatalf("verify: %v", err)
	}
	if git, lookErr := exec.LookPath("git"); lookErr == nil {
		opts.Git = git
		through, err := Verify(w.dir, opts)
		if err != nil {
			w.t.Fatalf("verify reading through git: %v", err)
		}
		if !reflect.DeepEqual(reportView(rep), reportView(through)) {
			w.t.Fatalf("verify reading through git gives another report:\n%+v\nthrough go-git:\n%+v", through, rep)
		}
	}
	return rep
}

// reportView is what a report says, without the audit's working state.
func reportView(r *Report) Report {
	v := *r
	v.chain, v.state = nil, nil
	return v
}

func (w *world) mustVerify() *Report {
	w.t.Helper()
	rep := w.verify(VerifyOptions{})
	if !rep.OK() {
		for _, p := range rep.Problems {
			w.t.Errorf("problem: %s", p)
		}
		w.t.FailNow()
	}
	return rep
}

// rawRepo opens w's repository as stored, without reading it as a
// ledger (which a forged history may not be), closed when the test ends.
func (w *world) rawRepo() *gitstore.Repo {
	w.t.Helper()
	repo, err := gitstore.Open(w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { repo.Close() })
	return repo
}

func (w *world) open() *Ledger {
	w.t.Helper()
	l, err := OpenWith(w.dir, switchCache{})
	if err != nil {
		w.t.Fatal(err)
	}
	return l
}

// testCache is the state cache the tests of this package turn on with
// SetStateCache; every world's reads and writes go through switchCache,
// which hands them to it (or to none) and counts hits and misses.
var testCache struct {
	sync.Mutex
	c            Cache
	hits, misses atomic.Int64
}

// SetStateCache turns the tests' state cache on in the folder dir, or off
// with "" or a folder statecache refuses.
func SetStateCache(dir string) {
	testCache.Lock()
	defer testCache.Unlock()
	testCache.c = nil
	if dir != "" {
		if d, err := statecache.Open(dir); err == nil {
			testCache.c = d
		}
	}
}

// switchCache is the Cache of every test world: the one SetStateCache set.
type switchCache struct{}

func currentCache() Cache {
	testCache.Lock()
	defer testCache.Unlock()
	return testCache.c
}

func (switchCache) Get(key string) []byte {
	if c := currentCache(); c != nil {
		return c.Get(key)
	}
	return nil
}

// NoteState counts hits and misses while the cache is on.
func (switchCache) NoteState(hit bool) {
	switch {
	case currentCache() == nil:
	case hit:
		testCache.hits.Add(1)
	default:
		testCache.misses.Add(1)
	}
}

func (switchCache) Put(key string, payload []byte) {
	if c := currentCache(); c != nil {
		c.Put(key, payload)
	}
}
