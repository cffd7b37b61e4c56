package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
)

func init() {
	register(newStatusCmd)
	register(newLogCmd)
}

// statusOptions are the flags and arguments of `concord status`.
type statusOptions struct {
	Ledger    string   // the ledger folder
	Documents []string // the documents to show; none: all
	JSON      bool
}

func newStatusCmd(s *IO) *cobra.Command {
	o := &statusOptions{}
	c := &cobra.Command{
		Use:   "status [DOC-ID]",
		Short: "Show who approved, withdrew or is pending, and what is ratified",
		Args:  argsUpTo("DOC-ID"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Documents = ledgerDir(c, s), args
			return runStatus(s, o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "print as JSON")
	return c
}

func printStatus(s *IO, st *ledger.DocumentStatus) {
	fmt.Fprintf(s.Out, "\n%s: %s\n  rule: %s\n", st.Document, documents.Inert(st.Title), st.RuleText)
	for _, v := range st.Versions {
		fmt.Fprintf(s.Out, "  version %d (entry %d): %s\n", v.Version, v.Entry, versionLine(st, v))
		for _, sg := range v.Signers {
			when := ""
			if sg.Entry != 0 {
				when = fmt.Sprintf(" at entry %d (signer's time %s)", sg.Entry, documents.Inert(sg.Time))
			}
			for i, h := range sg.History {
				if i == 0 {
					when += "; history:"
				}
				when += fmt.Sprintf(" %s at %d", h.Decision, h.Entry)
			}
			fmt.Fprintf(s.Out, "    %-10s %-16s %s%s\n", stateLabel(signerState(v, sg)), sg.Signatory, documents.Inert(sg.Name), when)
		}
	}
}

// logOptions are the flags of `concord log`.
type logOptions struct {
	Ledger string // the ledger folder
	JSON   bool
}

func newLogCmd(s *IO) *cobra.Command {
	o := &logOptions{}
	c := &cobra.Command{
		Use:   "log",
		Short: "Print the ledger's history, one line per entry",
		Args:  argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger = ledgerDir(c, s)
			return runLog(s, o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "print one JSON object per entry, one per line")
	return c
}

// runStatus prints the state of each document, or of those named.
func runStatus(s *IO, o *statusOptions) error {
	for _, id := range o.Documents {
		if err := checkDocID(id); err != nil {
			return err
		}
	}
	l, err := ledger.OpenWith(o.Ledger, s.cache)
	if err != nil {
		return err
	}
	ids := o.Documents
	if len(ids) == 0 {
		if ids, err = l.Documents(); err != nil {
			return err
		}
	}
	var all []*ledger.DocumentStatus
	for _, id := range ids {
		st, err := l.Status(id)
		if err != nil {
			return err
		}
		all = append(all, st)
	}
	if o.JSON {
		out := statusJSON{Ledger: l.ID(), Demo: l.Genesis().Demo, Head: l.Head(), Entries: l.Entries(), Documents: []statusDocument{}}
		for _, st := range all {
			out.Documents = append(out.Documents, statusDocOut(st))
		}
		return printJSON(s, out)
	}
	printDemo(s, l.Genesis().Demo)
	fmt.Fprintf(s.Out, "ledger %s: %s (%s)\n", l.ID(), documents.Inert(l.Genesis().Title), plural(l.Entries(), "entry"))
	if len(all) == 0 {
		fmt.Fprintln(s.Out, "no agreements yet")
	}
	for _, st := range all {
		printStatus(s, st)
	}
	return nil
}

// runLog prints the ledger's history, one line (or JSON object) per
// entry.
func runLog(s *IO, o *logOptions) error {
	l, err := ledger.OpenWith(o.Ledger, s.cache)
	if err != nil {
		return err
	}
	entries, err := l.Log()
	if err != nil {
		return err
	}
	if o.JSON {
		subjects, err := l.LogSubjects(entries)
		if err != nil {
			return err
		}
		out := make([]logJSON, len(entries))
		for i, e := range entries {
			out[i] = logOut(e, subjects[i])
		}
		return writeJSONLines(s.Out, out)
	}
	printDemo(s, l.Genesis().Demo)
	for _, e := range entries {
		fmt.Fprintf(s.Out, "%4d %.12s %s %-14s %s\n", e.Entry, e.Commit, e.Time, e.Actor, e.Summary)
	}
	return nil
}
