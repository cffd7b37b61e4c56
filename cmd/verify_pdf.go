package cmd

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/evidence"
)

func init() { register(newVerifyPDFCmd) }

// verifyPDFOptions are the flags of `concord verify-pdf`.
type verifyPDFOptions struct {
	File     string
	Ledger   string // checked against this ledger too, if set
	LedgerID string // the pinned ledger id, if set
	JSON     bool
	Quiet    bool
}

func newVerifyPDFCmd(s *IO) *cobra.Command {
	o := &verifyPDFOptions{}
	c := &cobra.Command{
		Use:   "verify-pdf FILE [--ledger-id ID] [--ledger DIR] [--quiet | --json]",
		Short: "Check a PDF concord exported, from the PDF alone",
		Long: `Check a PDF that 'concord export pdf' wrote, with nothing else in hand. The
PDF embeds the ledger's history up to the entry it shows, as a git bundle;
verify-pdf audits that history exactly as 'concord verify' audits a ledger
(every commit and statement signature, every key's validity by position, the
steward threshold of every roster change, ratification recomputed), then
renders the PDF again from it and requires the file to be the same, byte for
byte. So every fact the PDF shows — the document's definition, the
signatories' names and keys, every decision and its position, the
ratification — follows from signed entries back to the genesis.

The trust anchor is the ledger id and its genesis stewards, which the PDF
itself carries: anyone can make a look-alike ledger with the same names and
other keys. Compare the ledger id printed with the one your forum publishes,
or pin it with --ledger-id: a PDF of any other ledger is then invalid.

Only --ledger given on the command line (not $CONCORD_LEDGER) adds the
ledger check: the same ledger id, and the PDF's entry in that ledger's
history.

A PDF renders identically only with the concord release that exported it;
check a PDF with that release (see the README).

The last line is the verdict ("OK: …" or "INVALID: …"); --quiet prints only
that line. --json prints the report as docs/schema/verify-pdf.json
describes, every problem with a stable code (docs/JSON.md).

Exit status 0 when everything holds; 3 when anything does not, or the file is
not a concord PDF at all (each problem is listed); 1 when the file or the
ledger cannot be read.`,
		Args: argsNamed("FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			o.File = args[0]
			if o.LedgerID = strings.ToLower(strings.TrimSpace(o.LedgerID)); o.LedgerID != "" && !isLedgerID(o.LedgerID) {
				return usagef("--ledger-id %q is not a ledger id (64 hex digits, as 'concord verify' prints it)", o.LedgerID)
			}
			if o.Quiet && o.JSON {
				return usagef("--quiet and --json cannot be used together: --json prints the whole report")
			}
			if c.Flags().Changed("ledger") {
				o.Ledger, _ = c.Flags().GetString("ledger")
			}
			return runVerifyPDF(s, o)
		},
	}
	c.Flags().StringVar(&o.LedgerID, "ledger-id", "", "pin the ledger: refuse (exit 3) a PDF of any ledger with another id")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the report as JSON")
	c.Flags().BoolVarP(&o.Quiet, "quiet", "q", false, "print only the verdict line")
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
	rep, err := evidence.VerifyPDF(data, evidence.VerifyPDFOptions{LedgerDir: o.Ledger, LedgerID: o.LedgerID})
	if err != nil {
		return err
	}
	if o.JSON {
		if err := printJSON(s, verifyPDFReportJSON(o.File, rep)); err != nil {
			return err
		}
	} else if !o.Quiet {
		printDemo(s, rep.Demo)
		fmt.Fprintf(s.Out, "%s: %s version %d of ledger %s (%s)\n", o.File, documents.Inert(rep.Document), rep.Version, rep.Ledger, documents.Inert(rep.Title))
		if rep.Head != "" {
			status := "not ratified"
			if rep.Ratified {
				status = "ratified"
			}
			fmt.Fprintf(s.Out, "shown as at entry %d (%s), %s; %s embedded; the history it carries: %s, %s verified\n",
				rep.Entry, rep.Head, status, plural(rep.Files, "file"), plural(rep.Entries, "entry"), plural(rep.Signatures, "signature"))
			printAnchor(s, rep.Ledger, rep.Pinned, rep.Stewards, "the PDF itself")
		}
		if rep.LedgerDir != "" {
			fmt.Fprintf(s.Out, "checked against the ledger in %s\n", rep.LedgerDir)
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(s.Out, "PROBLEM %s\n", documents.Inert(p.What))
		}
	}
	if !o.JSON {
		if rep.OK() {
			fmt.Fprintln(s.Out, "OK: the history the PDF carries holds, and the file is exactly what concord renders from it")
		} else {
			fmt.Fprintf(s.Out, "INVALID: %s, the first: %s\n", plural(len(rep.Problems), "problem"), documents.Inert(rep.Problems[0].What))
		}
	}
	if !rep.OK() {
		fmt.Fprintf(s.Err, "concord: %s is not valid: %s\n", o.File, plural(len(rep.Problems), "problem"))
		return &silentError{code: ExitInvalid}
	}
	return nil
}
