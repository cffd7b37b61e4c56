package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
)

func init() {
	register(newShowCmd)
	register(newDiffCmd)
}

// showOptions are the flags and argument of `concord show`.
type showOptions struct {
	Ledger     string // the ledger folder
	Document   string
	Version    int
	VersionSet bool // --version was given
	Lang       string
	JSON       bool
}

func newShowCmd(s *IO) *cobra.Command {
	o := &showOptions{}
	c := &cobra.Command{
		Use:   "show DOC-ID [--version N] [--lang LANG]",
		Short: "Print a version's texts and their hashes",
		Args:  argsNamed("DOC-ID"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Document, o.VersionSet = ledgerDir(c, s), args[0], c.Flags().Changed("version")
			return runShow(s, o)
		},
	}
	c.Flags().IntVar(&o.Version, "version", 0, "version number (default: the latest)")
	c.Flags().StringVar(&o.Lang, "lang", "", "show only this language")
	c.Flags().BoolVar(&o.JSON, "json", false, "print as JSON")
	return c
}

// runShow prints a version's texts (or the one in o.Lang) and their hashes.
func runShow(s *IO, o *showOptions) error {
	if err := checkDocID(o.Document); err != nil {
		return err
	}
	if err := checkVersion(o.VersionSet, o.Version); err != nil {
		return err
	}
	lang := o.Lang
	if lang != "" {
		canon, err := checkLang("--lang", lang)
		if err != nil {
			return err
		}
		lang = canon
	}
	l, err := ledger.OpenWith(o.Ledger, s.cache)
	if err != nil {
		return err
	}
	v, err := l.Show(o.Document, o.Version)
	if err != nil {
		return err
	}
	if lang != "" {
		if _, ok := v.Content[lang]; !ok {
			var langs []string
			for _, t := range v.Texts {
				langs = append(langs, t.Lang)
			}
			return &hintedError{msg: fmt.Sprintf("version %d of %s has no text in %q", v.Version, v.Document, lang),
				hint: fmt.Sprintf("its languages are %s", strings.Join(langs, ", "))}
		}
	}
	if o.JSON {
		out := showJSON{Ledger: v.Ledger, Demo: v.Demo, Document: v.Document, Title: v.Title, Version: v.Version, Latest: v.Latest, Texts: []showJSONText{}}
		for _, t := range v.Texts {
			if lang == "" || t.Lang == lang {
				out.Texts = append(out.Texts, showJSONText{Lang: t.Lang, SHA256: t.SHA256, Text: v.Content[t.Lang]})
			}
		}
		return printJSON(s, out)
	}
	printDemo(s, v.Demo)
	fmt.Fprintf(s.Out, "%s: %s\nversion %d of %d, ledger %s\n", v.Document, documents.Inert(v.Title), v.Version, v.Latest, v.Ledger)
	for _, t := range v.Texts {
		if lang == "" || t.Lang == lang {
			text, n := documents.InertText(string(v.Content[t.Lang]))
			fmt.Fprintf(s.Out, "\n== %s  sha256:%s\n%s", documents.DisplayLang(t.Lang), t.SHA256, text)
			warnHidden(s, "the text in "+documents.DisplayLang(t.Lang), n)
		}
	}
	return nil
}

// diffOptions are the flags and arguments of `concord diff`.
type diffOptions struct {
	Ledger   string // the ledger folder
	Document string
	A, B     string // the two versions, as given
	JSON     bool
}

func newDiffCmd(s *IO) *cobra.Command {
	o := &diffOptions{}
	c := &cobra.Command{
		Use:   "diff DOC-ID A B",
		Short: "Compare two versions of an agreement, language by language",
		Args:  argsNamed("DOC-ID", "A", "B"),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Document, o.A, o.B = ledgerDir(c, s), args[0], args[1], args[2]
			return runDiff(s, o)
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "print as JSON")
	return c
}

// runDiff prints what changed between two versions, language by language.
func runDiff(s *IO, o *diffOptions) error {
	if err := checkDocID(o.Document); err != nil {
		return err
	}
	var a, b int
	if _, err := fmt.Sscanf(o.A+" "+o.B, "%d %d", &a, &b); err != nil || a < 1 || b < 1 {
		return usagef("versions are numbers from 1: %q %q", o.A, o.B)
	}
	l, err := ledger.OpenWith(o.Ledger, s.cache)
	if err != nil {
		return err
	}
	diffs, err := l.Diff(o.Document, a, b)
	if err != nil {
		return err
	}
	if o.JSON {
		out := diffJSON{Document: o.Document, From: a, To: b, Languages: []diffJSONLang{}}
		for _, d := range diffs {
			out.Languages = append(out.Languages, diffJSONLang{Lang: d.Lang, Changed: d.Diff != "", Diff: d.Diff, Note: d.Note})
		}
		return printJSON(s, out)
	}
	printDemo(s, l.Genesis().Demo)
	for _, d := range diffs {
		diff, n := documents.InertText(d.Diff)
		warnHidden(s, "the diff of "+documents.DisplayLang(d.Lang), n)
		head := fmt.Sprintf("== %s", documents.DisplayLang(d.Lang))
		if d.Note != "" {
			head += " (" + d.Note + ")"
		}
		if d.Diff == "" {
			head += ": no change"
		}
		fmt.Fprintln(s.Out, head)
		fmt.Fprint(s.Out, diff)
		if diff != "" && !strings.HasSuffix(diff, "\n") {
			fmt.Fprintln(s.Out)
		}
	}
	return nil
}
