package cmd

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/signing"
)

func init() {
	register(func(s *IO) *cobra.Command { return newDecisionCmd(s, signing.Approve) })
	register(func(s *IO) *cobra.Command { return newDecisionCmd(s, signing.Withdraw) })
}

// decisionOptions are the flags of `concord sign` and `concord withdraw`.
type decisionOptions struct {
	signerOptions
	Version int
	Yes     bool
	JSON    bool
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
		if err := o.check(); err != nil {
			return err
		}
		if err := checkDocID(args[0]); err != nil {
			return err
		}
		if err := checkVersionFlag(c, o.Version); err != nil {
			return err
		}
		if !o.Yes && !(s.InTerminal && s.ErrTerminal) {
			return usagef("no terminal to confirm on: pass --yes to %s without being asked", c.Name())
		}
		plan, err := ledger.PrepareDecision(ledgerDir(c, s), ledger.DecisionOptions{Document: args[0], Version: o.Version, As: o.As, Decision: d})
		if err != nil {
			return err
		}
		showPlan(s, plan, d, !o.Yes)
		if !o.Yes {
			ok, err := confirm(s, fmt.Sprintf("%s %s version %d as %s? [y/N] ", verbOf(d), plan.Document, plan.Version, o.As))
			if err != nil {
				return err
			}
			if !ok {
				fmt.Fprintln(s.Err, "nothing signed")
				return &silentError{code: ExitError}
			}
		}
		signer, err := o.signer(s)
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
	addSignerFlags(c, &o.signerOptions)
	c.Flags().IntVar(&o.Version, "version", 0, "version number (default: the latest)")
	c.Flags().BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (for scripts)")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	return c
}

func verbOf(d signing.Decision) string {
	if d == signing.Withdraw {
		return "Withdraw your approval of"
	}
	return "Approve"
}

// showPlan prints what is about to be signed to the message stream: the
// hashes always, the texts or diff when the user will be asked.
func showPlan(s *IO, plan *ledger.DecisionPlan, d signing.Decision, full bool) {
	w := s.Err
	if plan.Demo {
		fmt.Fprintln(w, demoBanner)
	}
	fmt.Fprintf(w, "%s: %s, version %d\n", plan.Document, plan.Title, plan.Version)
	if full && d == signing.Approve {
		if plan.Diffs != nil {
			fmt.Fprintf(w, "You approved version %d; these are the changes since:\n", plan.DiffFrom)
			for _, t := range plan.Texts {
				d, ok := plan.Diffs[t.Lang]
				switch {
				case !ok:
					fmt.Fprintf(w, "\n== %s (new in version %d, in full)\n%s", t.Lang, plan.Version, plan.Show[t.Lang])
				case d == "":
					fmt.Fprintf(w, "\n== %s (unchanged since version %d)\n", t.Lang, plan.DiffFrom)
				default:
					fmt.Fprintf(w, "\n== %s\n%s", t.Lang, d)
				}
			}
		} else {
			for _, t := range plan.Texts {
				fmt.Fprintf(w, "\n== %s\n%s", t.Lang, plan.Show[t.Lang])
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "SHA-256 of the texts you sign:")
	for _, t := range plan.Texts {
		fmt.Fprintf(w, "  %s %s\n", t.Lang, t.SHA256)
	}
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
