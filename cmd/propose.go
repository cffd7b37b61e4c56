package cmd

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
)

func init() {
	register(newProposeCmd)
	register(newAmendCmd)
}

// textOptions are the flags giving a version's texts.
type textOptions struct {
	dry            dryRun
	Texts          []string
	Note           string
	AllowInvisible bool
}

func addTextFlags(c *cobra.Command, o *textOptions) {
	c.Flags().StringArrayVar(&o.Texts, "text", nil, "a language text as LANG=FILE (repeat for each language)")
	c.Flags().StringVar(&o.Note, "note", "", "a note recorded with the version")
	c.Flags().BoolVar(&o.AllowInvisible, "allow-invisible", false, "accept bidirectional controls and invisible characters in the texts")
	addDryRunFlag(c, &o.dry)
}

// read reads the --text files.
func (o *textOptions) read() ([]ledger.TextInput, error) {
	if len(o.Texts) == 0 {
		return nil, usagef("give at least one --text LANG=FILE")
	}
	seen := map[string]bool{}
	for _, t := range o.Texts {
		lang, file, ok := strings.Cut(t, "=")
		if !ok || lang == "" || file == "" {
			return nil, usagef("--text %q: use LANG=FILE, e.g. --text en=pact.en.txt", t)
		}
		canon, err := documents.ParseLang(lang)
		if err != nil {
			return nil, &usageError{err: fmt.Errorf("--text %s: %w", t, err)}
		}
		if seen[canon] {
			return nil, usagef("--text: language %s is given twice; give each language once", canon)
		}
		seen[canon] = true
	}
	var out []ledger.TextInput
	for _, t := range o.Texts {
		lang, file, _ := strings.Cut(t, "=")
		lang, _ = documents.ParseLang(lang)
		data, err := readLimited(file, 8<<20)
		if err != nil {
			return nil, err
		}
		out = append(out, ledger.TextInput{Lang: lang, Name: file, Data: data})
	}
	return out, nil
}

// readLimited reads a file of at most max bytes.
func readLimited(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("reading %s: %d bytes is more than the %d a text may have", path, fi.Size(), max)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return data, nil
}

func printAgreementResult(s *IO, res *ledger.AgreementResult, asJSON bool, verb string) error {
	if asJSON {
		return printJSON(s, agreementOut(res))
	}
	fmt.Fprintf(s.Out, "%s %s v%d at entry %d (commit %.12s)\n", verb, res.Document, res.Version, res.Entry, res.Commit)
	for _, t := range res.Texts {
		fmt.Fprintf(s.Out, "  %s sha256:%s\n", t.Lang, t.SHA256)
	}
	langs := make([]string, 0, len(res.Changes))
	for l := range res.Changes {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		fmt.Fprintf(s.Err, "note: text %s: %s\n", l, strings.Join(res.Changes[l], "; "))
	}
	return nil
}

// proposeOptions are the flags and argument of `concord propose`.
type proposeOptions struct {
	signerOptions
	textOptions
	Ledger   string // the ledger folder
	Document string
	Title    string
	Signers  string
	Rule     string
	JSON     bool
}

func newProposeCmd(s *IO) *cobra.Command {
	o := &proposeOptions{}
	c := &cobra.Command{
		Use:   "propose DOC-ID --title TITLE --text LANG=FILE... --signers ID,... --rule all|quorum:N --as ID --key FILE",
		Short: "Propose a new agreement (its version 1)",
		Long: `Propose a new agreement. Each --text is one language version; all are equally
authentic. Texts are stored in canonical form (UTF-8, NFC, LF line endings, no
byte order mark, one final newline); what was changed is reported. Text with
bidirectional controls or invisible characters is refused unless
--allow-invisible.`,
		Args: argsNamed("DOC-ID"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Document = ledgerDir(c, s), args[0]
			return runPropose(s, o)
		},
	}
	addSignerFlags(c, &o.signerOptions)
	addTextFlags(c, &o.textOptions)
	c.Flags().StringVar(&o.Title, "title", "", "the agreement's title")
	c.Flags().StringVar(&o.Signers, "signers", "", "comma-separated roster ids whose signatures it needs")
	c.Flags().StringVar(&o.Rule, "rule", "all", "ratification rule: all, or quorum:N")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	return c
}

// amendOptions are the flags and argument of `concord amend`.
type amendOptions struct {
	signerOptions
	textOptions
	Ledger   string // the ledger folder
	Document string
	Drop     []string
	JSON     bool
}

func newAmendCmd(s *IO) *cobra.Command {
	o := &amendOptions{}
	c := &cobra.Command{
		Use:   "amend DOC-ID --text LANG=FILE... --as ID --key FILE",
		Short: "Add a new version of an agreement",
		Long: `Add a new version. Earlier versions keep their signatures and their state;
the new version needs its own. Give every language of the new version; a
language of the current version may be left out only with --drop LANG. A
signatory of the document or a steward may amend it.`,
		Args: argsNamed("DOC-ID"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Document = ledgerDir(c, s), args[0]
			return runAmend(s, o)
		},
	}
	addSignerFlags(c, &o.signerOptions)
	addTextFlags(c, &o.textOptions)
	c.Flags().StringArrayVar(&o.Drop, "drop", nil, "leave out the current version's text in LANG (repeatable)")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	return c
}

// runPropose writes a new document with its version 1.
func runPropose(s *IO, o *proposeOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if err := checkDocID(o.Document); err != nil {
		return err
	}
	if o.Title == "" || o.Signers == "" {
		return usagef("--title and --signers are required")
	}
	signers, err := checkSigners(o.Signers)
	if err != nil {
		return err
	}
	rule, err := rules.ParseRule(o.Rule)
	if err != nil {
		return usagef("--rule: %v", err)
	}
	if rule.Kind == "quorum" && rule.Quorum > len(signers) {
		return usagef("--rule %s: a quorum of %d is more than the %s in --signers", o.Rule, rule.Quorum, plural(len(signers), "signatory"))
	}
	texts, err := o.read()
	if err != nil {
		return err
	}
	signer, err := o.signer(s)
	if err != nil {
		return err
	}
	res, err := ledger.Propose(o.Ledger, o.dry.env(s), ledger.ProposeOptions{Document: o.Document, Title: o.Title,
		Texts: texts, Signers: signers, Rule: rule, Note: o.Note,
		AllowInvisible: o.AllowInvisible, As: o.As, Signer: signer})
	if err != nil {
		return err
	}
	if o.dry.on {
		return o.dry.report(s)
	}
	return printAgreementResult(s, res, o.JSON, "proposed")
}

// runAmend writes a new version of a document.
func runAmend(s *IO, o *amendOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if err := checkDocID(o.Document); err != nil {
		return err
	}
	for i, d := range o.Drop {
		canon, err := checkLang("--drop", d)
		if err != nil {
			return err
		}
		o.Drop[i] = canon // as the ledger stores tags
	}
	texts, err := o.read()
	if err != nil {
		return err
	}
	signer, err := o.signer(s)
	if err != nil {
		return err
	}
	res, err := ledger.Amend(o.Ledger, o.dry.env(s), ledger.AmendOptions{Document: o.Document, Texts: texts,
		Drop: o.Drop, Note: o.Note, AllowInvisible: o.AllowInvisible, As: o.As, Signer: signer})
	if err != nil {
		return err
	}
	if o.dry.on {
		return o.dry.report(s)
	}
	return printAgreementResult(s, res, o.JSON, "amended")
}
