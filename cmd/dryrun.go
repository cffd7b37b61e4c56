package cmd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
)

// dryRun is the --dry-run flag of the commands that write an entry, and
// the entries a dry run built.
type dryRun struct {
	on      bool
	entries []*ledger.PlannedEntry
}

func addDryRunFlag(c *cobra.Command, d *dryRun) {
	c.Flags().BoolVar(&d.on, "dry-run", false, "run every check and print what the entry would hold; write nothing")
}

// env is env(s), with the dry run's collector when --dry-run is given.
func (d *dryRun) env(s *IO) ledger.Env {
	e := env(s)
	if d.on {
		e.DryRun = func(p *ledger.PlannedEntry) { d.entries = append(d.entries, p) }
	}
	return e
}

// report prints the entries a dry run built: each file with its size, the
// JSON records and statements in full (hidden characters made visible),
// texts by size and SHA-256, signatures by their presence only.
func (d *dryRun) report(s *IO) error {
	fmt.Fprintln(s.Err, "dry run: every check passed; nothing was written")
	for _, e := range d.entries {
		fmt.Fprintf(s.Out, "entry %d (%s) by %s: %s\n", e.Entry, e.Kind, documents.Inert(e.Actor), documents.Inert(e.Summary))
		paths := make([]string, 0, len(e.Files))
		for p := range e.Files {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			data := e.Files[p]
			switch {
			case ledger.IsSignature(p):
				fmt.Fprintf(s.Out, "  %s (signed, %d bytes; a dry run never shows a signature)\n", p, len(data))
			case strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".statement"):
				fmt.Fprintf(s.Out, "  %s (%d bytes):\n", p, len(data))
				v, _ := documents.InertText(strings.TrimSuffix(string(data), "\n"))
				for _, line := range strings.Split(v, "\n") {
					fmt.Fprintf(s.Out, "    %s\n", line)
				}
			default:
				sum := sha256.Sum256(data)
				fmt.Fprintf(s.Out, "  %s (%d bytes, sha256 %s)\n", p, len(data), hex.EncodeToString(sum[:]))
			}
		}
	}
	return nil
}
