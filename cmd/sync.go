package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/ledger"
)

func init() { register(newSyncCmd) }

// syncOptions are the flags of `concord sync`.
type syncOptions struct {
	signerOptions
	Remote  string
	Timeout time.Duration
	JSON    bool
}

func newSyncCmd(s *IO) *cobra.Command {
	o := &syncOptions{}
	c := &cobra.Command{
		Use:   "sync [--remote URL] [--as ID --key FILE] [--timeout D] [--json]",
		Short: "Fetch the remote's new entries, verify them, and send yours",
		Long: `Fetch the remote's ledger and accept it only if it verifies, is the same
ledger, and extends the head this ledger last had from it; otherwise refuse
with exit status 3 and change nothing. Then take the remote's new entries and
send yours. When both have new entries, yours are re-created on top of the
remote's (the same signed statements at new positions, each commit signed again),
which needs your key: --as ID --key FILE. A push that loses a race with another
signer is tried again, a few times. If the remote cannot be reached, nothing
local is lost (exit status 1). A remote other than the recorded one that is
empty (a new server) is given the ledger.` + transportHelp(s),
		Args: argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			opts := ledger.SyncOptions{Remote: o.Remote}
			if o.As != "" || o.Key != "" {
				if err := o.check(); err != nil {
					return err
				}
				signer, err := o.signer(s)
				if err != nil {
					return err
				}
				opts.As, opts.Signer = o.As, signer
			}
			if err := checkTimeout(o.Timeout); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
			defer cancel()
			stop := startProgress(s, o.JSON, "syncing and verifying")
			res, err := ledger.Sync(ctx, ledgerDir(c, s), env(s), opts)
			stop()
			if err != nil {
				return err
			}
			for _, m := range res.ServerMessages {
				fmt.Fprintf(s.Err, "remote: %s\n", m)
			}
			if o.JSON {
				return printJSON(s, syncOut(res))
			}
			fmt.Fprintf(s.Out, "synced with %s: %s fetched, %d re-created, %d sent; head %s (%s)\n",
				res.Remote, count(res.Fetched, "entry", "entries"), res.Recreated, res.Pushed, res.Head, count(res.Entries, "entry", "entries"))
			return nil
		},
	}
	addSignerFlags(c, &o.signerOptions)
	c.Flags().Lookup("as").Usage = "your roster id (needed to re-create your entries when both sides moved)"
	c.Flags().Lookup("key").Usage = "your private key file, or with --agent its public key file"
	c.Flags().StringVar(&o.Remote, "remote", "", "the remote's URL (default: the one recorded by clone)")
	c.Flags().DurationVar(&o.Timeout, "timeout", 2*time.Minute, "give up on the remote after this long")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	return c
}
