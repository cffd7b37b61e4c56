package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/internal/atomicfile"
	"github.com/concord-ledger/concord/ledger"
)

func init() { register(newCheckpointCmd) }

// checkpointOptions are the flags of `concord checkpoint`.
type checkpointOptions struct {
	signerOptions
	Ledger string // the ledger folder
	Output string
	JSON   bool
}

func newCheckpointCmd(s *IO) *cobra.Command {
	o := &checkpointOptions{}
	c := &cobra.Command{
		Use:   "checkpoint --as ID --key FILE [--output FILE]",
		Short: "Write a signed checkpoint of the ledger's head",
		Long: `Audit the ledger and, if everything holds, write a checkpoint of its head: a
signed note (golang.org/x/mod/sumdb/note) naming the ledger, its number of
entries and its head commit, signed with your roster key. Keep it: later,
'concord verify --checkpoint FILE' proves that the ledger still extends that
head (no rewrite, no rollback), and two checkpoints of the same ledger that are
not on one line of history are reported as a split view.

The note goes to standard output, or to --output FILE (which must not exist).
Exit status 3 if the ledger does not verify.`,
		Args: argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger = ledgerDir(c, s)
			return runCheckpoint(s, o)
		},
	}
	addSignerFlags(c, &o.signerOptions)
	c.Flags().StringVarP(&o.Output, "output", "o", "", "write the checkpoint to this new file instead of standard output")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the checkpoint's ledger, entries, head, signer, file and note as JSON")
	return c
}

// runCheckpoint audits the ledger and writes a signed checkpoint of its
// head.
func runCheckpoint(s *IO, o *checkpointOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	signer, err := o.signer(s)
	if err != nil {
		return err
	}
	msg, cp, err := ledger.MakeCheckpoint(o.Ledger, ledger.CheckpointOptions{As: o.As, Signer: signer})
	if err != nil {
		return err
	}
	if o.Output == "" && !o.JSON {
		_, err := s.Out.Write(msg)
		return err
	}
	out := checkpointJSON{Ledger: cp.Ledger, Entries: cp.Entries, Head: cp.Head, Signer: o.As, Note: string(msg)}
	if o.Output != "" {
		if err := atomicfile.WriteNew(o.Output, msg, 0o644); err != nil {
			return err
		}
		out.File = &o.Output
	}
	if o.JSON {
		return printJSON(s, out)
	}
	fmt.Fprintf(s.Err, "checkpoint of %s: %s, head %s, signed by %s, written to %s\n", cp.Ledger, count(cp.Entries, "entry", "entries"), cp.Head, o.As, o.Output)
	return nil
}
