package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

func init() { register(newRosterCmd) }

func newRosterCmd(s *IO) *cobra.Command {
	c := &cobra.Command{
		Use:   "roster",
		Short: "Show and change the roster of signatories",
		Long: `The roster lists the signatories and stewards. Adding, rotating (a new key for
the same person) or revoking takes effect once the threshold of distinct
stewards has approved it: one steward proposes (which counts as their
approval), the others run 'concord roster approve CHANGE'. A key counts from
the entry that enrols it to the entry that rotates or revokes it.`,
	}
	c.AddCommand(newRosterListCmd(s), newRosterAddCmd(s), newRosterRotateCmd(s), newRosterRevokeCmd(s),
		newRosterApproveCmd(s), newRosterAllowedSignersCmd(s))
	return c
}

// rosterChangeOptions are the flags shared by add, rotate and revoke.
type rosterChangeOptions struct {
	signerOptions
	Ledger string     // the ledger folder
	Call   invocation // how concord was called, for the next step printed
	ID     string     // the member the change is about
	dry    dryRun
	Reason string
	JSON   bool
}

func addRosterChangeFlags(c *cobra.Command, o *rosterChangeOptions) {
	addSignerFlags(c, &o.signerOptions)
	c.Flags().StringVar(&o.Reason, "reason", "", "why (recorded in the ledger)")
	addDryRunFlag(c, &o.dry)
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
}

// runRosterChange proposes the roster change ch, with o's signer and
// reason.
func runRosterChange(s *IO, o *rosterChangeOptions, ch ledger.RosterChangeOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	signer, err := o.signer(s)
	if err != nil {
		return err
	}
	ch.As, ch.Signer, ch.Reason = o.As, signer, o.Reason
	res, err := ledger.ProposeRosterChange(o.Ledger, o.dry.env(s), ch)
	if err != nil {
		return err
	}
	if o.dry.on {
		return o.dry.report(s)
	}
	return printRosterResult(s, res, o.JSON, o.Call)
}

// printRosterResult prints the change recorded and, while it waits for
// approvals, the command the other stewards approve it with, as inv calls
// concord.
func printRosterResult(s *IO, res *ledger.RosterResult, asJSON bool, inv invocation) error {
	if asJSON {
		return printJSON(s, rosterChangeJSON{Change: res.Change, Entry: res.Entry, Commit: res.Commit,
			Approvals: res.Approvals, Threshold: res.Threshold, Effective: res.Effective})
	}
	if res.Effective {
		fmt.Fprintf(s.Out, "change %s took effect at entry %d (%d of %s)\n", res.Change, res.Entry, res.Approvals, count(res.Threshold, "steward approval", "steward approvals"))
	} else {
		fmt.Fprintf(s.Out, "change %s recorded at entry %d: %d of %s\n", res.Change, res.Entry, res.Approvals, count(res.Threshold, "steward approval", "steward approvals"))
		fmt.Fprintf(s.Err, "other stewards approve it with: %s\n", inv.command("roster approve", res.Change, "--as", "ID", "--key", "FILE"))
	}
	return nil
}

// rosterAddOptions are the flags and argument of `concord roster add`.
type rosterAddOptions struct {
	rosterChangeOptions
	Member  rules.Member
	KeyFile string // --pubkey
}

func newRosterAddCmd(s *IO) *cobra.Command {
	o := &rosterAddOptions{}
	m := &o.Member
	c := &cobra.Command{
		Use:   "add ID --name NAME --title TITLE --institution INST --country COUNTRY --pubkey FILE.pub --as STEWARD --key FILE",
		Short: "Propose to enrol a signatory",
		Args:  argsNamed("ID"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Call, o.ID = ledgerDir(c, s), invocationOf(c, s), args[0]
			return runRosterAdd(s, o)
		},
	}
	addRosterChangeFlags(c, &o.rosterChangeOptions)
	c.Flags().StringVar(&m.Name, "name", "", "full name")
	c.Flags().StringVar(&m.Title, "title", "", "title, e.g. President")
	c.Flags().StringVar(&m.Institution, "institution", "", "institution")
	c.Flags().StringVar(&m.Country, "country", "", "country")
	c.Flags().StringVar(&o.KeyFile, "pubkey", "", "the new signatory's public key file (.pub)")
	c.Flags().BoolVar(&m.Steward, "steward", false, "make the new member a steward too")
	return c
}

// runRosterAdd proposes to enrol o.Member.
func runRosterAdd(s *IO, o *rosterAddOptions) error {
	if err := checkRosterID("ID", o.ID); err != nil {
		return err
	}
	m := o.Member
	m.ID = o.ID
	if o.KeyFile == "" || m.Name == "" || m.Title == "" || m.Institution == "" || m.Country == "" {
		return usagef("--name, --title, --institution, --country and --pubkey are required")
	}
	info, err := signing.ReadKeyInfo(o.KeyFile)
	if err != nil {
		return err
	}
	return runRosterChange(s, &o.rosterChangeOptions, ledger.RosterChangeOptions{Action: rules.ActionAdd, Member: &m, Key: info.PublicKey})
}

// rosterRotateOptions are the flags and argument of `concord roster rotate`.
type rosterRotateOptions struct {
	rosterChangeOptions
	KeyFile string // --pubkey
}

func newRosterRotateCmd(s *IO) *cobra.Command {
	o := &rosterRotateOptions{}
	c := &cobra.Command{
		Use:   "rotate ID --pubkey NEW.pub --as STEWARD --key FILE",
		Short: "Propose a new key for a signatory (e.g. a lost key)",
		Args:  argsNamed("ID"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Call, o.ID = ledgerDir(c, s), invocationOf(c, s), args[0]
			return runRosterRotate(s, o)
		},
	}
	addRosterChangeFlags(c, &o.rosterChangeOptions)
	c.Flags().StringVar(&o.KeyFile, "pubkey", "", "the new public key file (.pub)")
	return c
}

// runRosterRotate proposes a new key for member o.ID.
func runRosterRotate(s *IO, o *rosterRotateOptions) error {
	if err := checkRosterID("ID", o.ID); err != nil {
		return err
	}
	if o.KeyFile == "" {
		return usagef("--pubkey NEW.pub is required")
	}
	info, err := signing.ReadKeyInfo(o.KeyFile)
	if err != nil {
		return err
	}
	return runRosterChange(s, &o.rosterChangeOptions, ledger.RosterChangeOptions{Action: rules.ActionRotate, ID: o.ID, Key: info.PublicKey})
}

func newRosterRevokeCmd(s *IO) *cobra.Command {
	o := &rosterChangeOptions{}
	c := &cobra.Command{
		Use:   "revoke ID --as STEWARD --key FILE",
		Short: "Propose to revoke a signatory",
		Args:  argsNamed("ID"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Call, o.ID = ledgerDir(c, s), invocationOf(c, s), args[0]
			return runRosterRevoke(s, o)
		},
	}
	addRosterChangeFlags(c, o)
	return c
}

// runRosterRevoke proposes to revoke member o.ID.
func runRosterRevoke(s *IO, o *rosterChangeOptions) error {
	if err := checkRosterID("ID", o.ID); err != nil {
		return err
	}
	return runRosterChange(s, o, ledger.RosterChangeOptions{Action: rules.ActionRevoke, ID: o.ID})
}

// rosterApproveOptions are the flags of `concord roster approve`.
type rosterApproveOptions struct {
	signerOptions
	Ledger string     // the ledger folder
	Call   invocation // how concord was called, for the next step printed
	Change string     // the change's id, or a prefix of it
	dry    dryRun
	Yes    bool
	JSON   bool
}

func newRosterApproveCmd(s *IO) *cobra.Command {
	o := &rosterApproveOptions{}
	c := &cobra.Command{
		Use:   "approve CHANGE --as STEWARD --key FILE [--yes]",
		Short: "Approve a pending roster change",
		Long: `Approve a pending roster change. concord first shows the change in full —
the action, the member's name, title, institution and country, the key
fingerprint it enrols or stops counting, who proposed it, when and why, the
approvals so far and how many more it needs — and asks on a terminal.
Without a terminal, --yes is required. Your key is checked before anything is
shown or a passphrase asked.`,
		Args: argsNamed("CHANGE"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Call, o.Change = ledgerDir(c, s), invocationOf(c, s), args[0]
			return runRosterApprove(s, o)
		},
	}
	addSignerFlags(c, &o.signerOptions)
	c.Flags().BoolVar(&o.Yes, "yes", false, "do not ask for confirmation (for scripts)")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	c.Flags().BoolVar(&o.dry.on, "dry-run", false, "run every check and show the change; sign and write nothing")
	return c
}

// showRosterApproval prints the change a steward is about to approve, every
// field made visible (<U+XXXX> for what a terminal would hide).
func showRosterApproval(s *IO, p *ledger.RosterApprovalPlan) {
	w := s.Err
	if p.Demo {
		fmt.Fprintln(w, demoBanner)
	}
	what := map[string]string{
		rules.ActionAdd:    "ENROL a new signatory",
		rules.ActionRotate: "ROTATE the key of",
		rules.ActionRevoke: "REVOKE",
	}[p.Action]
	fmt.Fprintf(w, "Roster change %s: %s\n", p.Change, what)
	m := p.Member
	fmt.Fprintf(w, "  member:      %s\n", m.ID)
	if m.Name != "" {
		role := "signatory"
		if m.Steward {
			role = "steward"
		}
		fmt.Fprintf(w, "  name:        %s\n", documents.Inert(m.Name))
		fmt.Fprintf(w, "  title:       %s\n", documents.Inert(m.Title))
		fmt.Fprintf(w, "  institution: %s\n", documents.Inert(m.Institution))
		fmt.Fprintf(w, "  country:     %s\n", documents.Inert(m.Country))
		fmt.Fprintf(w, "  role:        %s\n", role)
	}
	switch p.Action {
	case rules.ActionAdd:
		fmt.Fprintf(w, "  key:         %s (to be enrolled)\n", p.Fingerprint)
	case rules.ActionRotate:
		fmt.Fprintf(w, "  old key:     %s (stops counting)\n", p.OldFingerprint)
		fmt.Fprintf(w, "  new key:     %s (to be enrolled)\n", p.Fingerprint)
	case rules.ActionRevoke:
		fmt.Fprintf(w, "  key:         %s (stops counting)\n", p.Fingerprint)
	}
	proposer := p.Proposer
	if p.ProposerName != "" {
		proposer += " (" + documents.Inert(p.ProposerName) + ")"
	}
	fmt.Fprintf(w, "  proposed by: %s at entry %d, %s\n", proposer, p.ProposedEntry, p.Proposed)
	reason := "(none given)"
	if p.Reason != "" {
		reason = documents.Inert(p.Reason)
	}
	fmt.Fprintf(w, "  reason:      %s\n", reason)
	approvals := "none"
	if len(p.Approvals) > 0 {
		approvals = strings.Join(p.Approvals, ", ")
	}
	fmt.Fprintf(w, "  approvals:   %d of %d so far (%s)\n", len(p.Approvals), p.Threshold, approvals)
	if p.Effective {
		fmt.Fprintf(w, "Your approval makes the change TAKE EFFECT.\n")
	} else {
		fmt.Fprintf(w, "After your approval it needs %s more.\n", plural(p.Needed, "steward approval"))
	}
	fmt.Fprintf(w, "Signing key: %s\n", p.SignerFingerprint)
}

// rosterViewOptions are the flags of `concord roster list` and `roster
// allowed-signers`.
type rosterViewOptions struct {
	Ledger string // the ledger folder
	JSON   bool
}

func newRosterListCmd(s *IO) *cobra.Command {
	o := &rosterViewOptions{}
	c := &cobra.Command{
		Use:   "list",
		Short: "List the roster and pending changes",
		Args:  argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger = ledgerDir(c, s)
			return runRosterList(s, o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "print the roster as JSON")
	return c
}

func joinInts(ns []int) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, fmt.Sprint(n))
	}
	return strings.Join(parts, ", ")
}

func newRosterAllowedSignersCmd(s *IO) *cobra.Command {
	o := &rosterViewOptions{}
	c := &cobra.Command{
		Use:   "allowed-signers",
		Short: "Print an allowed_signers file for ssh-keygen -Y verify and git verify-commit",
		Long: `Print an allowed_signers file listing every key that was ever on the roster,
for namespaces "concord" and "git". Use it with
  git -c gpg.ssh.allowedSignersFile=FILE verify-commit COMMIT
  ssh-keygen -Y verify -f FILE -I ID -n concord -s SIG < STATEMENT`,
		Args: argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger = ledgerDir(c, s)
			return runRosterAllowedSigners(s, o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "print each principal, its namespaces, key and fingerprint, and the file, as JSON")
	return c
}

// runRosterApprove shows a pending roster change, asks, and writes the
// steward's approval.
func runRosterApprove(s *IO, o *rosterApproveOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if !o.Yes && !o.dry.on && !(s.InTerminal && s.ErrTerminal) {
		return usagef("no terminal to confirm on: pass --yes to approve without being asked")
	}
	pub, agent, err := o.keyFirst(s)
	if err != nil {
		return err
	}
	change, err := resolveChange(s, o.Ledger, o.Change)
	if err != nil {
		return err
	}
	plan, err := ledger.PrepareRosterApproval(o.Ledger, ledger.RosterApprovalOptions{Change: change, As: o.As, Key: pub})
	if err != nil {
		return err
	}
	showRosterApproval(s, plan)
	if o.dry.on {
		// Nothing is signed: a signed approval printed by a dry
		// run could be written to the ledger by someone else.
		fmt.Fprintln(s.Err, "dry run: every check passed; nothing was signed or written")
		return nil
	}
	if !o.Yes {
		if err := confirmSigning(s, fmt.Sprintf("Approve change %s (%s %s) as %s with key %s? [y/N] ",
			plan.Change, plan.Action, plan.Member.ID, o.As, plan.SignerFingerprint)); err != nil {
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
	return printRosterResult(s, res, o.JSON, o.Call)
}

// runRosterList prints the roster and its pending changes.
func runRosterList(s *IO, o *rosterViewOptions) error {
	l, err := ledger.OpenWith(o.Ledger, s.cache)
	if err != nil {
		return err
	}
	r := l.Roster()
	if o.JSON {
		return printJSON(s, rosterOut(r))
	}
	printDemo(s, r.Demo)
	fmt.Fprintf(s.Out, "roster of ledger %s (steward threshold %d)\n", r.Ledger, r.Threshold)
	for _, m := range r.Members {
		role := "signatory"
		if m.Steward {
			role = "steward"
		}
		state := fmt.Sprintf("enrolled at entry %d", m.Enrolled)
		if len(m.Rotated) > 0 {
			state += fmt.Sprintf(", key rotated at entry %s", joinInts(m.Rotated))
		}
		if m.Revoked != 0 {
			state += fmt.Sprintf(", REVOKED at entry %d", m.Revoked)
		}
		fmt.Fprintf(s.Out, "  %-16s %s, %s, %s (%s) [%s] %s; %s\n", m.ID, documents.Inert(m.Name), documents.Inert(m.Title), documents.Inert(m.Institution), documents.Inert(m.Country), role, m.Fingerprint, state)
	}
	for _, p := range r.Pending {
		fmt.Fprintf(s.Out, "pending change %s: %s %s, key %s, proposed by %s, approved by %s (%d of %d)\n", p.Change, p.Proposal.Action,
			p.Proposal.Subject(), p.Fingerprint, p.Proposal.Proposer, strings.Join(p.Approvals, ", "), len(p.Approvals), p.Threshold)
	}
	return nil
}

// runRosterAllowedSigners prints the ledger's allowed_signers file.
func runRosterAllowedSigners(s *IO, o *rosterViewOptions) error {
	l, err := ledger.OpenWith(o.Ledger, s.cache)
	if err != nil {
		return err
	}
	file := l.AllowedSigners()
	if o.JSON {
		out, err := allowedSignersOut(l.ID(), file)
		if err != nil {
			return err
		}
		return printJSON(s, out)
	}
	_, err = s.Out.Write(file)
	return err
}
