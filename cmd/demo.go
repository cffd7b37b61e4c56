package cmd

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/internal/demo"
)

func init() { register(newDemoCmd) }

// demoOptions are the argument of `concord demo`.
type demoOptions struct {
	Dir string
}

func newDemoCmd(s *IO) *cobra.Command {
	o := &demoOptions{}
	return &cobra.Command{
		Use:   "demo DIR",
		Short: "Build a demonstration ledger (the Almaty Consensus scenario) in a new folder",
		Long: `Build the demonstration in DIR (absent or empty): DIR/ledger, a ledger marked as
a demonstration, and DIR/keys, one unencrypted demo key per signatory. Two
stewards (the permanent co-chairs) enrol four more signatories; an
illustrative agreement in Chinese, Kazakh, Russian and English is proposed,
signed, amended, withdrawn from and re-approved, and ratified; the ledger is
verified. The text is illustrative, written for the demo, and says so.`,
		Args: argsNamed("DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Dir = args[0]
			return runDemo(s, o)
		},
	}
}

// runDemo builds the demonstration and says what to try next.
func runDemo(s *IO, o *demoOptions) error {
	res, err := demo.Run(o.Dir, env(s), s.Out)
	if err != nil {
		return err
	}
	l := res.Ledger
	k := filepath.Join(res.Keys, "demo-uz")
	fmt.Fprintf(s.Out, "\n%s\nNext, try (with concord on your PATH: go install ./cmd/concord):\n", demoBanner)
	fmt.Fprintf(s.Out, "  concord status --ledger %s\n", l)
	fmt.Fprintf(s.Out, "  concord show %s --ledger %s --lang kk\n", demo.DocID, l)
	fmt.Fprintf(s.Out, "  concord diff %s 1 2 --ledger %s\n", demo.DocID, l)
	fmt.Fprintf(s.Out, "  concord log --ledger %s\n", l)
	fmt.Fprintf(s.Out, "  concord verify --ledger %s\n", l)
	fmt.Fprintf(s.Out, "  concord verify-pdf %s\n", filepath.Join(o.Dir, demo.DocID+".pdf"))
	fmt.Fprintf(s.Out, "  concord export audit-kit %s --ledger %s && sh %s/verify.sh\n", filepath.Join(o.Dir, "audit-kit"), l, filepath.Join(o.Dir, "audit-kit"))
	signers, err := filepath.Abs(filepath.Join(o.Dir, "allowed_signers"))
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "  concord roster allowed-signers --ledger %s > %s\n", l, signers)
	fmt.Fprintf(s.Out, "  git -C %s -c gpg.ssh.allowedSignersFile=%s verify-commit HEAD\n", l, signers)
	fmt.Fprintf(s.Out, "  (signing key of demo-uz: %s)\n", k)
	return nil
}
