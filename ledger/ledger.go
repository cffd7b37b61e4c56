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
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// Env carries the clock and randomness into operations that write, and
// the cache their reads may use (nil: none).
type Env struct {
	Now   func() time.Time
	Rand  io.Reader
	Cache Cache
	// Git is the path of the git program clone and sync reach remotes
	// with; "" makes them use go-git's built-in transport instead.
	Git string
	// Glyphs is the coverage every field and text written must have, so
	// that no entry can make a later export fail: the commands pass
	// documents/pdf.Coverage. Writes of free text or texts (Init, Propose,
	// Amend, a roster change that adds a member or gives a reason) fail
	// closed when it is nil; decisions and approvals, which carry no text,
	// do not need it.
	Glyphs Glyphs
	// DryRun, when set, makes every write run all its checks and build its
	// entry, then hand the entry to DryRun instead of writing it: the
	// ledger is left as it was, and results name no commit.
	DryRun func(*PlannedEntry)
	// StepHook, when set, is called with the step's name between the
	// steps of every write (objects written, branch locked, pushed…), so
	// that tests can stop a process, or race another writer, at each one.
	StepHook func(step string)
}

// Ledger is an open ledger at one head.
type Ledger struct {
	Dir  string
	repo *gitstore.Repo
	head string
	// cache keeps the states this ledger's reads compute; nil: none.
	cache Cache
	// rosterKey is the cache's key of the roster st was read as, "" once
	// an entry was applied to st or without a cache: documents are then
	// neither read from nor filed in the cache.
	rosterKey string
	entry     int // position of the head entry
	st        *rules.State
	// dryRun receives the entry appendEntry would write (Env.DryRun).
	dryRun func(*PlannedEntry)
}

// ID returns the ledger id: the SHA-256 of its genesis entry, in hex.
func (l *Ledger) ID() string { return l.st.ID }

// Genesis returns the founding entry.
func (l *Ledger) Genesis() *rules.Genesis { return l.st.Genesis }

// Head returns the commit id of the head entry.
func (l *Ledger) Head() string { return l.head }

// Entries returns the number of entries.
func (l *Ledger) Entries() int { return l.entry + 1 }

// Open opens the ledger in dir at its head and reads its roster, from the
// repository alone.
func Open(dir string) (*Ledger, error) { return OpenWith(dir, nil) }

// OpenWith is Open with a cache of the states its reads compute (nil:
// none): the roster and the documents read are taken from it when it
// holds them, and filed in it otherwise. Checks that must rest on the
// repository alone (verify, verify-pdf --ledger, sync's check) never use
// one.
func OpenWith(dir string, cache Cache) (*Ledger, error) {
	repo, err := gitstore.Open(dir)
	if err != nil {
		return nil, openError(dir, err, "no git repository there")
	}
	return openRepo(dir, repo, cache)
}

func openRepo(dir string, repo *gitstore.Repo, cache Cache) (*Ledger, error) {
	return openRepoAs(dir, repo, cache, false)
}

// openRepoAs is openRepo; with genesisOnly, the state holds the genesis
// (the ledger's id and founding facts) and no roster, which it does not
// read: for sync, whose audit reads the roster of what it fetches itself.
func openRepoAs(dir string, repo *gitstore.Repo, cache Cache, genesisOnly bool) (*Ledger, error) {
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
	trailerEntry, _, trailed := entryTrailer(c.Message)
	if !trailed {
		if notALedger(repo, head) {
			return nil, &NotLedgerError{Dir: dir, Err: errors.New("its history has no genesis entry and its head no Concord-Entry trailer: it is a git repository, not a ledger")}
		}
		return nil, &InconsistentError{Errs: []error{fmt.Errorf("head commit %.12s has no Concord-Entry trailer", head)}}
	}
	entry, _ := strconv.Atoi(trailerEntry)
	var st *rules.State
	var key string
	if genesisOnly {
		st, err = genesisState(repo, head)
	} else {
		st, key, err = readRoster(repo, head, cache)
	}
	if err != nil {
		var nf *NotLedgerError
		if errors.As(err, &nf) || errors.Is(err, gitstore.ErrNotFound) {
			return nil, &NotLedgerError{Dir: dir, Err: err}
		}
		return nil, err
	}
	return &Ledger{Dir: dir, repo: repo, head: head, entry: entry, st: st, cache: cache, rosterKey: key}, nil
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
	return withLockAs(dir, env, prev, false, fn)
}

// withLockAs is withLockFrom; genesisOnly opens the ledger as openRepoAs
// does.
func withLockAs(dir string, env Env, prev *Ledger, genesisOnly bool, fn func(l *Ledger) error) error {
	repo, err := gitstore.Open(dir)
	if err != nil {
		return openError(dir, err, "no git repository there")
	}
	defer repo.Close()
	repo.UseGit(env.Git)
	repo.SetStepHook(env.StepHook)
	if err := repo.EnsureFile(lockName); err != nil {
		return fmt.Errorf("taking the ledger lock: %w", err)
	}
	unlock, err := lock(repo.GitDir())
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
			return fn(&Ledger{Dir: dir, repo: repo, head: head, entry: prev.entry, st: prev.st, cache: prev.cache, rosterKey: prev.rosterKey, dryRun: env.DryRun})
		}
	}
	l, err := openRepoAs(dir, repo, env.Cache, genesisOnly)
	if err != nil {
		return err
	}
	l.dryRun = env.DryRun
	return fn(l)
}

// checkSigner checks that signer holds actor's key valid for the next entry.
func (l *Ledger) checkSigner(actor string, signer ssh.Signer) error {
	return l.checkKey(actor, signer.PublicKey())
}

// checkKey checks that pub is actor's key valid for the next entry.
func (l *Ledger) checkKey(actor string, pub ssh.PublicKey) error {
	key, err := l.st.ActiveKey(actor, l.entry+1)
	if err != nil {
		return refusedFor(RefusedNotEnrolled, RefusedError{Actor: actor}, "%v", err)
	}
	if !signing.SameKey(key, pub) {
		return refusedFor(RefusedWrongKey, RefusedError{Actor: actor},
			"the key you sign with (%s) is not %s's enrolled key (%s)",
			signing.Fingerprint(pub), actor, signing.Fingerprint(key))
	}
	return nil
}

// appendEntry writes files as the next entry, committed and signed by
// actor with signer.
func (l *Ledger) appendEntry(actor string, signer ssh.Signer, kind, summary string, files map[string][]byte, when time.Time) (string, error) {
	p := l.entry + 1
	if l.dryRun != nil {
		l.dryRun(&PlannedEntry{Entry: p, Kind: kind, Actor: actor, Summary: summary, Files: files})
		return "", nil
	}
	name := actor
	if m, ok := l.st.Members[actor]; ok {
		name = m.Name
	}
	msg := entryMessage(summary, p, kind)
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
	Stewards  []rules.Member
	Founder   string     // the steward who writes the genesis entry
	Signer    ssh.Signer // the founder's key
}

// Init founds a ledger in dir, which must be absent or empty. On failure
// nothing is left behind.
func Init(dir string, env Env, opts InitOptions) (l *Ledger, err error) {
	fields := []field{{name: "title", value: opts.Title, max: maxTitle}}
	for i := range opts.Stewards {
		fields = append(fields, memberFields(&opts.Stewards[i])...)
	}
	if err := checkFields(env.Glyphs, fields...); err != nil {
		return nil, err
	}
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
	g := &rules.Genesis{
		Format: rules.FormatVersion, Title: opts.Title, Demo: opts.Demo, Created: rules.FormatTime(env.Now()),
		Nonce: hex.EncodeToString(nonce), Founder: opts.Founder, Threshold: opts.Threshold, Stewards: opts.Stewards,
	}
	raw := rules.EncodeJSON(g)
	st := rules.NewState()
	if errs := st.ApplyGenesis(raw); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.(*rules.RuleError).Msg
		}
		return nil, refused("", "%s", strings.Join(msgs, "; "))
	}
	founder := st.Members[opts.Founder]
	if !signing.SameKey(founder.Keys[0].Key, opts.Signer.PublicKey()) {
		return nil, refused("sign with the founder's own key", "the key you sign with (%s) is not founder %s's key (%s)",
			signing.Fingerprint(opts.Signer.PublicKey()), opts.Founder, signing.Fingerprint(founder.Keys[0].Key))
	}
	if env.DryRun != nil {
		undo()
		env.DryRun(&PlannedEntry{Entry: 0, Kind: rules.KindGenesis, Actor: opts.Founder, Summary: fmt.Sprintf("Found the ledger %q", opts.Title),
			Files: map[string][]byte{rules.GenesisPath: raw}})
		return nil, nil
	}
	repo, err := gitstore.Init(dir)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	msg := entryMessage(fmt.Sprintf("Found the ledger %q", opts.Title), 0, rules.KindGenesis)
	head, err := repo.Append(gitstore.NewCommit{
		Files: map[string][]byte{rules.GenesisPath: raw}, Message: msg, Name: founder.Name, Email: opts.Founder,
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
	l.rosterKey = "" // the state no longer is the one its key names
	e, err := rules.Classify(p, files)
	if err == nil && e.Actor != actor {
		err = fmt.Errorf("entry is %s's, not %s's", e.Actor, actor)
	}
	if err == nil {
		if errs := e.Apply(l.st); len(errs) > 0 {
			err = errors.Join(errs...)
		}
	}
	if err != nil {
		return fmt.Errorf("internal error: concord built an entry its own audit rejects (nothing was written): %w", err)
	}
	return nil
}
