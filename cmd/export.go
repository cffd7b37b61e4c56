package cmd

import (
	"fmt"
	"path/filepath"

	"github.com/concord-ledger/concord/evidence"
	"github.com/spf13/cobra"
)

func init() { register(newExportCmd) }

func newExportCmd(s *IO) *cobra.Command {
	c := &cobra.Command{
		Use:   "export",
		Short: "Export evidence from the ledger",
	}
	var asJSON bool
	kit := &cobra.Command{
		Use:   "audit-kit DIR",
		Short: "Write an audit kit that ssh-keygen and sha256sum alone can check",
		Long: `Write into DIR (absent or empty) every file of the ledger at its head, an
allowed_signers file and verify.sh, a POSIX script that re-checks every
signature and text hash with only ssh-keygen and sha256sum and exits non-zero
if anything fails.`,
		Args: argsNamed("DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := openLedger(c, s)
			if err != nil {
				return err
			}
			if err := evidence.ExportAuditKit(l, args[0]); err != nil {
				return err
			}
			if asJSON {
				return printJSON(s, auditKitJSON{Ledger: l.ID(), Head: l.Head(), Dir: args[0], Script: filepath.Join(args[0], "verify.sh")})
			}
			fmt.Fprintf(s.Out, "wrote the audit kit of ledger %s (head %.12s) to %s\n", l.ID(), l.Head(), args[0])
			fmt.Fprintf(s.Err, "check it with: sh %s/verify.sh\n", args[0])
			return nil
		},
	}
	kit.Flags().BoolVar(&asJSON, "json", false, "print the ledger, head and folder as JSON")
	c.AddCommand(newExportPDFCmd(s), kit)
	return c
}
