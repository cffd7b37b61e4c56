package cmd

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/signing"
)

func init() {
	register(func(s *IO) *cobra.Command { return newDecisionCmd(s, signing.Approve) })
	register(func(s *IO) *cobra.Command { return newDecisionCmd(s, signing.Withdraw) })
}

// decisionOptions are the flags and arguments of `concord sign` and
// `concord withdraw`.
type decisionOptions struct {
	signerOptions
	Ledger     string // the ledger folder
	Document   string
	Command    string // "sign" or "withdraw", for messages
	DryRun     bool
	Version    int
	VersionSet bool // --version was given
	Yes        bool
	JSON       bool
}

func newDecisionCmd(s *IO, d signing.Decision) *cobra.Command {
	o := &decisionOptions{}
	c := &cobra.Command{
		Use:   "sign DOC-ID --as ID --key FILE [--passphrase-file F | --agent] [--version N] [--yes]",
		Short: "Approve a version of an agreement with your key",
		Long: `Approve a version (default: the latest). concord first shows exactly what you
sign: the texts (or, if you approved an earlier version, the diff to it) and
their SHA-256 hashes, and asks for confirmation on a terminal. Without a
terminal, --yes is required. If your approval meets the agreement's rule, the
version is ratified in the same entry.`,
		Args: argsNamed("DOC-ID"),
	}
	if d == signing.Withdraw {
		c.Use = "withdraw DOC-ID --as ID --key FILE [--passphrase-file F | --agent] [--version N] [--yes]"
		c.Short = "Withdraw your approval of a version before it is ratified"
		c.Long = `Withdraw your earlier approval of a version (default: the latest), which is
possible only until the version is ratified. The withdrawal is a signed
statement of its own; your approval stays recorded before it.`
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		o.Ledger, o.Document, o.Command = ledgerDir(c, s), args[0], c.Name()
		o.VersionSet = c.Flags().Changed("version")
		return runDecision(s, o, d)
	}
	addSignerFlags(c, &o.signerOptions)
	c.Flags().IntVar(&o.Version, "version", 0, "version number (default: the latest)")
	c.Flags().BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (for scripts)")
	c.Flags().BoolVar(&o.DryRun, "dry-run", false, "run every check and print the statement you would sign; sign and write nothing")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	return c
}

// runDecision signs or withdraws (d) a decision on a version: it shows
// what is signed, asks, and writes the entry.
func runDecision(s *IO, o *decisionOptions, d signing.Decision) error {
	if err := o.check(); err != nil {
		return err
	}
	if err := checkDocID(o.Document); err != nil {
		return err
	}
	if err := checkVersion(o.VersionSet, o.Version); err != nil {
		return err
	}
	if !o.Yes && !o.DryRun && !(s.InTerminal && s.ErrTerminal) {
		return usagef("no terminal to confirm on: pass --yes to %s without being asked", o.Command)
	}
	// The key first: a wrong, missing or public key file is reported
	// before any text is shown or a passphrase asked.
	pub, agent, err := o.keyFirst(s)
	if err != nil {
		return err
	}
	plan, err := ledger.PrepareDecision(o.Ledger, ledger.DecisionOptions{Document: o.Document, Version: o.Version, As: o.As, Decision: d, Key: pub, Cache: s.cache})
	if err != nil {
		return err
	}
	if err := showPlan(s, plan, d, !o.Yes && !o.DryRun); err != nil {
		return err
	}
	if o.DryRun {
		// Nothing is signed: a signed statement printed by a dry run
		// could be written to the ledger by someone else.
		stmt, err := plan.StatementAt(s.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(s.Err, "dry run: every check passed; nothing was signed or written")
		shown, _ := documents.InertText(string(stmt))
		fmt.Fprintf(s.Out, "the statement you would sign now:\n%s", shown)
		return nil
	}
	if !o.Yes {
		if err := confirmSigning(s, fmt.Sprintf("%s %s version %d as %s with key %s? [y/N] ", verbOf(d), plan.Document, plan.Version, o.As, plan.SignerFingerprint)); err != nil {
			return err
		}
	}
	signer, err := o.loadSigner(s, agent)
	if err != nil {
		return err
	}
	res, err := plan.Commit(env(s), signer)
	if err != nil {
		return err
	}
	if o.JSON {
		return printJSON(s, decisionOut(res))
	}
	fmt.Fprintf(s.Out, "%s: %s v%d by %s at entry %d (commit %.12s); %s, rule: %s\n",
		res.Decision, res.Document, res.Version, res.Signatory, res.Entry, res.Commit, count(res.Approvals, "approval", "approvals"), res.Required)
	if res.Ratified {
		fmt.Fprintf(s.Out, "%s v%d is RATIFIED\n", res.Document, res.Version)
	}
	return nil
}

func verbOf(d signing.Decision) string {
	if d == signing.Withdraw {
		return "Withdraw your approval of"
	}
	return "Approve"
}

// showPlan prints what is about to be signed to the message stream: the
// key that signs, whether the approval ratifies, the languages added or
// dropped and the hashes always; with full (the user will be asked) the
// note and the texts or diff too, through the pager on a terminal. Every
// character a terminal would hide or use to reorder text is shown as
// <U+XXXX>, with a warning.
func showPlan(s *IO, plan *ledger.DecisionPlan, d signing.Decision, full bool) error {
	w := s.Err
	if plan.Demo {
		fmt.Fprintln(w, demoBanner)
	}
	fmt.Fprintf(w, "%s: %s, version %d\n", plan.Document, documents.Inert(plan.Title), plan.Version)
	var warnings []string
	hiddenIn := func(what string, n int) {
		if n > 0 {
			warnings = append(warnings, hiddenWarning(what, n))
		}
	}
	if full {
		var body bytes.Buffer
		if plan.Note != "" {
			// One line: a note written by an older release may hold line breaks.
			note, n := documents.InertText(plan.Note)
			note = documents.Inert(note)
			hiddenIn("the note", n)
			fmt.Fprintf(&body, "Note of version %d: %s\n", plan.Version, note)
		}
		for _, lang := range plan.Dropped {
			fmt.Fprintf(&body, "\n== %s: DROPPED (in version %d, not in version %d)\n", documents.DisplayLang(lang), plan.Compared, plan.Version)
		}
		colour := useColour(s)
		if d == signing.Approve && plan.Diffs != nil {
			fmt.Fprintf(&body, "You approved version %d; these are the changes since:\n", plan.DiffFrom)
		}
		for _, t := range plan.Texts {
			lang := documents.DisplayLang(t.Lang)
			diff, isDiff := plan.Diffs[t.Lang]
			switch {
			case d == signing.Approve && plan.Diffs != nil && isDiff && diff == "":
				fmt.Fprintf(&body, "\n== %s (unchanged since version %d)\n", lang, plan.DiffFrom)
			case d == signing.Approve && plan.Diffs != nil && isDiff:
				v, n := documents.InertText(diff)
				hiddenIn("the diff of "+lang, n)
				if colour {
					v = colourDiff(v)
				}
				fmt.Fprintf(&body, "\n== %s\n%s", lang, v)
			default:
				label := lang
				if slices.Contains(plan.Added, t.Lang) {
					label += fmt.Sprintf(" (ADDED: new in version %d, in full)", plan.Version)
				}
				v, n := documents.InertText(string(plan.Show[t.Lang]))
				hiddenIn("the text in "+lang, n)
				fmt.Fprintf(&body, "\n== %s\n%s", label, v)
			}
		}
		body.WriteString("\n")
		if err := page(s, body.Bytes()); err != nil {
			return err
		}
	} else {
		for _, lang := range plan.Dropped {
			fmt.Fprintf(w, "%s: DROPPED since version %d\n", documents.DisplayLang(lang), plan.Compared)
		}
		for _, lang := range plan.Added {
			fmt.Fprintf(w, "%s: ADDED since version %d\n", documents.DisplayLang(lang), plan.Compared)
		}
	}
	for _, warn := range warnings {
		fmt.Fprintln(w, warn)
	}
	fmt.Fprintln(w, "SHA-256 of the texts you sign:")
	for _, t := range plan.Texts {
		fmt.Fprintf(w, "  %s %s\n", documents.DisplayLang(t.Lang), t.SHA256)
	}
	if plan.SignerFingerprint != "" {
		fmt.Fprintf(w, "Signing key: %s\n", plan.SignerFingerprint)
	}
	if plan.Ratifies {
		fmt.Fprintf(w, "This approval ratifies %s v%d (rule: %s).\n", plan.Document, plan.Version, plan.Required)
	}
	return nil
}

// confirmSigning asks question before signing; a "no" is reported as
// "nothing signed" and exit status 1.
func confirmSigning(s *IO, question string) error {
	ok, err := confirm(s, question)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintln(s.Err, "nothing signed")
		return &silentError{code: ExitError}
	}
	return nil
}

// confirm asks a yes/no question on the terminal.
func confirm(s *IO, question string) (bool, error) {
	fmt.Fprint(s.Err, question)
	line, err := bufio.NewReader(s.In).ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("reading the answer: %w", err)
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}
