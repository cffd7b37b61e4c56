package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/ledger"
)

func init() { register(newWitnessCmd) }

// witnessOptions are the flags of `concord witness`.
type witnessOptions struct {
	signerOptions
	Ledger string // the ledger folder
	dry    dryRun
	JSON   bool
}

func newWitnessCmd(s *IO) *cobra.Command {
	o := &witnessOptions{}
	c := &cobra.Command{
		Use:   "witness --as ID --key FILE [--json]",
		Short: "Cosign the ledger's head as a witness, kept in the ledger",
		Long: `Audit the ledger and, if everything holds, cosign its head: a checkpoint note
of the ledger as it stands, signed with your roster key, is added as a new entry
(witnesses/<entry>-<id>.note). Anyone holding the ledger can then show that you
saw that head. Exit status 3 if the ledger does not verify.`,
		Args: argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger = ledgerDir(c, s)
			return runWitness(s, o)
		},
	}
	addSignerFlags(c, &o.signerOptions)
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	addDryRunFlag(c, &o.dry)
	return c
}

// runWitness audits the ledger and writes the witness's cosignature of its
// head.
func runWitness(s *IO, o *witnessOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	signer, err := o.signer(s)
	if err != nil {
		return err
	}
	res, err := ledger.Witness(o.Ledger, o.dry.env(s), o.As, signer)
	if err != nil {
		return err
	}
	if o.dry.on {
		return o.dry.report(s)
	}
	if o.JSON {
		return printJSON(s, witnessJSON{Witness: res.Witness, Entry: res.Entry, Commit: res.Commit,
			Checkpoint: witnessCheckpointJ{Ledger: res.Checkpoint.Ledger, Entries: res.Checkpoint.Entries, Head: res.Checkpoint.Head}})
	}
	fmt.Fprintf(s.Out, "witness: %s cosigned head %s (%s) at entry %d (commit %.12s)\n",
		res.Witness, res.Checkpoint.Head, count(res.Checkpoint.Entries, "entry", "entries"), res.Entry, res.Commit)
	return nil
}
