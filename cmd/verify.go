package cmd

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

func init() { register(newVerifyCmd) }

// verifyOptions are the flags of `concord verify`.
type verifyOptions struct {
	Since       string
	Checkpoints []string
	Workers     int
	LedgerID    string
	Timeout     time.Duration
	JSON        bool
	Quiet       bool
}

func newVerifyCmd(s *IO) *cobra.Command {
	o := &verifyOptions{}
	c := &cobra.Command{
		Use:   "verify [--since COMMIT] [--checkpoint FILE]... [--ledger-id ID] [--quiet | --json]",
		Short: "Re-check the whole ledger from the repository alone",
		Long: `Re-check everything from the repository alone: every commit's signature and
its signer's validity at that position; every statement against the texts it
names and the version it sits in; every roster change against the steward
threshold; append-only history; ratification recomputed and compared with what
was recorded. With --since, also that the given earlier head is in the current
history (no rewrite, no rollback). With --checkpoint (repeatable), also that
each checkpoint is signed by a roster key and names a head in the current
history at its position, and that all of them lie on one line of history
(otherwise: a split view).

The report says what the audit proved: per document and version, who
approved or withdrew, with which key (its fingerprint) at which entry, and
the verdict (ratified at which entry under which rule, or how many of the
approvals needed it has; superseded); for --since and each checkpoint, where
the head you kept is in this history. It names the trust anchor: the ledger
id (the SHA-256 of the genesis entry) and the genesis stewards' key
fingerprints. Anyone can make a
look-alike ledger with the same names and other keys, so compare them with the
ledger id the forum publishes, or pin it with --ledger-id: any other ledger is
then invalid (exit 3).

The last line is the verdict ("OK: …" or "INVALID: …"); --quiet prints only
that line. --json prints the report as docs/schema/verify.json describes,
every problem with a stable code (docs/JSON.md).

Exit status 0 when everything holds, 3 when anything does not; every problem
is listed with its entry, commit and file. A repository whose objects take
longer than --timeout to read (a copy can be built to be slow to read) is
exit status 1: it could not be checked.`,
		Args: argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			if o.Since != "" {
				full, err := resolveSince(invocationOf(c, s), ledgerDir(c, s), o.Since)
				if err != nil {
					return err
				}
				o.Since = full
			}
			if o.LedgerID = strings.ToLower(strings.TrimSpace(o.LedgerID)); o.LedgerID != "" && !isLedgerID(o.LedgerID) {
				return usagef("--ledger-id %q is not a ledger id (64 hex digits, as 'concord verify' prints it)", o.LedgerID)
			}
			if err := checkTimeout(o.Timeout); err != nil {
				return err
			}
			if o.Quiet && o.JSON {
				return usagef("--quiet and --json cannot be used together: --json prints the whole report")
			}
			var cps []ledger.CheckpointFile
			for _, f := range o.Checkpoints {
				data, err := os.ReadFile(f)
				if err != nil {
					return fmt.Errorf("reading checkpoint: %w", err)
				}
				cps = append(cps, ledger.CheckpointFile{Name: f, Data: data})
			}
			stop := startProgress(s, o.JSON, "verifying the ledger")
			rep, err := ledger.Verify(ledgerDir(c, s), ledger.VerifyOptions{Since: o.Since, Workers: o.Workers, Checkpoints: cps, LedgerID: o.LedgerID,
				Git: gitProgram(s), ReadBy: time.Now().Add(o.Timeout)})
			stop()
			if errors.Is(err, gitstore.ErrReadDeadline) {
				return &hintedError{msg: fmt.Sprintf("cannot check the ledger: %v (--timeout %s)", err, o.Timeout), hint: timeoutHint}
			}
			if err != nil {
				return err
			}
			switch {
			case o.JSON:
				if err := printJSON(s, verifyReportJSON(rep)); err != nil {
					return err
				}
			case !o.Quiet:
				printVerifyReport(s, rep)
			}
			if !o.JSON {
				fmt.Fprintln(s.Out, verifyVerdict(rep))
			}
			if !rep.OK() {
				fmt.Fprintf(s.Err, "concord: verification failed: %s\n", plural(len(rep.Problems), "problem"))
				return &silentError{code: ExitInvalid}
			}
			return nil
		},
	}
	c.Flags().StringVar(&o.Since, "since", "", "an earlier head the current one must extend")
	c.Flags().StringArrayVar(&o.Checkpoints, "checkpoint", nil, "a checkpoint file the ledger must extend (repeatable)")
	c.Flags().StringVar(&o.LedgerID, "ledger-id", "", "pin the ledger: refuse (exit 3) any ledger with another id")
	c.Flags().IntVar(&o.Workers, "workers", 0, "signature-checking goroutines (default: one per CPU)")
	c.Flags().DurationVar(&o.Timeout, "timeout", defaultVerifyTimeout, "give up reading the repository's objects after this long (exit 1: cannot check)")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the report as JSON")
	c.Flags().BoolVarP(&o.Quiet, "quiet", "q", false, "print only the verdict line")
	return c
}

// defaultVerifyTimeout bounds verify's reads of a repository through
// go-git (ledger.VerifyOptions.ReadBy): far more than any honest ledger
// needs (go-git reads an object in tens of µs, so the 20,498-entry
// benchmark ledger's some 160,000 objects in seconds), far less than the hours
// a copy built to be slow to read would take.
const defaultVerifyTimeout = 10 * time.Minute

// printVerifyReport prints what the audit proved, for people: the ledger,
// the trust anchor, per document and version the decisions and the
// verdict, what was found of --since and each checkpoint, the problems
// and notes.
func printVerifyReport(s *IO, rep *ledger.Report) {
	printDemo(s, rep.Demo)
	fmt.Fprintf(s.Out, "ledger %s: %s\n", rep.Ledger, documents.Inert(rep.Title))
	fmt.Fprintf(s.Out, "head %s, %s, %s checked\n", rep.Head, plural(rep.Entries, "entry"), plural(rep.Signatures, "signature"))
	printAnchor(s, rep.Ledger, rep.Pinned, rep.Stewards, "the ledger's own genesis entry")
	for _, d := range rep.Documents {
		fmt.Fprintf(s.Out, "document %s, proposed at entry %d by %s: %s\n", d.Document, d.Entry, d.Proposer, documents.Inert(d.Title))
		fmt.Fprintf(s.Out, "  rule: %s\n", d.RuleText)
		for _, v := range d.Versions {
			fmt.Fprintf(s.Out, "  version %d (entry %d): %s\n", v.Version, v.Entry, versionVerdict(d, v))
			for _, dec := range v.Decisions {
				fmt.Fprintf(s.Out, "    entry %d: %s\n", dec.Entry, decisionLine(dec))
			}
		}
	}
	for _, r := range rep.Ratified {
		fmt.Fprintf(s.Out, "ratified: %s\n", r)
	}
	if sn := rep.Since; sn != nil {
		if sn.Found && sn.Entry >= 0 {
			fmt.Fprintf(s.Out, "since: the head you kept (%s) is in this history at entry %d\n", sn.Head, sn.Entry)
		} else if sn.Found {
			fmt.Fprintf(s.Out, "since: the head you kept (%s) is in this history\n", sn.Head)
		} else {
			fmt.Fprintf(s.Out, "since: the head you kept (%s) is NOT in this history\n", sn.Head)
		}
	}
	for _, c := range rep.Checkpoints {
		var by []string
		for _, sg := range c.Signers {
			by = append(by, fmt.Sprintf("%s (%s)", sg.ID, documents.Inert(sg.Name)))
		}
		held := "is in this history"
		if !c.Held {
			held = "is NOT in this history"
		}
		fmt.Fprintf(s.Out, "checkpoint %s, signed by %s: its head %s at entry %d %s\n", documents.Inert(c.File), strings.Join(by, ", "), c.Head, c.Entry, held)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(s.Out, "PROBLEM %s\n", documents.Inert(p.String()))
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(s.Out, "note: %s\n", documents.Inert(n))
	}
}

// versionVerdict says in words what the audit decided of version v of d.
func versionVerdict(d ledger.DocumentReport, v ledger.VersionReport) string {
	approvals := count(v.Approvals, "approval", "approvals")
	var out string
	if v.Ratified != 0 {
		out = fmt.Sprintf("RATIFIED at entry %d under the rule (%s), with %s", v.Ratified, d.RuleText, approvals)
	} else {
		out = fmt.Sprintf("not ratified: %d of the %s needed", v.Approvals, count(v.Required, "approval", "approvals"))
	}
	if v.Superseded != 0 {
		out += fmt.Sprintf("; superseded by version %d at entry %d", v.Version+1, v.Superseded)
	}
	return out
}

// decisionLine says who decided what with which key.
func decisionLine(d ledger.DecisionReport) string {
	verb := "approved"
	if d.Decision != "approve" {
		verb = "withdrew"
	}
	line := fmt.Sprintf("%s (%s) %s, key %s", d.Signatory, documents.Inert(d.Name), verb, d.Key)
	if d.Late {
		line += " (after the ratification: it counts for nothing)"
	}
	return line
}

// verifyVerdict is the last line verify prints: OK, or INVALID with the
// number of problems and the first.
func verifyVerdict(rep *ledger.Report) string {
	if rep.OK() {
		return "OK: everything checked holds"
	}
	return fmt.Sprintf("INVALID: %s, the first: %s", plural(len(rep.Problems), "problem"), documents.Inert(rep.Problems[0].String()))
}

// isLedgerID reports whether s is a ledger id: 64 lowercase hex digits.
func isLedgerID(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

// printAnchor prints the trust anchor a verification rested on: the ledger
// id, where it came from, and the genesis stewards' key fingerprints.
func printAnchor(s *IO, id, pinned string, stewards []ledger.Anchor, source string) {
	switch {
	case pinned == "":
		fmt.Fprintf(s.Out, "trust anchor: ledger id %s and its genesis stewards, taken from %s; compare them with the ledger id your forum publishes, or pin it with --ledger-id\n", id, source)
	case pinned == id:
		fmt.Fprintf(s.Out, "trust anchor: ledger id %s, as you pinned it (--ledger-id)\n", id)
	default:
		fmt.Fprintf(s.Out, "trust anchor: the ledger id is %s, NOT the %s you pinned (--ledger-id)\n", id, pinned)
	}
	for _, a := range stewards {
		fmt.Fprintf(s.Out, "  genesis steward %s (%s): %s\n", a.ID, documents.Inert(a.Name), a.Fingerprint)
	}
}

// plural returns "1 entry", "2 entries", "0 problems".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
