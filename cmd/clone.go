package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

func init() { register(newCloneCmd) }

// cloneOptions are the flags of `concord clone`.
type cloneOptions struct {
	Timeout time.Duration
	JSON    bool
}

func newCloneCmd(s *IO) *cobra.Command {
	o := &cloneOptions{}
	c := &cobra.Command{
		Use:   "clone URL DIR [--timeout D] [--json]",
		Short: "Copy a ledger from a git remote, accepting it only if it verifies",
		Long: `Copy the ledger at URL (a path, file://, git://, http(s)://, ssh:// or scp-like
host:path remote) into the new folder DIR. What is fetched is audited first, as 'concord verify'
does; a ledger that does not verify is refused with exit status 3 and DIR is
left as it was. The remote is recorded for 'concord sync', with its head, which
every later sync checks the remote still extends.` + transportHelp(s),
		Args: argsNamed("URL", "DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkTimeout(o.Timeout); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
			defer cancel()
			// The remote as every line names it: credentials masked.
			stop := startProgress(s, o.JSON, "fetching and verifying "+gitstore.RedactURL(args[0]))
			res, err := ledger.Clone(ctx, args[0], args[1], env(s))
			stop()
			if err != nil {
				return err
			}
			if o.JSON {
				return printJSON(s, syncOut(res))
			}
			fmt.Fprintf(s.Out, "cloned ledger %s: %s, head %s, verified\n", res.Ledger, count(res.Entries, "entry", "entries"), res.Head)
			// Verified against its own genesis: a look-alike verifies too.
			fmt.Fprintf(s.Out, "trust anchor: the ledger id above, taken from the ledger's own genesis entry; compare it with the ledger id your forum publishes, or pin it: %s\n",
				invocationIn(c, args[1]).quoted("verify", "--ledger-id", "ID"))
			return nil
		},
	}
	c.Flags().DurationVar(&o.Timeout, "timeout", 2*time.Minute, "give up on the remote after this long")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	return c
}
