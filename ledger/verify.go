package ledger

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// Problem is one thing the audit found wrong, with where it is.
type Problem struct {
	// Code is the kind of problem, stable and machine-readable (the Code
	// constants here and in package rules; docs/JSON.md lists them).
	Code   string `json:"code"`
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
	// Ratified lists every ratified version, in document id and version
	// order.
	Ratified []RatifiedVersion `json:"ratified"`
	// Documents is what the audit proved of each document, in id order:
	// per version, every decision with its signer's key and position, and
	// the verdict. It is read from the state the audit's own replay built.
	Documents []DocumentReport `json:"documents"`
	// Since says whether VerifyOptions.Since is in the history, nil when
	// none was given.
	Since *SinceReport `json:"since,omitempty"`
	// Checkpoints are the VerifyOptions.Checkpoints whose signatures held,
	// in the order given, each with whether its head is in the history;
	// one that does not open is a problem only.
	Checkpoints []CheckpointReport `json:"checkpoints"`
	// Notes are what the repository holds besides the ledger that does not
	// change what stock git shows (other refs, objects read from elsewhere).
	Notes []string `json:"notes"`
	// Stewards are the genesis stewards and their keys' fingerprints: with
	// the ledger id, the trust anchor every other fact of the audit rests
	// on. They come from the ledger's own genesis entry, so an auditor
	// compares them (or pins the ledger id) with a source they trust.
	Stewards []Anchor `json:"stewards"`
	// Pinned is the ledger id the caller pinned (VerifyOptions.LedgerID),
	// "" if none: when set and the audit holds, the ledger is that one.
	Pinned string `json:"pinned,omitempty"`

	// chain is the history the audit replayed, root first (for sync,
	// which needs it again); nil when it could not be read.
	chain []string
	// state is the rules' state at the head, when the audit read the
	// whole history (for saveAccepted).
	state *rules.State
	// resumed is how many entries the audit took from an accepted state
	// instead of replaying them (VerifyOptions.resume).
	resumed int
}

// Anchor is a genesis steward named in a trust anchor.
type Anchor struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"` // SHA256:… as ssh-keygen -l prints it
}

// anchorsOf returns the genesis stewards of g with their fingerprints.
func anchorsOf(g *rules.Genesis) []Anchor {
	out := []Anchor{}
	if g == nil {
		return out
	}
	for _, m := range g.Stewards {
		a := Anchor{ID: m.ID, Name: m.Name}
		if k, err := rules.ParseKey(m.Key); err == nil {
			a.Fingerprint = signing.Fingerprint(k)
		}
		out = append(out, a)
	}
	return out
}

// OK reports whether the audit found nothing wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// VerifyOptions control Verify.
type VerifyOptions struct {
	// Since is an earlier head the caller trusts; the audit also checks that
	// the current head extends it (no rewrite, no rollback).
	Since string
	// LedgerID, when set, pins the ledger: a ledger with another id (a
	// look-alike with the same names and other keys, say) is a problem.
	LedgerID string
	// Workers is the number of signature-checking goroutines; 0 means one
	// per CPU.
	Workers int
	// Checkpoints are signed checkpoints the caller kept: each must be
	// signed by a roster key and name a head in the current history at its
	// position, and all must lie on one line of history.
	Checkpoints []CheckpointFile
	// Git is the git program through which the audit reads the
	// repository's objects all at once (gitstore.Preload), checking each as
	// it checks what it reads itself; "" reads each object through go-git.
	Git string
	// ReadBy, when not zero, is when the audit's reads through go-git give
	// up: Verify then returns an error wrapping gitstore.ErrReadDeadline
	// ("cannot check"), not a report. A copy can be built to be slow to
	// read (small objects each at the end of a long chain of large deltas,
	// which go-git rebuilds for each read: hours for a few KB); objects
	// Preload read through git are not bounded by it.
	ReadBy time.Time

	// accepted is a head an earlier full audit accepted (see
	// acceptedPrefix): the signatures of the entries up to it are not
	// checked again; their files are still replayed through the rules.
	accepted string
	// resume, when set, is the rules' state at resumeHead, which an
	// earlier audit accepted (loadAccepted): if resumeHead is in the
	// history, the replay starts after it, from that state.
	resume     *rules.State
	resumeHead string
}

type sigJob struct {
	key          ssh.PublicKey
	ns           string
	msg, sig     []byte
	entry        int
	commit, path string
	seq          int // its place among the audit's findings
}

// problemOrder sorts problems by entry, then by their place seq.
type problemOrder struct {
	p   []Problem
	seq []int
}

func (o problemOrder) Len() int { return len(o.p) }
func (o problemOrder) Less(i, j int) bool {
	if o.p[i].Entry != o.p[j].Entry {
		return o.p[i].Entry < o.p[j].Entry
	}
	return o.seq[i] < o.seq[j]
}
func (o problemOrder) Swap(i, j int) {
	o.p[i], o.p[j] = o.p[j], o.p[i]
	o.seq[i], o.seq[j] = o.seq[j], o.seq[i]
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
		return nil, openError(dir, err, "no git repository there")
	}
	defer repo.Close()
	repo.UseGit(opts.Git)
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
	if notALedger(repo, head) {
		return nil, &NotLedgerError{Dir: dir, Err: errors.New("its history has no genesis entry and its head no Concord-Entry trailer: it is a git repository, not a ledger")}
	}
	rep, err := verifyRepo(repo, head, opts)
	return withOverlays(repo, head, rep, err)
}

func verifyRepo(repo *gitstore.Repo, head string, opts VerifyOptions) (*Report, error) {
	if !opts.ReadBy.IsZero() {
		repo.SetReadDeadline(opts.ReadBy)
		defer repo.SetReadDeadline(time.Time{})
	}
	rep := newReport(head)
	// Problems are listed by entry, and within an entry in the order the
	// audit met them: a signature's problem, found by a worker whenever it
	// comes to it, takes the place of its check (seq), so that a report is
	// the same from one run to the next.
	var mu sync.Mutex
	var seqs []int
	seq := 0 // the next place; only this goroutine takes one
	addAt := func(p Problem, at int) {
		mu.Lock()
		rep.Problems = append(rep.Problems, p)
		seqs = append(seqs, at)
		mu.Unlock()
	}
	add := func(p Problem) {
		addAt(p, seq)
		seq++
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
					addAt(Problem{Code: CodeSignatureInvalid, Entry: j.entry, Commit: j.commit, Path: j.path, What: fmt.Sprintf("signature does not verify: %v", err)}, j.seq)
				}
			}
		}()
	}
	finish := func() {
		close(jobs)
		wg.Wait()
		sort.Sort(problemOrder{rep.Problems, seqs})
	}

	if opts.Since != "" {
		ok, err := repo.IsAncestor(opts.Since, head)
		if err != nil {
			ok = false
		}
		rep.Since = &SinceReport{Head: opts.Since, Found: ok, Entry: -1}
		if !ok {
			add(Problem{Code: CodeHistoryRewritten, Entry: -1, What: fmt.Sprintf("history rewritten or rolled back: the earlier head %s is not in the history of the current head %s", opts.Since, head)})
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
		add(Problem{Code: CodeObjectCorrupt, Entry: p, Commit: commit, What: ce.Error()})
		finish()
		rep.Entries = max(p, 0)
		return rep, nil
	}
	// Through git, when there is one, every object is read at once, in
	// the order the packs hold them: far cheaper than one by one.
	if opts.resume != nil {
		// Only what the fetch brought is replayed.
		repo.PreloadFetched(context.Background(), gitstore.PreloadBudget)
	} else {
		repo.Preload(context.Background(), gitstore.PreloadBudget)
	}
	ids, err := repo.FirstParentIDs(head)
	if err != nil {
		return corrupt(fmt.Errorf("reading history: %w", err), -1, "")
	}
	if rep.Since != nil && rep.Since.Found {
		rep.Since.Entry = slices.Index(ids, opts.Since)
	}
	st, start, prev := rules.NewState(), 0, ""
	if k := slices.Index(ids, opts.resumeHead); opts.resume != nil && k >= 0 {
		st, start, prev = opts.resume, k+1, ids[k]
		rep.resumed = start
	}
	// With more than one worker, a goroutine reads the entries ahead while
	// this one replays them.
	next, stopReading := readEntries(repo, ids, start, workers > 1)
	defer stopReading()
	trusted := acceptedPrefix(ids, opts.accepted)
	var cur struct {
		entry  int
		commit string
	}
	st.SigCheck = func(key ssh.PublicKey, ns string, msg, sig []byte, what string) {
		if cur.entry < trusted {
			return // checked when this head was accepted
		}
		rep.Signatures++
		jobs <- sigJob{key: key, ns: ns, msg: msg, sig: sig, entry: cur.entry, commit: cur.commit, path: what, seq: seq}
		seq++
	}
	for p := start; p < len(ids); p++ {
		r := next()
		if r.err != nil {
			return corrupt(r.err, p, ids[p])
		}
		c := r.c
		cur.entry, cur.commit = p, c.ID
		problem := func(code, path, format string, args ...any) {
			add(Problem{Code: code, Entry: p, Commit: c.ID, Path: path, What: fmt.Sprintf(format, args...)})
		}
		if len(c.Parents) > 1 {
			problem(CodeMergeCommit, "", "merge commit: a ledger's history is one line")
		}
		if !c.Canonical {
			problem(CodeCommitNotCanonical, "", "commit is not in the form concord writes: %s", c.FormProblem)
		}
		trailerEntry, trailerKind, trailed := entryTrailer(c.Message)
		if !trailed || trailerEntry != strconv.Itoa(p) {
			problem(CodeTrailerWrong, "", "commit message does not end with the trailer \"Concord-Entry: %d\"", p)
		}
		st.Parent = prev
		prev = c.ID
		files := map[string][]byte{}
		for _, ch := range r.changes {
			switch {
			case ch.Malformed != "":
				problem(CodeTreeMalformed, ch.Path, "%s", ch.Malformed)
			case ch.Kind != gitstore.Added:
				problem(CodeNotAppendOnly, ch.Path, "file %s in a later entry: the ledger is append-only", ch.Kind)
			case ch.Irregular:
				problem(CodeFileIrregular, ch.Path, "not a regular file")
			default:
				files[ch.Path] = ch.Data
			}
		}
		e, err := rules.Classify(p, files)
		if err != nil {
			problem(CodeEntryMalformed, "", "%v", err)
			commitProblems(st.CheckCommit(commitOf(c), "", p), problem)
			continue
		}
		if trailed && trailerKind != e.Kind {
			problem(CodeTrailerWrong, "", "commit message says %s, but the entry is a %s", trailerKind, e.Kind)
		}
		if e.Kind != rules.KindGenesis {
			commitProblems(st.CheckCommit(commitOf(c), e.Actor, p), problem)
		}
		for _, err := range e.Apply(st) {
			code, path, msg := ruleProblem(err)
			problem(code, path, "%s", msg)
		}
		dropTexts(st, e)
		if e.Kind == rules.KindGenesis {
			if st.Genesis == nil {
				finish()
				rep.Entries = len(ids)
				return rep, nil
			}
			commitProblems(st.CheckCommit(commitOf(c), st.Genesis.Founder, p), problem)
		}
	}
	stopReading()
	if len(opts.Checkpoints) > 0 {
		// The checkpoints need only the history's commit ids.
		cps, problems := checkCheckpoints(repo, st, idChain(ids), opts.Checkpoints)
		rep.Checkpoints = cps
		for _, p := range problems {
			add(p)
		}
	}
	finish()
	rep.Entries = len(ids)
	rep.chain, rep.state = ids, st
	rep.Ledger = st.ID
	rep.Stewards = anchorsOf(st.Genesis)
	if st.Genesis != nil {
		rep.Title, rep.Demo = st.Genesis.Title, st.Genesis.Demo
	}
	if opts.LedgerID != "" {
		rep.Pinned = opts.LedgerID
		if opts.LedgerID != st.ID {
			rep.Problems = append(rep.Problems, Problem{Code: CodeLedgerNotPinned, Entry: -1, What: fmt.Sprintf("the ledger id is %s, not the pinned %s: this is another ledger, whatever its names say", st.ID, opts.LedgerID)})
		}
	}
	rep.Documents, rep.Ratified = documentsOf(st)
	return rep, nil
}

// dropTexts frees the texts entry e (applied to st) recorded: the rules
// checked them when it was applied, and no later entry reads them (a
// decision reads the hashes the version lists), so the audit's state
// keeps none. Otherwise the state would hold every text of the history,
// and a remote could make it hold any number: a text is kept even when
// the entry that adds it breaks the rules (a forged one, say), and one
// blob may be named as the text of any number of documents.
func dropTexts(st *rules.State, e *rules.Entry) {
	if e.Kind != rules.KindPropose && e.Kind != rules.KindAmend {
		return
	}
	if ds := st.Docs[e.Doc]; ds != nil {
		for _, vs := range ds.Versions {
			if len(vs.Texts) > 0 {
				vs.Texts = map[string][]byte{} // as a kept state reads back
			}
		}
	}
}

// entryRead is one commit of the history and the files it changes from
// its first parent, or the error that stopped the reading.
type entryRead struct {
	c       *gitstore.Commit
	changes []gitstore.Change
	err     error
}

// readAhead is how many entries the reading goroutine may be ahead, and
// how many MiB of their files (readAheadUnit each) it may hold: an entry
// counts one unit and one more per MiB it changes, at most readAhead (one
// entry may hold gitstore.MaxChangeBytes).
const (
	readAhead     = 64
	readAheadUnit = 1 << 20
)

// weight is how many readAheadUnit r counts for.
func (r *entryRead) weight() int {
	var n int
	for _, ch := range r.changes {
		n += len(ch.Data)
	}
	return min(1+n/readAheadUnit, readAhead)
}

// readEntries returns next, which gives the commits ids[from:] (ids is a
// history, root first) in order with their changes, and stop, after which
// repo is no longer read.
// With ahead, a goroutine reads up to readAhead entries (or MiB of their
// files, see weight) ahead of next;
// otherwise next reads each entry when called. Nothing is read after an
// error.
func readEntries(repo *gitstore.Repo, ids []string, from int, ahead bool) (next func() entryRead, stop func()) {
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
		p := from
		return func() entryRead { p++; return read(p - 1) }, func() {}
	}
	out := make(chan entryRead, readAhead)
	// units holds a token for each readAheadUnit the entries in out hold.
	units := make(chan struct{}, readAhead)
	done := make(chan struct{})
	go func() {
		defer close(out)
		for p := from; p < len(ids); p++ {
			r := read(p)
			for range r.weight() {
				select {
				case units <- struct{}{}:
				case <-done:
					return
				}
			}
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
	return func() entryRead {
		r, ok := <-out
		for range r.weight() {
			if ok {
				<-units
			}
		}
		return r
	}, stop
}

// commitOf gives the rules what they judge of a commit.
func commitOf(c *gitstore.Commit) *rules.Commit {
	return &rules.Commit{Payload: c.Payload, Signature: c.Signature, Author: c.Email, Committer: c.CommitterEmail}
}

// commitProblems reports the rules a commit breaks.
func commitProblems(errs []error, problem func(code, path, format string, args ...any)) {
	for _, err := range errs {
		code, path, msg := ruleProblem(err)
		problem(code, path, "%s", msg)
	}
}

// ruleProblem returns the code, file and message of a rule err breaks: a
// *rules.RuleError's own, CodeRuleBroken when it names none.
func ruleProblem(err error) (code, path, msg string) {
	var re *rules.RuleError
	if !errors.As(err, &re) {
		return CodeRuleBroken, "", err.Error()
	}
	if re.Code == "" {
		return CodeRuleBroken, re.Path, re.Msg
	}
	return re.Code, re.Path, re.Msg
}

// newReport returns an empty report of head: every list empty, not nil.
func newReport(head string) *Report {
	return &Report{Head: head, Problems: []Problem{}, Ratified: []RatifiedVersion{}, Stewards: []Anchor{},
		Documents: []DocumentReport{}, Checkpoints: []CheckpointReport{}, Notes: []string{}}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
