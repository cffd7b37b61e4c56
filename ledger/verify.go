package ledger

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/signing"
)

// Problem is one thing the audit found wrong, with where it is.
type Problem struct {
	Entry  int    `json:"entry"`            // ledger position, -1 if not tied to one
	Commit string `json:"commit,omitempty"` // commit id
	Path   string `json:"path,omitempty"`   // file in the ledger
	What   string `json:"what"`
}

func (p Problem) String() string {
	s := ""
	if p.Entry >= 0 {
		s = fmt.Sprintf("entry %d", p.Entry)
		if p.Commit != "" {
			s += fmt.Sprintf(" (commit %.12s)", p.Commit)
		}
		s += ": "
	}
	if p.Path != "" {
		s += p.Path + ": "
	}
	return s + p.What
}

// Report is the result of an audit.
type Report struct {
	Ledger     string    `json:"ledger"` // ledger id
	Title      string    `json:"title"`
	Demo       bool      `json:"demo"`
	Head       string    `json:"head"`
	Entries    int       `json:"entries"`
	Signatures int       `json:"signatures"` // signatures checked: commits and statements
	Problems   []Problem `json:"problems"`
	// Ratified lists "DOC vN" for every ratified version.
	Ratified []string `json:"ratified"`
	// Notes are what the repository holds besides the ledger that does not
	// change what stock git shows (other refs, objects read from elsewhere).
	Notes []string `json:"notes,omitempty"`
}

// OK reports whether the audit found nothing wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// VerifyOptions control Verify.
type VerifyOptions struct {
	// Since is an earlier head the caller trusts; the audit also checks that
	// the current head extends it (no rewrite, no rollback).
	Since string
	// Workers is the number of signature-checking goroutines; 0 means one
	// per CPU.
	Workers int
	// Checkpoints are signed checkpoints the caller kept: each must be
	// signed by a roster key and name a head in the current history at its
	// position, and all must lie on one line of history.
	Checkpoints []CheckpointFile
}

var entryTrailer = regexp.MustCompile(`(?m)^Concord-Entry: ([0-9]+)\nConcord-Kind: ([a-z-]+)\n\z`)

type sigJob struct {
	key          ssh.PublicKey
	ns           string
	msg, sig     []byte
	entry        int
	commit, path string
}

// Verify re-checks the whole ledger in dir from the repository alone: every
// commit's signature and its signer's validity at that position, every
// statement against the texts and version it names, every roster change
// against the steward threshold, append-only history, and ratification
// recomputed and compared with what was recorded. Problems are reported in
// the Report; the error is for failures to read the ledger at all.
func Verify(dir string, opts VerifyOptions) (*Report, error) {
	repo, err := gitstore.Open(dir)
	if err != nil {
		return nil, &NotLedgerError{Dir: dir, Err: err}
	}
	defer repo.Close()
	if err := repo.Complete(); err != nil {
		return nil, err
	}
	head, err := repo.Head()
	if err != nil {
		return nil, err
	}
	if head == "" {
		return nil, &NotLedgerError{Dir: dir, Err: errors.New("the repository has no entries")}
	}
	rep, err := verifyRepo(repo, head, opts)
	return withOverlays(repo, head, rep, err)
}

func verifyRepo(repo *gitstore.Repo, head string, opts VerifyOptions) (*Report, error) {
	rep := &Report{Head: head}
	var mu sync.Mutex
	add := func(p Problem) {
		mu.Lock()
		rep.Problems = append(rep.Problems, p)
		mu.Unlock()
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan sigJob, 256)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := signing.Verify(j.sig, j.key, j.ns, j.msg); err != nil {
					add(Problem{Entry: j.entry, Commit: j.commit, Path: j.path, What: fmt.Sprintf("signature does not verify: %v", err)})
				}
			}
		}()
	}
	finish := func() {
		close(jobs)
		wg.Wait()
		sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Entry < rep.Problems[j].Entry })
	}

	if opts.Since != "" {
		ok, err := repo.IsAncestor(opts.Since, head)
		if err != nil {
			ok = false
		}
		if !ok {
			add(Problem{Entry: -1, What: fmt.Sprintf("history rewritten or rolled back: the earlier head %s is not in the history of the current head %s", opts.Since, head)})
		}
	}

	// corrupt ends the audit at a stored object that is not what its id
	// names: nothing after it can be read, and that is a finding.
	corrupt := func(err error, p int, commit string) (*Report, error) {
		var ce *gitstore.CorruptError
		if !errors.As(err, &ce) {
			finish()
			return nil, err
		}
		add(Problem{Entry: p, Commit: commit, What: ce.Error()})
		finish()
		rep.Entries = max(p, 0)
		return rep, nil
	}
	ids, err := repo.FirstParentIDs(head)
	if err != nil {
		return corrupt(fmt.Errorf("reading history: %w", err), -1, "")
	}
	// With more than one worker, a goroutine reads the entries ahead while
	// this one replays them.
	next, stopReading := readEntries(repo, ids, workers > 1)
	defer stopReading()
	st := newState()
	var cur struct {
		entry  int
		commit string
	}
	st.sigCheck = func(key ssh.PublicKey, ns string, msg, sig []byte, what string) {
		rep.Signatures++
		jobs <- sigJob{key: key, ns: ns, msg: msg, sig: sig, entry: cur.entry, commit: cur.commit, path: what}
	}
	prev := ""
	for p := range ids {
		r := next()
		if r.err != nil {
			return corrupt(r.err, p, ids[p])
		}
		c := r.c
		cur.entry, cur.commit = p, c.ID
		problem := func(path, format string, args ...any) {
			add(Problem{Entry: p, Commit: c.ID, Path: path, What: fmt.Sprintf(format, args...)})
		}
		if len(c.Parents) > 1 {
			problem("", "merge commit: a ledger's history is one line")
		}
		if !c.Canonical {
			problem("", "commit is not in the form concord writes (extra headers or encoding)")
		}
		if m := entryTrailer.FindStringSubmatch(c.Message); m == nil || m[1] != strconv.Itoa(p) {
			problem("", "commit message does not end with the trailer \"Concord-Entry: %d\"", p)
		}
		st.parent = prev
		prev = c.ID
		files := map[string][]byte{}
		for _, ch := range r.changes {
			switch {
			case ch.Malformed != "":
				problem(ch.Path, "%s", ch.Malformed)
			case ch.Kind != gitstore.Added:
				problem(ch.Path, "file %s in a later entry: the ledger is append-only", ch.Kind)
			case ch.Irregular:
				problem(ch.Path, "not a regular file")
			default:
				files[ch.Path] = ch.Data
			}
		}
		e, err := classify(p, files)
		if err != nil {
			problem("", "%v", err)
			checkCommitSig(st, c, "", p, problem)
			continue
		}
		if m := entryTrailer.FindStringSubmatch(c.Message); m != nil && m[2] != e.kind {
			problem("", "commit message says %s, but the entry is a %s", m[2], e.kind)
		}
		if e.kind != KindGenesis {
			checkCommitSig(st, c, e.actor, p, problem)
		}
		for _, err := range e.apply(st) {
			var re *ruleError
			if errors.As(err, &re) {
				problem(re.path, "%s", re.msg)
			} else {
				problem("", "%v", err)
			}
		}
		if e.kind == KindGenesis {
			if st.Genesis == nil {
				finish()
				rep.Entries = len(ids)
				return rep, nil
			}
			checkCommitSig(st, c, st.Genesis.Founder, p, problem)
		}
	}
	stopReading()
	if len(opts.Checkpoints) > 0 {
		// The checkpoints need only the history's commit ids.
		commits := make([]gitstore.Commit, len(ids))
		chain := make([]*gitstore.Commit, len(ids))
		for i, id := range ids {
			commits[i].ID = id
			chain[i] = &commits[i]
		}
		for _, p := range checkCheckpoints(repo, st, chain, opts.Checkpoints) {
			add(p)
		}
	}
	finish()
	rep.Entries = len(ids)
	rep.Ledger = st.ID
	if st.Genesis != nil {
		rep.Title, rep.Demo = st.Genesis.Title, st.Genesis.Demo
	}
	for _, id := range sortedKeys(st.docs) {
		for i, vs := range st.docs[id].versions {
			if vs.ratified != nil {
				rep.Ratified = append(rep.Ratified, fmt.Sprintf("%s v%d", id, i+1))
			}
		}
	}
	return rep, nil
}

// entryRead is one commit of the history and the files it changes from
// its first parent, or the error that stopped the reading.
type entryRead struct {
	c       *gitstore.Commit
	changes []gitstore.Change
	err     error
}

// readAhead is how many entries the reading goroutine may be ahead.
const readAhead = 64

// readEntries returns next, which gives the commits ids (root first) in
// order with their changes, and stop, after which repo is no longer read.
// With ahead, a goroutine reads up to readAhead entries ahead of next;
// otherwise next reads each entry when called. Nothing is read after an
// error.
func readEntries(repo *gitstore.Repo, ids []string, ahead bool) (next func() entryRead, stop func()) {
	read := func(p int) entryRead {
		c, err := repo.ReadCommit(ids[p])
		if err != nil {
			return entryRead{err: fmt.Errorf("reading history: %w", err)}
		}
		prev := ""
		if p > 0 {
			prev = ids[p-1]
		}
		changes, err := repo.Changes(prev, c.ID)
		if err != nil {
			return entryRead{err: fmt.Errorf("reading entry %d: %w", p, err)}
		}
		return entryRead{c: c, changes: changes}
	}
	if !ahead {
		p := 0
		return func() entryRead { p++; return read(p - 1) }, func() {}
	}
	out := make(chan entryRead, readAhead)
	done := make(chan struct{})
	go func() {
		defer close(out)
		for p := range ids {
			r := read(p)
			select {
			case out <- r:
			case <-done:
				return
			}
			if r.err != nil {
				return
			}
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			close(done)
			for range out { // wait until the goroutine no longer reads
			}
		})
	}
	return func() entryRead { return <-out }, stop
}

// checkCommitSig checks that commit c at position p is signed by actor's
// key valid there, and queues the signature check.
func checkCommitSig(st *State, c *gitstore.Commit, actor string, p int, problem func(path, format string, args ...any)) {
	if len(c.Signature) == 0 {
		problem("", "commit is not signed")
		return
	}
	signer, err := signing.SignatureKey(c.Signature)
	if err != nil {
		problem("", "commit signature: %v", err)
		return
	}
	if actor == "" {
		if owner := st.keyOwner(signer); owner != "" {
			actor = owner
		} else {
			problem("", "commit signed by %s, a key that is not on the roster", signing.Fingerprint(signer))
			return
		}
	}
	if c.Email != actor || c.CommitterEmail != actor {
		problem("", "commit names %q as its author and %q as its committer, but the entry is %s's", c.Email, c.CommitterEmail, actor)
	}
	var key ssh.PublicKey
	if p == 0 {
		if m, ok := st.members[actor]; ok {
			key = m.keys[0].key
		}
	} else {
		key, err = st.activeKey(actor, p)
	}
	if key == nil {
		if owner := st.keyOwner(signer); owner == "" {
			problem("", "commit signed by %s, a key that is not on the roster", signing.Fingerprint(signer))
		} else {
			problem("", "commit signed by %s's key %s, which was not valid at entry %d: %v", owner, signing.Fingerprint(signer), p, err)
		}
		return
	}
	if !signing.SameKey(key, signer) {
		if owner := st.keyOwner(signer); owner == "" {
			problem("", "commit signed by %s, a key that is not on the roster", signing.Fingerprint(signer))
		} else {
			problem("", "commit signed by %s (%s's), not by %s's key valid at entry %d", signing.Fingerprint(signer), owner, actor, p)
		}
		return
	}
	st.checkSig(key, signing.GitNamespace, c.Payload, c.Signature, "commit signature")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
