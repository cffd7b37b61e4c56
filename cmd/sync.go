package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/internal/shellword"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

func init() { register(newSyncCmd) }

// syncOptions are the flags of `concord sync`. As and Key pair up in
// order: the keys of every signatory whose entries may need re-creating.
type syncOptions struct {
	As, Key        []string
	PassphraseFile string
	Agent          bool
	Remote         string
	Timeout        time.Duration
	JSON           bool
}

// rehint gives a refusal of a sync whose hint is a command to run next
// that command as this sync was called: the same ledger folder (as every
// hint repeats it, invocationIn), the same remote (credentials masked).
// Other errors are returned as they are.
func (o *syncOptions) rehint(err error, c *cobra.Command, dir string) error {
	var re *ledger.RefusedError
	if !errors.As(err, &re) {
		return err
	}
	var flags []string
	if o.Remote != "" {
		flags = append(flags, "--remote", gitstore.RedactURL(o.Remote))
	}
	inv := invocationIn(c, dir)
	switch re.Reason {
	case ledger.RefusedKeysNeeded:
		return &rehinted{err, inv.keysNeededHint(re, flags...)}
	case ledger.RefusedCannotPlace:
		return &rehinted{err, inv.cannotPlaceHint(re, shellWord(dir), flags...)}
	}
	return err
}

// printSynced prints what a sync changed beyond its counts: each entry
// re-created, with its old and new place, and each version ratified.
func printSynced(s *IO, res *ledger.SyncResult) {
	for _, e := range res.RecreatedEntries {
		fmt.Fprintf(s.Out, "re-created: your entry %d is now entry %d (commit %.12s; it was commit %.12s)\n", e.Was, e.Entry, e.Commit, e.WasCommit)
	}
	for _, r := range res.Ratified {
		fmt.Fprintf(s.Out, "ratified: %s at entry %d\n", r, r.Entry)
	}
	if len(res.RecreatedEntries) > 0 {
		what := "your re-created entries replace their old commits: a head you kept that included them"
		if len(res.RecreatedEntries) == 1 {
			what = "your re-created entry replaces its old commit: a head you kept that included it"
		}
		fmt.Fprintf(s.Err, "note: %s is no longer in the ledger's history (verify --since of it reports the history rewritten); keep the new head %s instead\n", what, res.Head)
	}
}

// rehinted is an error with the hint cmd gives it in place of its own.
type rehinted struct {
	error
	hint string
}

func (e *rehinted) Unwrap() error { return e.error }
func (e *rehinted) Hint() string  { return e.hint }

// shellWord returns s as one word of a shell command line a hint prints
// (shellword.Quote).
func shellWord(s string) string { return shellword.Quote(s) }

// signers loads the key of each --as, or returns nil when none is given.
func (o *syncOptions) signers(s *IO) (map[string]ssh.Signer, error) {
	if len(o.As) != len(o.Key) {
		return nil, usagef("give one --key FILE for each --as ID (%d --as, %d --key)", len(o.As), len(o.Key))
	}
	out := map[string]ssh.Signer{}
	for i, as := range o.As {
		so := &signerOptions{As: as, Key: o.Key[i], PassphraseFile: o.PassphraseFile, Agent: o.Agent}
		if err := so.check(); err != nil {
			return nil, err
		}
		if _, dup := out[as]; dup {
			return nil, usagef("--as %s is given twice", as)
		}
		signer, err := so.signer(s)
		if err != nil {
			return nil, err
		}
		out[as] = signer
	}
	return out, nil
}

func newSyncCmd(s *IO) *cobra.Command {
	o := &syncOptions{}
	c := &cobra.Command{
		Use:   "sync [--remote URL] [--as ID --key FILE]... [--timeout D] [--json]",
		Short: "Fetch the remote's new entries, verify them, and send yours",
		Long: `Fetch the remote's ledger and accept it only if it verifies, is the same
ledger, and extends the head this ledger last had from it; otherwise refuse
with exit status 3 and change nothing. (A remote given with --remote for this
sync only may be behind this ledger, and is then sent what it lacks; one that
holds another ledger is a wrong address: exit status 1.) Then take the remote's new entries and
send yours. When both have new entries, yours are re-created on top of the
remote's (the same signed statements at new positions, each commit signed again),
which needs the key of each signatory whose entries they are: --as ID --key FILE,
once for each (in pairs, in order). A push that loses a race with another
signer is tried again, a few times. If the remote cannot be reached, nothing
local is lost (exit status 1). A remote other than the recorded one that is
empty (a new server) is given the ledger.` + transportHelp(s),
		Args: argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			signers, err := o.signers(s)
			if err != nil {
				return err
			}
			opts := ledger.SyncOptions{Remote: o.Remote, Signers: signers}
			if err := checkTimeout(o.Timeout); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
			defer cancel()
			stop := startProgress(s, o.JSON, "syncing and verifying")
			res, err := ledger.Sync(ctx, ledgerDir(c, s), env(s), opts)
			stop()
			if err != nil {
				return o.rehint(err, c, ledgerDir(c, s))
			}
			for _, m := range res.ServerMessages {
				fmt.Fprintf(s.Err, "remote: %s\n", m)
			}
			if res.RemoteHeadNotMain {
				fmt.Fprintln(s.Err, "warning: the remote's HEAD does not name refs/heads/main (it was made with another default branch): stock git clones of it show no history, and 'concord verify' of it reports the overlay; on the server, run: git symbolic-ref HEAD refs/heads/main")
			}
			if res.CheckoutLeft != "" {
				fmt.Fprintf(s.Err, "warning: the checkout's files were left as they were (%s): git status there shows the new entries as deleted; git -C %s reset --hard brings them to the ledger's, discarding the changes made to its files\n",
					res.CheckoutLeft, shellWord(ledgerDir(c, s)))
			}
			if o.JSON {
				return printJSON(s, syncOut(res))
			}
			fmt.Fprintf(s.Out, "synced with %s: %s fetched, %d re-created, %d sent; head %s (%s)\n",
				res.Remote, count(res.Fetched, "entry", "entries"), res.Recreated, res.Pushed, res.Head, count(res.Entries, "entry", "entries"))
			printSynced(s, res)
			return nil
		},
	}
	c.Flags().StringArrayVar(&o.As, "as", nil, "a roster id whose entries may need re-creating when both sides moved (repeatable, each with its --key)")
	c.Flags().StringArrayVar(&o.Key, "key", nil, "the private key file of the --as in the same place, or with --agent its public key file")
	addPassphraseFileFlag(c, &o.PassphraseFile)
	c.Flags().BoolVar(&o.Agent, "agent", false, "sign through ssh-agent ($SSH_AUTH_SOCK); each --key names a public key")
	c.Flags().StringVar(&o.Remote, "remote", "", "the remote's URL (default: the one recorded by clone)")
	c.Flags().DurationVar(&o.Timeout, "timeout", 2*time.Minute, "give up on the remote after this long")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	return c
}
