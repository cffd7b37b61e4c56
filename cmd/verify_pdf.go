package cmd

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/ledger"
)

func init() { register(newVerifyPDFCmd) }

// verifyPDFOptions are the flags of `concord verify-pdf`.
type verifyPDFOptions struct {
	File   string
	Ledger string // checked against this ledger too, if set
	JSON   bool
}

func newVerifyPDFCmd(s *IO) *cobra.Command {
	o := &verifyPDFOptions{}
	c := &cobra.Command{
		Use:   "verify-pdf FILE [--ledger DIR] [--json]",
		Short: "Check a PDF concord exported, from the PDF alone",
		Long: `Check a PDF that 'concord export pdf' wrote, with nothing else in hand: read
its embedded evidence; check every signature (ed25519, namespace concord)
against its statement and the keys the embedded allowed_signers lists for its
signatory, every text against the SHA-256 its statements name, the ledger id
against the embedded genesis.json, and the recorded ratification against the
signed decisions; then render the PDF again from that evidence and require
the file to be the same, byte for byte. So a changed visible text, an
appended incremental update, a replaced signature or text, or the appendix of
one version on another's pages are all reported.

Only --ledger given on the command line (not $CONCORD_LEDGER) adds the
ledger check: the same ledger id, the PDF's head in the ledger's history, and
every embedded file as the ledger holds it at that head.

A PDF renders identically only with the concord release that exported it;
check a PDF with that release (see the README).

Exit status 0 when everything holds; 3 when anything does not, or the file is
not a concord PDF at all (each problem is listed); 1 when the file or the
ledger cannot be read.`,
		Args: argsNamed("FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			o.File = args[0]
			if c.Flags().Changed("ledger") {
				o.Ledger, _ = c.Flags().GetString("ledger")
			}
			return runVerifyPDF(s, o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "print the report as JSON")
	return c
}

// runVerifyPDF reads the file, checks it and prints the report.
func runVerifyPDF(s *IO, o *verifyPDFOptions) error {
	f, err := os.Open(o.File)
	if err != nil {
		return fmt.Errorf("reading %s: %w", o.File, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, pdf.MaxPDFSize+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("reading %s: %w", o.File, err)
	}
	rep, err := ledger.VerifyPDF(data, o.Ledger)
	if err != nil {
		return err
	}
	if o.JSON {
		if err := printJSON(s, rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(s.Out, "%s: %s version %d of ledger %s, head %s\n", o.File, rep.Document, rep.Version, rep.Ledger, rep.Head)
		status := "not ratified"
		if rep.Ratified {
			status = "ratified"
		}
		fmt.Fprintf(s.Out, "%s embedded, %s verified, %s\n", plural(rep.Files, "file"), plural(rep.Signatures, "signature"), status)
		if rep.LedgerDir != "" {
			fmt.Fprintf(s.Out, "checked against the ledger in %s\n", rep.LedgerDir)
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(s.Out, "PROBLEM %s\n", p)
		}
	}
	if !rep.OK() {
		fmt.Fprintf(s.Err, "concord: %s is not valid: %s\n", o.File, plural(len(rep.Problems), "problem"))
		return &silentError{code: ExitInvalid}
	}
	if !o.JSON {
		fmt.Fprintln(s.Out, "OK: every signature and hash holds, and the file is exactly what concord renders from its evidence")
	}
	return nil
}
