package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/signing"
)

// Env carries the clock and randomness into operations that write.
type Env struct {
	Now  func() time.Time
	Rand io.Reader
	// Git is the path of the git program clone and sync reach remotes
	// with; "" makes them use go-git's built-in transport instead.
	Git string
}

// Ledger is an open ledger at one head.
type Ledger struct {
	Dir  string
	repo *gitstore.Repo
	head string
	// noCache keeps this ledger's reads away from the state cache.
	noCache bool
	entry   int // position of the head entry
	st      *State
}

// ID returns the ledger id: the SHA-256 of its genesis entry, in hex.
func (l *Ledger) ID() string { return l.st.ID }

// Genesis returns the founding entry.
func (l *Ledger) Genesis() *Genesis { return l.st.Genesis }

// Head returns the commit id of the head entry.
func (l *Ledger) Head() string { return l.head }

// Entries returns the number of entries.
func (l *Ledger) Entries() int { return l.entry + 1 }

// Open opens the ledger in dir at its head and reads its roster.
func Open(dir string) (*Ledger, error) {
	repo, err := gitstore.Open(dir)
	if err != nil {
		return nil, &NotLedgerError{Dir: dir, Err: errors.New("no git repository there")}
	}
	return openRepo(dir, repo, true)
}

// openUncached is Open without the state cache, for checks that must rest
// on the repository alone.
func openUncached(dir string) (*Ledger, error) {
	repo, err := gitstore.Open(dir)
	if err != nil {
		return nil, &NotLedgerError{Dir: dir, Err: errors.New("no git repository there")}
	}
	return openRepo(dir, repo, false)
}

func openRepo(dir string, repo *gitstore.Repo, useCache bool) (*Ledger, error) {
	head, err := repo.Head()
	if err != nil {
		return nil, err
	}
	if head == "" {
		return nil, &NotLedgerError{Dir: dir, Err: errors.New("the repository has no entries")}
	}
	c, err := repo.ReadCommit(head)
	if err != nil {
		return nil, err
	}
	m := entryTrailer.FindStringSubmatch(c.Message)
	if m == nil {
		return nil, &InconsistentError{Errs: []error{fmt.Errorf("head commit %.12s has no Concord-Entry trailer", head)}}
	}
	entry, _ := strconv.Atoi(m[1])
	st, err := readRoster(repo, head, useCache)
	if err != nil {
		var nf *NotLedgerError
		if errors.As(err, &nf) || errors.Is(err, gitstore.ErrNotFound) {
			return nil, &NotLedgerError{Dir: dir, Err: err}
		}
		return nil, err
	}
	return &Ledger{Dir: dir, repo: repo, head: head, entry: entry, st: st, noCache: !useCache}, nil
}

// Close releases the files the ledger's repository keeps open. A ledger
// that is not closed releases them when it is garbage collected.
func (l *Ledger) Close() error { return l.repo.Close() }

// withLock opens the ledger in dir, takes its lock and calls fn with the
// ledger as it is under the lock.
func withLock(dir string, env Env, fn func(l *Ledger) error) error {
	return withLockFrom(dir, env, nil, fn)
}

// withLockFrom is withLock reusing prev, the ledger in dir as read before
// the lock was taken, when the head has not moved since: the head names
// the whole tree, so prev's state is the one a new read would give. prev
// must not be used again: fn may change its state.
func withLockFrom(dir string, env Env, prev *Ledger, fn func(l *Ledger) error) error {
	repo, err := gitstore.Open(dir)
	if err != nil {
		return &NotLedgerError{Dir: dir, Err: errors.New("no git repository there")}
	}
	defer repo.Close()
	repo.UseGit(env.Git)
	unlock, err := lock(repo.GitDir(), env.Now())
	if err != nil {
		return err
	}
	defer unlock()
	if prev != nil {
		head, err := repo.Head()
		if err != nil {
			return err
		}
		if head == prev.head {
			return fn(&Ledger{Dir: dir, repo: repo, head: head, entry: prev.entry, st: prev.st, noCache: prev.noCache})
		}
	}
	l, err := openRepo(dir, repo, true)
	if err != nil {
		return err
	}
	return fn(l)
}

// checkSigner checks that signer holds actor's key valid for the next entry.
func (l *Ledger) checkSigner(actor string, signer ssh.Signer) error {
	key, err := l.st.activeKey(actor, l.entry+1)
	if err != nil {
		return refused("'concord roster list' shows who is enrolled", "%v", err)
	}
	if !signing.SameKey(key, signer.PublicKey()) {
		return refused("sign with the key enrolled for "+actor+" (see 'concord roster list')",
			"the key you sign with (%s) is not %s's enrolled key (%s)",
			signing.Fingerprint(signer.PublicKey()), actor, signing.Fingerprint(key))
	}
	return nil
}

// appendEntry writes files as the next entry, committed and signed by
// actor with signer.
func (l *Ledger) appendEntry(actor string, signer ssh.Signer, kind, summary string, files map[string][]byte, when time.Time) (string, error) {
	p := l.entry + 1
	name := actor
	if m, ok := l.st.members[actor]; ok {
		name = m.Name
	}
	msg := fmt.Sprintf("%s\n\nConcord-Entry: %d\nConcord-Kind: %s\n", summary, p, kind)
	id, err := l.repo.Append(gitstore.NewCommit{
		Parent: l.head, Files: files, Message: msg, Name: name, Email: actor, When: when.UTC().Truncate(time.Second),
		Sign: func(payload []byte) ([]byte, error) { return signing.Sign(signer, signing.GitNamespace, payload) },
	})
	if errors.Is(err, gitstore.ErrHeadMoved) {
		return "", fmt.Errorf("the ledger changed while this entry was written; nothing was added, run the command again")
	}
	if err != nil {
		return "", fmt.Errorf("writing entry %d: %w", p, err)
	}
	l.head, l.entry = id, p
	return id, nil
}

// InitOptions describe a new ledger.
type InitOptions struct {
	Title     string
	Demo      bool
	Threshold int
	Stewards  []Member
	Founder   string     // the steward who writes the genesis entry
	Signer    ssh.Signer // the founder's key
}

// Init founds a ledger in dir, which must be absent or empty. On failure
// nothing is left behind.
func Init(dir string, env Env, opts InitOptions) (l *Ledger, err error) {
	undo, err := claimFolder(dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			undo()
		}
	}()
	nonce := make([]byte, 16)
	if _, err := io.ReadFull(env.Rand, nonce); err != nil {
		return nil, fmt.Errorf("drawing the ledger nonce: %w", err)
	}
	for i := range opts.Stewards {
		opts.Stewards[i].Steward = true
	}
	g := &Genesis{
		Format: FormatVersion, Title: opts.Title, Demo: opts.Demo, Created: formatTime(env.Now()),
		Nonce: hex.EncodeToString(nonce), Founder: opts.Founder, Threshold: opts.Threshold, Stewards: opts.Stewards,
	}
	raw := encodeJSON(g)
	st := newState()
	if errs := st.applyGenesis(raw); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.(*ruleError).msg
		}
		return nil, refused("", "%s", strings.Join(msgs, "; "))
	}
	founder := st.members[opts.Founder]
	if !signing.SameKey(founder.keys[0].key, opts.Signer.PublicKey()) {
		return nil, refused("sign with the founder's own key", "the key you sign with (%s) is not founder %s's key (%s)",
			signing.Fingerprint(opts.Signer.PublicKey()), opts.Founder, signing.Fingerprint(founder.keys[0].key))
	}
	repo, err := gitstore.Init(dir)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	msg := fmt.Sprintf("Found the ledger %q\n\nConcord-Entry: 0\nConcord-Kind: %s\n", opts.Title, KindGenesis)
	head, err := repo.Append(gitstore.NewCommit{
		Files: map[string][]byte{genesisPath: raw}, Message: msg, Name: founder.Name, Email: opts.Founder,
		When: env.Now().UTC().Truncate(time.Second),
		Sign: func(payload []byte) ([]byte, error) { return signing.Sign(opts.Signer, signing.GitNamespace, payload) },
	})
	if err != nil {
		return nil, fmt.Errorf("writing the genesis entry: %w", err)
	}
	return &Ledger{Dir: dir, repo: repo, head: head, st: st}, nil
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

// verifyEntry runs the files of a new entry through the audit's own rules
// before they are written, applying them to l's state: concord never writes
// an entry that 'concord verify' would reject.
func (l *Ledger) verifyEntry(files map[string][]byte, actor string) error {
	p := l.entry + 1
	l.st.cacheKey = "" // the state no longer is the one its key names
	e, err := classify(p, files)
	if err == nil && e.actor != actor {
		err = fmt.Errorf("entry is %s's, not %s's", e.actor, actor)
	}
	if err == nil {
		if errs := e.apply(l.st); len(errs) > 0 {
			err = errors.Join(errs...)
		}
	}
	if err != nil {
		return fmt.Errorf("internal error: concord built an entry its own audit rejects (nothing was written): %w", err)
	}
	return nil
}
