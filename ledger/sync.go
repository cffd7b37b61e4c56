package ledger

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/internal/shellword"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// Refs of concord's own beside the branch.
const (
	// syncedRef is the recorded remote's head as of the last successful
	// clone or sync with it: its history must always extend it. A sync
	// with another remote (--remote) does not move it, and holds that
	// remote to it unless the remote is behind the local ledger.
	syncedRef = "refs/concord/synced"
	// incomingRef names what a fetch brought: in the fetch's quarantine
	// until the audit accepts it, then in the ledger (gitstore.KeepFetched).
	incomingRef = "refs/concord/incoming"
)

// DefaultSyncAttempts is how often Sync fetches and pushes again when the
// remote moved while it worked.
const DefaultSyncAttempts = 5

// RemoteError is a failure to reach or talk to the remote (network, time
// out, corrupt data, credentials or host key refused, a push the server's
// rules refused). Nothing local was lost. URL is masked (RedactURL).
type RemoteError struct {
	URL   string
	Op    string // "fetching", "pushing"
	Err   error
	Local int // entries of the local ledger the remote does not have
	// Fetched and Recreated are what earlier steps of the failed sync did
	// to the local ledger: entries it took from the remote (audited) and
	// local entries it re-created on top of them; 0 and 0 when the ledger
	// is as it was.
	Fetched, Recreated int
	// Clone is set for a clone's failure: there is no local ledger (the
	// folder is left as it was).
	Clone bool
}

// keptText says what a failed sync left in the local ledger: its branch
// as it was, or with fetched entries taken and local ones re-created on
// them; and how many local entries the remote does not have.
func keptText(fetched, recreated, local int) string {
	kept := "nothing was lost: the ledger is as it was"
	if fetched > 0 || recreated > 0 {
		kept = fmt.Sprintf("nothing was lost: the ledger took %s from the remote", rules.CountNoun(fetched, "audited entry", "audited entries"))
		if recreated > 0 {
			kept += fmt.Sprintf(" and re-created %s of its own on top", rules.CountNoun(recreated, "entry", "entries"))
		}
	}
	if local > 0 {
		sep := ", with "
		if fetched > 0 || recreated > 0 {
			sep = ", and has "
		}
		kept += sep + rules.CountNoun(local, "entry", "entries") + " the remote does not have"
	}
	return kept
}

func (e *RemoteError) Error() string {
	what := "unreachable or failing"
	if e.TimedOut() {
		what = "timed out"
	} else if k, ok := e.Kind(); ok {
		what = k.String()
	}
	kept := "nothing was created"
	if !e.Clone {
		kept = keptText(e.Fetched, e.Recreated, e.Local)
	}
	return fmt.Sprintf("remote %s %s while %s: %v; %s", e.URL, what, e.Op, e.Err, kept)
}

func (e *RemoteError) Unwrap() error { return e.Err }

// TimedOut reports whether the remote failed to answer in the time given.
func (e *RemoteError) TimedOut() bool { return errors.Is(e.Err, context.DeadlineExceeded) }

// Kind returns what kind of failure it was, when the transport said.
func (e *RemoteError) Kind() (gitstore.NetKind, bool) {
	var ne *gitstore.NetError
	if errors.As(e.Err, &ne) {
		return ne.Kind, true
	}
	return gitstore.NetFailed, false
}

// Hint says what to do next.
func (e *RemoteError) Hint() string {
	if errors.Is(e.Err, gitstore.ErrReadDeadline) {
		return "what the remote sent takes long to read (a very long ledger, or objects built to be slow to read): allow more time with --timeout, or ask whoever keeps the remote"
	}
	if e.TimedOut() {
		return "check the network, or allow more time with --timeout, then run the command again"
	}
	k, _ := e.Kind()
	switch k {
	case gitstore.NetAuthRefused:
		if strings.Contains(e.URL, "***") {
			// The address as printed has its credentials masked: as a
			// command it would send "***".
			return "check that your ssh key, token, credential helper or ~/.netrc gives you access: 'git ls-remote' with the remote's address and its credentials shows what git is told"
		}
		return fmt.Sprintf("check that your ssh key, token, credential helper or ~/.netrc gives you access: 'git ls-remote %s' shows what git is told", shellword.Quote(e.URL))
	case gitstore.NetHostKeyUnknown:
		return "check the server's host key fingerprint with whoever keeps it, then add it to ~/.ssh/known_hosts (connecting once with ssh asks)"
	case gitstore.NetHostKeyRevoked:
		return "the server showed a key known_hosts marks as stolen (@revoked): this may be an attack; do not connect, and ask whoever keeps the server which key it now uses"
	case gitstore.NetHostKeyChanged:
		return "the server's key is not the one known_hosts recorded: this may be an attack; ask whoever keeps the server before replacing the key (ssh-keygen -R HOST)"
	case gitstore.NetCertificateName:
		return "the server's certificate is for another host name than the address's: use the host name the certificate names, or ask whoever keeps the server; if neither explains it, someone may be in between"
	case gitstore.NetCertificate:
		return "give git your institution's CA: git config --global http.sslCAInfo FILE (or GIT_SSL_CAINFO)"
	case gitstore.NetRefused:
		return "the remote's own rules refused the entries (a hook, or a checked-out branch): ask whoever keeps the remote; your entries stay here"
	case gitstore.NetNotFound:
		return "check the remote's address: no repository is there"
	case gitstore.NetNoGit:
		return "install git, or set $CONCORD_GIT to the git program's path, or CONCORD_GIT=off for the built-in transport"
	case gitstore.NetRemoteLocked:
		return "another push to the remote may be under way: run the same command again; if it keeps failing, ask whoever keeps the remote to remove refs/heads/main.lock there (a git killed while it moved the branch leaves it)"
	case gitstore.NetUnsupported:
		return "concord reads ledgers in git's default format (sha1 objects): ask whoever keeps the remote to keep it in one"
	case gitstore.NetCredentialsInURL:
		return "your git is set to refuse credentials in an address (transfer.credentialsInUrl): give the address without them, and the token through a credential helper or ~/.netrc"
	case gitstore.NetProxyUnreachable:
		return "check the proxy git is given (http.proxy, https_proxy or HTTPS_PROXY): it does not answer; start it, or unset it if the remote needs none"
	case gitstore.NetProxyRefused:
		return "check the proxy git is given (http.proxy, https_proxy or HTTPS_PROXY) and the credentials it wants, or ask whoever keeps it"
	}
	return "check the remote's address and the network, then run the same command again"
}

// remoteError returns the RemoteError for err, met while doing op; when
// ctx has ended (timed out or cancelled), the error says so, whatever
// the transport made of it. url is masked.
func remoteError(ctx context.Context, url, op string, err error, local int) *RemoteError {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%v)", cerr, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// Go's wording, perhaps twice ("context deadline exceeded
		// (context deadline exceeded)"): the time given ran out.
		err = &maskedError{msg: "the time given ran out", err: err}
	}
	if msg := err.Error(); gitstore.Scrub(msg, url) != msg {
		err = &maskedError{msg: gitstore.Scrub(msg, url), err: err}
	}
	return &RemoteError{URL: gitstore.RedactURL(url), Op: op, Err: err, Local: local}
}

// maskedError is err with the credentials of a URL masked in its text.
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// readBy returns ctx's deadline, or the zero time: what was fetched is
// read within the time the command was given too (VerifyOptions.ReadBy).
func readBy(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// notALedgerRemote is the refusal of a remote whose branch main holds a
// git history that is not a concord ledger (no genesis entry at its root,
// no entry trailer at its head): a wrong address, not evidence of
// anything.
func notALedgerRemote(shown string) error {
	return refused("check the address: a ledger's history starts with its genesis entry (genesis.json)",
		"remote %s holds a git repository, not a concord ledger", shown)
}

// RemoteRejectedError is returned when what the remote holds cannot be
// accepted: it fails the audit, is another ledger, or rewrote or rolled back
// history this ledger had from it. The local ledger is unchanged.
type RemoteRejectedError struct {
	URL    string
	Reason string
	Report *Report // the audit of the remote's head, when that failed
}

func (e *RemoteRejectedError) Error() string {
	return fmt.Sprintf("refused the history of remote %s: %s; the local ledger is unchanged", e.URL, e.Reason)
}

// Hint says what to do next (callers add how to compare checkpoints).
func (e *RemoteRejectedError) Hint() string {
	return "do not build on this remote; tell whoever keeps it, and compare checkpoints"
}

// InvalidEvidence marks this as tampered evidence (exit status 3).
func (e *RemoteRejectedError) InvalidEvidence() bool { return true }

// SyncedRefMissingError is returned when refs/concord/synced, the remote's
// head at the last sync, names a commit the ledger does not hold (the ref
// or the objects were changed by hand, or the repository is damaged):
// whether the remote rewrote or rolled back its history since cannot be
// checked. It is an operational error, not evidence against the remote.
type SyncedRefMissingError struct {
	Dir string // the ledger's folder
	ID  string // the commit the ref names
}

func (e *SyncedRefMissingError) Error() string {
	return fmt.Sprintf("%s names commit %s, which this ledger does not hold: whether the remote rolled back since the last sync cannot be checked; nothing was changed", syncedRef, e.ID)
}

// Hint says what to do next.
func (e *SyncedRefMissingError) Hint() string {
	return fmt.Sprintf("if you trust the remote's history, remove the ref (git -C %s update-ref -d %s) and sync again: the rollback check then starts from that sync", shellword.Quote(e.Dir), syncedRef)
}

// RemoteBusyError is returned when the remote moved on every attempt.
type RemoteBusyError struct {
	URL      string
	Attempts int
	Local    int // entries of the local ledger the remote does not have
	// Fetched and Recreated: as in RemoteError.
	Fetched, Recreated int
}

func (e *RemoteBusyError) Error() string {
	return fmt.Sprintf("remote %s changed during each of %d attempts to sync; %s", e.URL, e.Attempts, keptText(e.Fetched, e.Recreated, e.Local))
}

// Hint says what to do next.
func (e *RemoteBusyError) Hint() string { return "run the same command again" }

// SyncResult says what a clone or sync did.
type SyncResult struct {
	Remote    string `json:"remote"` // credentials masked (gitstore.RedactURL)
	Ledger    string `json:"ledger"`
	Head      string `json:"head"`
	Entries   int    `json:"entries"`
	Fetched   int    `json:"fetched"`   // entries taken from the remote
	Pushed    int    `json:"pushed"`    // entries sent to the remote
	Recreated int    `json:"recreated"` // local entries re-created on top of the remote's
	Attempts  int    `json:"attempts"`
	// Transport is what reached the remote: "git" (the git program) or
	// "go-git" (the built-in fallback).
	Transport string `json:"transport"`
	// RemoteHeadNotMain is set when this sync gave the ledger to an empty
	// remote whose HEAD does not name main (it was made with another
	// default branch): stock git clones of it show no history and
	// 'verify' of it reports the overlay, until HEAD is set on the server.
	// Checked through git only.
	RemoteHeadNotMain bool `json:"remote_head_not_main"`
	// CheckoutLeft says why the sync, which moved the branch of a
	// checkout (a non-bare clone), left its files as they were: one of
	// gitstore's CheckoutLeft constants; "" when it brought them forward
	// or there is no checkout. git status there then shows the new
	// entries as deleted files.
	CheckoutLeft string `json:"checkout_left"`
	// ServerMessages are what the remote's hooks said when it took the
	// push ("remote: …" lines, through git only).
	ServerMessages []string `json:"server_messages,omitempty"`
	// RecreatedEntries are this ledger's entries that the sync wrote
	// again on top of the remote's new entries (Recreated of them), in
	// order: each has a new position and commit, and its old commit is no
	// longer in the ledger's history (a head recorded before the sync,
	// e.g. for 'verify --since', is gone with it).
	RecreatedEntries []RecreatedEntry `json:"recreated_entries"`
	// Ratified are the versions ratified by an entry the sync (or clone)
	// took from the remote or re-created, by position: what this ledger
	// did not hold ratified, or held ratified at another entry, before.
	Ratified []RatifiedVersion `json:"ratified"`

	// resumed is how many entries the audit of what was fetched took from
	// the state kept for the head accepted last, instead of replaying
	// them (see loadAccepted).
	resumed int
}

// RecreatedEntry is one entry a sync re-created on top of the remote's
// new entries: the same signed statements, at a new position, in a new
// commit signed again by its signatory.
type RecreatedEntry struct {
	Was       int    `json:"was"`        // its position before the sync
	WasCommit string `json:"was_commit"` // its commit before the sync, 40 hex digits
	Entry     int    `json:"entry"`      // its position now
	Commit    string `json:"commit"`     // its commit now
}

// ratifiedFrom returns the versions of rep ratified at entry from or
// later, by entry.
func ratifiedFrom(rep *Report, from int) []RatifiedVersion {
	out := []RatifiedVersion{}
	if rep == nil {
		return out
	}
	for _, r := range rep.Ratified {
		if r.Entry >= from {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b RatifiedVersion) int { return a.Entry - b.Entry })
	return out
}

// firstRecreated returns the entries an attempt re-created (now), each
// with the position and commit it had before the sync: an entry an earlier
// attempt re-created (before) is re-created again by a later one, after
// a push that lost a race, and was what it was before the first.
func firstRecreated(before, now []RecreatedEntry) []RecreatedEntry {
	out := make([]RecreatedEntry, len(now))
	for i, r := range now {
		for _, b := range before {
			if b.Commit == r.WasCommit {
				r.Was, r.WasCommit = b.Was, b.WasCommit
			}
		}
		out[i] = r
	}
	return out
}

// absURL turns a local path into an absolute one; URLs are kept. As git
// reads an address: one with "://" is a URL, one with a ':' before any '/'
// is scp-like ([user@]host:path, a host possibly named in ~/.ssh/config),
// anything else is a path.
func absURL(url string) (string, error) {
	if strings.Contains(url, "://") {
		return url, nil
	}
	if c := strings.IndexByte(url, ':'); c > 0 {
		if s := strings.IndexByte(url, '/'); s < 0 || c < s {
			return url, nil
		}
	}
	return filepath.Abs(url)
}

// Clone copies the ledger at url into dir (which must be absent or empty),
// accepting it only if it verifies; otherwise dir is left as it was.
func Clone(ctx context.Context, url, dir string, env Env) (res *SyncResult, err error) {
	undo, err := claimFolder(dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			undo()
		}
	}()
	if url, err = absURL(url); err != nil {
		return nil, err
	}
	repo, err := gitstore.Init(dir)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	defer repo.Close()
	// The folder is a repository from here on: a concord writer pointed at
	// it meanwhile would take the lock and remove the fetch's quarantine
	// as a killed sync's (lock); the clone holds the lock to its end.
	if err := repo.EnsureFile(lockName); err != nil {
		return nil, fmt.Errorf("taking the ledger lock: %w", err)
	}
	unlock, err := lock(repo.GitDir())
	if err != nil {
		return nil, err
	}
	defer unlock()
	repo.UseGit(env.Git)
	repo.SetStepHook(env.StepHook)
	shown := gitstore.RedactURL(url)
	head, err := repo.Fetch(ctx, url, incomingRef)
	var nb *gitstore.NoBranchError
	if errors.As(err, &nb) {
		return nil, refused("check the address: a ledger is kept in the branch main", "remote %s holds no ledger: %v", shown, nb)
	}
	if errors.Is(err, gitstore.ErrNoRemoteBranch) {
		return nil, refused("check the address", "remote %s holds no ledger", shown)
	}
	if we := (*gitstore.WriteError)(nil); errors.As(err, &we) {
		return nil, err // this disk's doing, not the remote's
	}
	if err != nil {
		re := remoteError(ctx, url, "fetching", err, 0)
		re.Clone = true
		return nil, re
	}
	if notALedger(repo, head) {
		return nil, discard(repo, notALedgerRemote(shown))
	}
	rep, err := verifyRepo(repo, head, VerifyOptions{ReadBy: readBy(ctx)})
	if err != nil {
		return nil, discard(repo, &RemoteError{URL: shown, Op: "reading what was fetched", Err: err, Clone: true})
	}
	if !rep.OK() {
		return nil, discard(repo, &RemoteRejectedError{URL: shown, Reason: fmt.Sprintf("it does not verify: %s, the first: %s", rules.CountNoun(len(rep.Problems), "problem", "problems"), rep.Problems[0]), Report: rep})
	}
	finishAccepted := saveAcceptedAsync(repo, head, rep.chain, rep.state)
	defer finishAccepted(false)
	// The objects among the repository's before the branch names them.
	if err := repo.KeepFetched(); err != nil {
		return nil, err
	}
	if err := repo.SetHead(head, ""); err != nil {
		return nil, err
	}
	if err := errors.Join(repo.SetRef(syncedRef, head), repo.SetRef(verifiedRef, head), repo.SetRef(gitstore.TrackingRef, head), repo.SetRemoteURL(url)); err != nil {
		return nil, err
	}
	finishAccepted(true)
	return &SyncResult{Remote: shown, Ledger: rep.Ledger, Head: head, Entries: rep.Entries, Fetched: rep.Entries, Attempts: 1, Transport: repo.Transport(),
		RecreatedEntries: []RecreatedEntry{}, Ratified: ratifiedFrom(rep, 0)}, nil
}

// SyncOptions control Sync.
type SyncOptions struct {
	// Remote is the remote's URL; "" uses the one recorded by clone (a
	// given one is recorded when none is).
	Remote string
	// Signers re-create this ledger's new entries on top of the remote's
	// when both have moved: each entry's commit is signed again with its
	// actor's signer, by roster id, so every actor of those entries needs
	// one.
	Signers map[string]ssh.Signer
	// Attempts bounds how often Sync starts again when the remote moved
	// during a push; 0 means DefaultSyncAttempts.
	Attempts int
}

// Sync fetches the remote's ledger, accepts it only if it verifies, is the
// same ledger and extends what this ledger last had from it; then brings
// the local ledger up to date (fast-forward), or sends the local entries
// (push), re-creating them on top of the remote's new entries first when
// both moved. Nothing local is lost on any failure.
func Sync(ctx context.Context, dir string, env Env, opts SyncOptions) (*SyncResult, error) {
	var res *SyncResult
	// The local state is not needed beyond the ledger's id: the audit
	// builds the state of what is fetched, and re-creating entries reads
	// the roster it needs.
	err := withLockAs(dir, env, nil, true, func(l *Ledger) error {
		r, err := l.sync(ctx, opts)
		res = r
		return err
	})
	return res, err
}

func (l *Ledger) sync(ctx context.Context, opts SyncOptions) (*SyncResult, error) {
	repo := l.repo
	recorded, err := repo.RemoteURL()
	if err != nil {
		return nil, err
	}
	url := opts.Remote
	if url == "" {
		url = recorded
	}
	if url == "" {
		// Stock git's clone -o NAME, or a remote renamed: sync uses
		// origin only, and names the others.
		if others := repo.RemoteNames(); len(others) > 0 {
			return nil, refusedFor(RefusedNoRemote, RefusedError{Remotes: others},
				"this ledger has no remote named %s (it has %s)", gitstore.RemoteName, strings.Join(others, ", "))
		}
		return nil, refusedFor(RefusedNoRemote, RefusedError{}, "this ledger has no remote")
	}
	if url, err = absURL(url); err != nil {
		return nil, err
	}
	// Another remote than the recorded one (a server migration, a
	// mirror) may be new and empty: it is given the ledger.
	other := recorded != "" && url != recorded
	if rec, err := absURL(recorded); err == nil && rec == url {
		other = false
	}
	shown := gitstore.RedactURL(url)
	synced, err := repo.Ref(syncedRef)
	if err != nil {
		return nil, err
	}
	// refs/concord/synced is the recorded remote's head at the last sync,
	// the anchor of the rollback check. A sync with another remote (a
	// mirror, a migration tried out) does not move it, or the next sync
	// with the recorded remote, behind what this one sent, would be
	// refused as rolled back; and holds another remote to it only when
	// that remote is not simply behind this ledger (below).
	if synced != "" {
		// The remote's head at the last sync, which this ledger took: if
		// it is gone, whether the remote rolled back cannot be told.
		if _, err := repo.ReadCommit(synced); errors.Is(err, gitstore.ErrNotFound) {
			return nil, &SyncedRefMissingError{Dir: l.Dir, ID: synced}
		}
	}
	attempts := opts.Attempts
	if attempts <= 0 {
		attempts = DefaultSyncAttempts
	}
	res := &SyncResult{Remote: shown, Ledger: l.ID(), Transport: repo.Transport(), RecreatedEntries: []RecreatedEntry{}, Ratified: []RatifiedVersion{}}
	// firstChain is this ledger's history before the sync: what the
	// re-created entries and the ratifications are reported against.
	var firstChain []*gitstore.Commit
	// moved gives a failure what the attempts before it did to the branch.
	moved := func(re *RemoteError) *RemoteError {
		re.Fetched, re.Recreated = res.Fetched, res.Recreated
		return re
	}
	var pushErr error
	// A push that failed may have arrived all the same: the next fetch
	// then finds the remote at the head it sent (pushedHead), with
	// pushedCount of this ledger's entries on it.
	var pushedHead string
	var pushedCount int
	lastIncoming := ""
	// The walks of the history stop at the head accepted last, whose
	// state is decoded while the fetch runs.
	acc := startAccepted(repo)
	for attempt := 1; attempt <= attempts; attempt++ {
		res.Attempts = attempt
		local, err := repo.Head()
		if err != nil {
			return nil, err
		}
		localIDs, err := repo.FirstParentIDs(local)
		if err != nil {
			return nil, err
		}
		localChain := idChain(localIDs)
		if attempt == 1 {
			firstChain = localChain
		}
		// The remote has what it had at the last sync, and what the last
		// attempt fetched (the branch may hold it since, under entries
		// re-created on it).
		unsent := len(localChain) - max(positionAfter(localChain, synced), positionAfter(localChain, lastIncoming))
		incoming, err := repo.Fetch(ctx, url, incomingRef)
		var incomingChain []*gitstore.Commit
		var incomingRep *Report
		finishAccepted := func(bool) {}
		var nb *gitstore.NoBranchError
		switch {
		case errors.As(err, &nb):
			return nil, refused("check the address: a ledger is kept in the branch main", "remote %s holds no ledger: %v", shown, nb)
		case errors.Is(err, gitstore.ErrNoRemoteBranch):
			if synced != "" && !other {
				return nil, &RemoteRejectedError{URL: shown, Reason: fmt.Sprintf("the remote is empty, but had head %s at the last sync (rolled back)", synced)}
			}
		case errors.As(err, new(*gitstore.RefLockError)), errors.As(err, new(*gitstore.WriteError)):
			return nil, err // a lock or a refused write here, not the remote's doing
		case err != nil:
			return nil, moved(remoteError(ctx, url, "fetching", err, unsent))
		default:
			if notALedger(repo, incoming) {
				return nil, discard(repo, notALedgerRemote(shown))
			}
			anchor := synced
			if other && positionAfter(localChain, incoming) > 0 {
				// Another remote behind this ledger (a stale mirror): it
				// holds nothing new, so nothing it could have rolled back
				// is taken; it is sent what it lacks. One whose history
				// leaves this ledger's before the anchor (a fork) is still
				// refused.
				anchor = ""
			}
			incomingChain, incomingRep, err = l.checkIncoming(ctx, shown, incoming, anchor, acceptedHead(repo, localChain), acc, other)
			if err != nil {
				return nil, discard(repo, err)
			}
			finishAccepted = saveAcceptedAsync(repo, incoming, incomingRep.chain, incomingRep.state)
			defer finishAccepted(false)
			if k := commonPrefix(localChain, incomingChain); k == 0 && len(incomingChain) > 0 {
				return nil, discard(repo, &RemoteRejectedError{URL: shown, Reason: "its history shares no entry with this ledger's"})
			}
			if err := repo.KeepFetched(); err != nil {
				return nil, err
			}
		}
		if pushErr != nil && incoming == lastIncoming {
			// The push failed, and not because the remote moved.
			return nil, moved(remoteError(ctx, url, "pushing", pushErr, unsent))
		}
		if pushErr != nil && incoming == pushedHead {
			res.Pushed = pushedCount // it arrived
		}
		lastIncoming, pushErr = incoming, nil
		k := commonPrefix(localChain, incomingChain)
		var recreatedRatified []RatifiedVersion
		switch {
		case local == incoming:
		case k == len(localChain): // the remote extends the local ledger
			if err := repo.SetHead(incoming, local); err != nil {
				return nil, branchMoved(err)
			}
			res.Fetched += len(incomingChain) - k
		case k < len(incomingChain): // both moved
			mine, err := readCommits(repo, localChain[k:])
			if err != nil {
				return nil, err
			}
			head, recreated, ratified, err := l.recreate(incomingChain, mine, opts)
			if err != nil {
				return nil, err
			}
			l.repo.Step("sync: entries re-created")
			if err := repo.SetHead(head, local); err != nil {
				return nil, branchMoved(err)
			}
			l.repo.Step("sync: branch moved")
			res.Fetched += len(incomingChain) - k
			// An attempt after a lost push re-creates again the
			// entries the last one re-created: the same entries.
			res.Recreated = len(localChain) - k
			res.RecreatedEntries, recreatedRatified = firstRecreated(res.RecreatedEntries, recreated), ratified
		}
		head, err := repo.Head()
		if err != nil {
			return nil, err
		}
		if head != incoming {
			if err := repo.Push(ctx, url, incoming); err != nil {
				var ne *gitstore.NetError
				if ctx.Err() != nil || errors.As(err, &ne) && ne.Kind != gitstore.NetFailed && !errors.Is(err, gitstore.ErrRemoteMoved) {
					// Out of time, or refused for a reason of its own:
					// no point fetching again to see why. (A push that
					// failed otherwise may have arrived: the next fetch
					// tells.)
					chain, _ := repo.FirstParentIDs(head)
					return nil, moved(remoteError(ctx, url, "pushing", err, len(chain)-len(incomingChain)))
				}
				pushErr = err
				if chain, err := repo.FirstParentIDs(head); err == nil {
					pushedHead, pushedCount = head, len(chain)-len(incomingChain)
				}
				continue
			}
			l.repo.Step("sync: pushed")
			res.ServerMessages = repo.ServerMessages()
			if incoming == "" { // the remote was empty: given the ledger
				names, checked := repo.RemoteHeadNamesBranch(ctx, url)
				res.RemoteHeadNotMain = checked && !names
			}
			chain, err := repo.FirstParentIDs(head)
			if err != nil {
				return nil, err
			}
			res.Pushed = len(chain) - len(incomingChain)
		}
		if !other {
			// The remote's main is now head: origin/main says so, as
			// after a git push, or git status in a checkout would show
			// the branch ahead of (or behind) what the remote holds.
			if err := errors.Join(repo.SetRef(syncedRef, head), repo.SetRef(gitstore.TrackingRef, head)); err != nil {
				return nil, err
			}
		}
		if incoming != "" {
			res.resumed = incomingRep.resumed
			if err := repo.SetRef(verifiedRef, incoming); err != nil {
				return nil, err
			}
		}
		if recorded == "" {
			if err := repo.SetRemoteURL(url); err != nil {
				return nil, err
			}
		}
		res.Head = head
		if head != local {
			res.CheckoutLeft = repo.CheckoutLeft()
		}
		// What this ledger held before the sync, up to where its history
		// and the remote's part, is unchanged: ratifications from there
		// on are new, or moved with the entries re-created.
		res.Ratified = append(ratifiedFrom(incomingRep, commonPrefix(firstChain, incomingChain)), recreatedRatified...)
		repo.MaybePack(ctx) // maintenance: the sync is done whatever it says
		if head == incoming {
			res.Entries = len(incomingChain)
		} else if ids, err := repo.FirstParentIDs(head); err == nil {
			res.Entries = len(ids)
		}
		finishAccepted(true)
		return res, nil
	}
	local, _ := repo.Head()
	ids, _ := repo.FirstParentIDs(local)
	busy := &RemoteBusyError{URL: shown, Attempts: attempts, Fetched: res.Fetched, Recreated: res.Recreated}
	if pushErr != nil {
		busy.Local = len(ids) - positionAfter(idChain(ids), lastIncoming)
	}
	return nil, busy
}

// checkIncoming audits what was fetched and checks it may be accepted: the
// same ledger, verifying, and extending the remote head of the last sync.
// The entries up to accepted (a head an earlier audit accepted, see
// acceptedHead; "" for none) are not checked again: when the state kept
// for it is at hand (acc.take) the replay starts after it, otherwise
// every entry is replayed but their signatures are not checked. other
// says the remote was given for this sync and is not the recorded one. It
// returns the fetched history, root first, as commits that hold only
// their ids, and the audit's report.
func (l *Ledger) checkIncoming(ctx context.Context, url, incoming, synced, accepted string, acc *pendingAccepted, other bool) ([]*gitstore.Commit, *Report, error) {
	opts := VerifyOptions{accepted: accepted, ReadBy: readBy(ctx)}
	if accepted != "" {
		opts.resume, opts.resumeHead = acc.take(l.repo, accepted), accepted
	}
	rep, err := verifyRepo(l.repo, incoming, opts)
	if err != nil {
		return nil, nil, &RemoteError{URL: url, Op: "reading what was fetched", Err: err}
	}
	if other && rep.Ledger != "" && rep.Ledger != l.ID() {
		// A remote given for this sync that holds another ledger: a wrong
		// address, whatever that ledger's audit says. (The recorded
		// remote turning into another ledger is a rewrite, below.)
		return nil, nil, refused("check the address: it is not this ledger's remote",
			"remote %s holds another ledger (%s), not this one (%s)", url, rep.Ledger, l.ID())
	}
	if !rep.OK() {
		return nil, nil, &RemoteRejectedError{URL: url, Report: rep,
			Reason: fmt.Sprintf("it does not verify: %s, the first: %s", rules.CountNoun(len(rep.Problems), "problem", "problems"), rep.Problems[0])}
	}
	if rep.Ledger != l.ID() {
		return nil, nil, &RemoteRejectedError{URL: url, Reason: fmt.Sprintf("it holds another ledger (%s, not %s)", rep.Ledger, l.ID())}
	}
	// The history, root first, as the audit read it.
	ids := rep.chain
	if synced != "" && !slices.Contains(ids, synced) {
		return nil, nil, &RemoteRejectedError{URL: url, Reason: fmt.Sprintf("history rewritten or rolled back: the remote's head at the last sync, %s, is not in its history now (head %s)", synced, incoming)}
	}
	return idChain(ids), rep, nil
}

// idChain returns the history ids (root first) as commits that hold only
// their ids.
func idChain(ids []string) []*gitstore.Commit {
	commits := make([]gitstore.Commit, len(ids))
	chain := make([]*gitstore.Commit, len(ids))
	for i, id := range ids {
		commits[i].ID = id
		chain[i] = &commits[i]
	}
	return chain
}

// readCommits reads each commit of chain whole.
func readCommits(repo *gitstore.Repo, chain []*gitstore.Commit) ([]*gitstore.Commit, error) {
	out := make([]*gitstore.Commit, len(chain))
	for i, c := range chain {
		full, err := repo.ReadCommit(c.ID)
		if err != nil {
			return nil, err
		}
		out[i] = full
	}
	return out, nil
}

// branchMoved says what happened when the branch could not be moved
// because another program moved it while the sync ran (the ledger's lock
// binds concord only): the sync accepted nothing, and the entries it may
// have re-created are named by nothing.
func branchMoved(err error) error {
	if !errors.Is(err, gitstore.ErrHeadMoved) {
		return err
	}
	return &maskedError{msg: "the ledger's branch was moved by another program while the sync ran; nothing was accepted, run the sync again", err: err}
}

// discard removes what a fetch refused because of why brought: the
// incoming ref and the quarantine holding its objects (see
// gitstore.DiscardFetched). It returns why, joined with any failure to
// remove.
func discard(repo *gitstore.Repo, why error) error {
	if err := repo.DiscardFetched(incomingRef); err != nil {
		return errors.Join(why, fmt.Errorf("removing what the refused fetch brought: %w", err))
	}
	return why
}

// positionAfter returns the number of entries of chain up to and
// including commit id (0 if it is not in chain).
func positionAfter(chain []*gitstore.Commit, id string) int {
	for i, c := range chain {
		if c.ID == id {
			return i + 1
		}
	}
	return 0
}

func commonPrefix(a, b []*gitstore.Commit) int {
	k := 0
	for k < len(a) && k < len(b) && a[k].ID == b[k].ID {
		k++
	}
	return k
}

// recreate writes the local-only entries again, in order, on top of the
// remote's chain: the same statements and signatures at new positions,
// ratification recomputed, each commit signed again with its actor's
// signer (opts.Signers). It moves no branch and returns the new head, the
// entries it wrote and the versions they ratified. Entries the rules
// cannot place on the remote's ledger are refused, and nothing is
// changed.
func (l *Ledger) recreate(remote, local []*gitstore.Commit, opts SyncOptions) (string, []RecreatedEntry, []RatifiedVersion, error) {
	repo := l.repo
	base := remote[len(remote)-1].ID
	var actors, missing []string // in the order of their first entry
	for _, c := range local {
		if !slices.Contains(actors, c.Email) {
			actors = append(actors, c.Email)
			if opts.Signers[c.Email] == nil {
				missing = append(missing, c.Email)
			}
		}
	}
	needed := RefusedError{Actors: actors, Entries: len(local)}
	if len(opts.Signers) == 0 {
		return "", nil, nil, refusedFor(RefusedKeysNeeded, needed,
			"both this ledger and the remote have new entries since %.12s; your %s must be re-created on top of the remote's", local[0].Parents[0], rules.CountNoun(len(local), "entry", "entries"))
	}
	if len(missing) > 0 {
		keys := "their keys"
		if len(missing) == 1 {
			keys = missing[0] + "'s key"
		}
		what := "entries by %s need"
		if n := len(slices.DeleteFunc(slices.Clone(local), func(c *gitstore.Commit) bool { return !slices.Contains(missing, c.Email) })); n == 1 {
			what = "your entry by %s needs"
		}
		return "", nil, nil, refusedFor(RefusedKeysNeeded, needed,
			what+" %s to be re-created on top of the remote's new entries", strings.Join(missing, ", "), keys)
	}
	st, key, err := readRoster(repo, base, l.cache) // base is verified by now
	if err != nil {
		return "", nil, nil, err
	}
	var recreated []RecreatedEntry
	var ratified []RatifiedVersion
	l2 := &Ledger{Dir: l.Dir, repo: repo, head: base, entry: len(remote) - 1, st: st, cache: l.cache, rosterKey: key}
	prev := local[0].Parents[0]
	for _, c := range local {
		changes, err := repo.Changes(prev, c.ID)
		if err != nil {
			return "", nil, nil, err
		}
		prev = c.ID
		files := map[string][]byte{}
		for _, ch := range changes {
			if ch.Kind != gitstore.Added {
				return "", nil, nil, &InconsistentError{Errs: []error{fmt.Errorf("local entry %.12s: %s %s", c.ID, ch.Path, ch.Kind)}}
			}
			files[ch.Path] = ch.Data
		}
		trailerEntry, _, trailed := entryTrailer(c.Message)
		if !trailed {
			return "", nil, nil, &InconsistentError{Errs: []error{fmt.Errorf("local entry %.12s has no Concord-Entry trailer", c.ID)}}
		}
		old, _ := strconv.Atoi(trailerEntry)
		e, err := rules.Classify(old, files)
		if err != nil {
			return "", nil, nil, &InconsistentError{Errs: []error{fmt.Errorf("local entry %d: %v", old, err)}}
		}
		signer := opts.Signers[c.Email]
		if err := l2.checkSigner(c.Email, signer); err != nil {
			return "", nil, nil, err
		}
		p := l2.entry + 1
		summary, _, _ := strings.Cut(c.Message, "\n")
		moved, summary, err := l2.moveEntry(e, files, old, p, summary, opts)
		if err != nil {
			return "", nil, nil, placeFacts(err, local, repo)
		}
		l2.st.Parent = l2.head
		if err := l2.verifyEntry(moved, e.Actor); err != nil {
			return "", nil, nil, placeFacts(cannotPlace("your entry %d (%s) cannot be placed after the remote's new entries: %v", old, e.Kind, errors.Unwrap(err)), local, repo)
		}
		msg := entryMessage(summary, p, e.Kind)
		id, err := repo.WriteCommit(gitstore.NewCommit{Parent: l2.head, Files: moved, Message: msg, Name: c.Author, Email: c.Email, When: c.When,
			Sign: func(payload []byte) ([]byte, error) { return signing.Sign(signer, signing.GitNamespace, payload) }})
		if err != nil {
			return "", nil, nil, fmt.Errorf("re-creating entry %d as %d: %w", old, p, err)
		}
		l2.head, l2.entry = id, p
		recreated = append(recreated, RecreatedEntry{Was: old, WasCommit: c.ID, Entry: p, Commit: id})
		for f := range moved {
			if pp, _ := rules.ParsePath(f); pp.Kind == rules.PathRatified {
				ratified = append(ratified, RatifiedVersion{Document: pp.Doc, Version: pp.Version, Entry: p})
			}
		}
	}
	return l2.head, recreated, ratified, nil
}

// cannotPlace is the refusal of a local entry that cannot be re-created
// on the remote's new entries (RefusedCannotPlace; placeFacts adds its
// facts).
func cannotPlace(format string, args ...any) error {
	return refusedFor(RefusedCannotPlace, RefusedError{}, format, args...)
}

// placeFacts gives a RefusedCannotPlace in err the facts of re-creating
// local (the local entries after the last one both ledgers share) in
// repo; other errors are returned as they are.
func placeFacts(err error, local []*gitstore.Commit, repo *gitstore.Repo) error {
	var re *RefusedError
	if errors.As(err, &re) && re.Reason == RefusedCannotPlace {
		re.Commit, re.Entries, re.Checkout = local[0].Parents[0], len(local), repo.IsCheckout()
	}
	return err
}

// moveEntry returns the files of entry e (at position old) as they must be
// at position p on l's head, and the commit summary.
func (l *Ledger) moveEntry(e *rules.Entry, files map[string][]byte, old, p int, summary string, opts SyncOptions) (map[string][]byte, string, error) {
	out := map[string][]byte{}
	switch e.Kind {
	case rules.KindRoster, rules.KindApprove:
		for f, data := range files {
			if pp, _ := rules.ParsePath(f); pp.Kind == rules.PathRosterApproval {
				pp.Pos = p
				f = pp.String()
			}
			out[f] = data
		}
	case rules.KindWitness:
		signer := opts.Signers[e.Actor]
		if signer == nil { // the commit's author, whose key recreate has, is the actor
			return nil, "", &InconsistentError{Errs: []error{fmt.Errorf("local entry %d: a witness note by %s in a commit by another", old, e.Actor)}}
		}
		msg, err := signCheckpoint(&rules.Checkpoint{Ledger: l.ID(), Entries: p, Head: l.head}, e.Actor, signer)
		if err != nil {
			return nil, "", err
		}
		out[rules.WitnessFile(p, e.Actor)] = msg
		summary = fmt.Sprintf("Witness the head %.12s (%d entries)", l.head, p)
	case rules.KindPropose, rules.KindAmend:
		ds, err := l.loadDoc(e.Doc)
		var re *RefusedError
		switch {
		case e.Kind == rules.KindPropose && err == nil:
			return nil, "", cannotPlace("document %s was proposed on the remote too (entry %d); your proposal of it cannot be placed", e.Doc, ds.Doc.Entry)
		case e.Kind == rules.KindPropose && errors.As(err, &re):
		case err != nil:
			return nil, "", err
		}
		for f, data := range files {
			switch pp, _ := rules.ParsePath(f); pp.Kind {
			case rules.PathDocument:
				var d rules.Document
				if err := rules.DecodeJSON(data, &d); err != nil {
					return nil, "", err
				}
				d.Entry = p
				data = rules.EncodeJSON(&d)
			case rules.PathVersion:
				var v rules.Version
				if err := rules.DecodeJSON(data, &v); err != nil {
					return nil, "", err
				}
				if e.Kind == rules.KindAmend && v.Number != len(ds.Versions)+1 {
					return nil, "", cannotPlace("both this ledger and the remote amended %s: the remote has version %d already; your amendment cannot be placed", e.Doc, v.Number)
				}
				v.Entry = p
				data = rules.EncodeJSON(&v)
			}
			out[f] = data
		}
	case rules.KindDecision:
		ds, err := l.loadDoc(e.Doc)
		if err != nil {
			return nil, "", err
		}
		var stmt []byte
		var n int
		var who string
		for f, data := range files {
			pp, _ := rules.ParsePath(f)
			if pp.Kind != rules.PathDecision {
				continue // the ratification, recomputed below
			}
			n, who = pp.Version, pp.Who
			pp.Pos = p
			out[pp.String()] = data
			if pp.Ext == "statement" {
				stmt = data
			}
		}
		s, err := signing.ParseStatement(stmt)
		if err != nil || n > len(ds.Versions) {
			return nil, "", cannotPlace("your decision at entry %d on %s v%d cannot be placed", old, e.Doc, n)
		}
		summary, _, _ = strings.Cut(summary, ": ratified by")
		vs := ds.Versions[n-1]
		key, err := l.st.ActiveKey(who, p)
		if err == nil && vs.Ratified == nil {
			if _, rat := rules.AfterDecision(l.ID(), ds.Doc, vs, p, who, s.Decision, key); rat != nil {
				out[rules.RatifiedFile(e.Doc, n)] = rules.EncodeJSON(rat)
				summary += fmt.Sprintf(": ratified by %s", ds.Doc.Rule)
			}
		}
	default:
		return nil, "", fmt.Errorf("entry %d: a %s entry cannot be re-created", old, e.Kind)
	}
	return out, summary, nil
}
