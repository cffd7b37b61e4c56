package cmd

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/ledger"
)

func init() { register(newExportCmd) }

// auditKitOptions are the flags and argument of `concord export audit-kit`.
type auditKitOptions struct {
	Ledger string // the ledger folder
	Dir    string // the kit's folder
	JSON   bool
}

func newExportCmd(s *IO) *cobra.Command {
	c := &cobra.Command{
		Use:   "export",
		Short: "Export evidence from the ledger",
	}
	o := &auditKitOptions{}
	kit := &cobra.Command{
		Use:   "audit-kit DIR",
		Short: "Write an audit kit that ssh-keygen and sha256sum alone can check",
		Long: `Write into DIR (absent or empty) every file of the ledger at its head, an
allowed_signers file and verify.sh, a POSIX script that re-checks every
signature and text hash with only ssh-keygen and sha256sum and exits non-zero
if anything fails.`,
		Args: argsNamed("DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Dir = ledgerDir(c, s), args[0]
			return runAuditKit(s, o)
		},
	}
	kit.Flags().BoolVar(&o.JSON, "json", false, "print the ledger, head and folder as JSON")
	c.AddCommand(newExportPDFCmd(s), kit)
	return c
}

// runAuditKit writes the ledger's audit kit.
func runAuditKit(s *IO, o *auditKitOptions) error {
	l, err := ledger.OpenWith(o.Ledger, s.cache)
	if err != nil {
		return err
	}
	if err := evidence.ExportAuditKit(l, o.Dir); err != nil {
		return err
	}
	if o.JSON {
		return printJSON(s, auditKitJSON{Ledger: l.ID(), Head: l.Head(), Dir: o.Dir, Script: filepath.Join(o.Dir, "verify.sh")})
	}
	fmt.Fprintf(s.Out, "wrote the audit kit of ledger %s (head %.12s) to %s\n", l.ID(), l.Head(), o.Dir)
	fmt.Fprintf(s.Err, "check it with: sh %s/verify.sh\n", o.Dir)
	return nil
}
