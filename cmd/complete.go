package cmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/ledger"
)

// Shell completion from the ledger: document ids, roster ids, languages,
// version numbers and pending roster change ids, each with a short
// description. A ledger that cannot be read completes nothing (and no file
// names). Wired by command path in addCompletions, so the commands' own
// files stay as they are.

// completer returns the candidates for one position, from the open ledger
// l, the command's arguments so far and the word being completed.
type completer func(c *cobra.Command, l *ledger.Ledger, args []string, toComplete string) []string

// fromLedger adapts a completer to cobra, opening the ledger the command
// line names.
func fromLedger(s *IO, f completer) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		l, err := openLedger(c, s)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer l.Close()
		var out []cobra.Completion
		for _, cand := range f(c, l, args, toComplete) {
			if strings.HasPrefix(cand, toComplete) {
				out = append(out, cand)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// byPosition completes argument i with fs[i]; beyond them, nothing.
func byPosition(s *IO, fs ...completer) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) >= len(fs) || fs[len(args)] == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return fromLedger(s, fs[len(args)])(c, args, toComplete)
	}
}

// documentIDs: every document, described by its title.
func documentIDs(_ *cobra.Command, l *ledger.Ledger, _ []string, _ string) []string {
	ids, err := l.Documents()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		st, err := l.Status(id)
		if err != nil {
			out = append(out, id)
			continue
		}
		out = append(out, id+"\t"+st.Title)
	}
	return out
}

// rosterIDs: every member not revoked, described by name and institution.
func rosterIDs(_ *cobra.Command, l *ledger.Ledger, _ []string, _ string) []string {
	var out []string
	for _, m := range l.Roster().Members {
		if m.Revoked == 0 {
			out = append(out, fmt.Sprintf("%s\t%s, %s", m.ID, m.Name, m.Institution))
		}
	}
	return out
}

// signerList completes the last id of a comma-separated --signers list.
func signerList(c *cobra.Command, l *ledger.Ledger, args []string, toComplete string) []string {
	done, _ := cutLast(toComplete, ",")
	given := map[string]bool{}
	for _, id := range strings.Split(done, ",") {
		given[id] = true
	}
	var out []string
	for _, cand := range rosterIDs(c, l, args, toComplete) {
		id, _, _ := strings.Cut(cand, "\t")
		if !given[id] {
			prefix := ""
			if done != "" {
				prefix = done + ","
			}
			out = append(out, prefix+cand)
		}
	}
	return out
}

// cutLast splits s at its last sep: ("a,b", "c") for "a,b,c"; ("", s) if none.
func cutLast(s, sep string) (string, string) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):]
	}
	return "", s
}

// pendingChanges: the pending roster changes, described by what they do.
func pendingChanges(_ *cobra.Command, l *ledger.Ledger, _ []string, _ string) []string {
	var out []string
	for _, p := range l.Roster().Pending {
		out = append(out, fmt.Sprintf("%s\t%s %s (%d of %d)", p.Change, p.Proposal.Action, p.Proposal.Subject(), len(p.Approvals), p.Threshold))
	}
	return out
}

// versionNumbers: the versions of the document in args[0].
func versionNumbers(_ *cobra.Command, l *ledger.Ledger, args []string, _ string) []string {
	if len(args) == 0 {
		return nil
	}
	st, err := l.Status(args[0])
	if err != nil {
		return nil
	}
	var out []string
	for _, v := range st.Versions {
		state := "not ratified"
		switch {
		case v.Ratified != 0:
			state = "ratified"
		case v.Superseded != 0:
			state = "superseded"
		}
		out = append(out, fmt.Sprintf("%d\t%s", v.Version, state))
	}
	return out
}

// languages: the languages of the document in args[0], at --version if
// given, else of its latest version.
func languages(c *cobra.Command, l *ledger.Ledger, args []string, _ string) []string {
	if len(args) == 0 {
		return nil
	}
	st, err := l.Status(args[0])
	if err != nil || len(st.Versions) == 0 {
		return nil
	}
	v := st.Versions[len(st.Versions)-1]
	if f := c.Flags().Lookup("version"); f != nil && f.Changed {
		n, err := strconv.Atoi(f.Value.String())
		if err != nil || n < 1 || n > len(st.Versions) {
			return nil
		}
		v = st.Versions[n-1]
	}
	var out []string
	for _, t := range v.Texts {
		out = append(out, t.Lang)
	}
	return out
}

// addCompletions wires the completers into the command tree under root.
func addCompletions(s *IO, root *cobra.Command) {
	docArg := byPosition(s, documentIDs)
	args := map[string]cobra.CompletionFunc{
		"sign":           docArg,
		"withdraw":       docArg,
		"show":           docArg,
		"status":         docArg,
		"amend":          docArg,
		"export pdf":     docArg,
		"diff":           byPosition(s, documentIDs, versionNumbers, versionNumbers),
		"roster rotate":  byPosition(s, rosterIDs),
		"roster revoke":  byPosition(s, rosterIDs),
		"roster approve": byPosition(s, pendingChanges),
	}
	flags := map[string]completer{
		"as":      rosterIDs,
		"signers": signerList,
		"lang":    languages,
		"drop":    languages,
		"version": versionNumbers,
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "concord"), " ")
		if f, ok := args[path]; ok && c.ValidArgsFunction == nil {
			c.ValidArgsFunction = f
		}
		for name, f := range flags {
			if c.Flags().Lookup(name) == nil || path == "init" {
				continue
			}
			if _, ok := c.GetFlagCompletionFunc(name); ok {
				continue
			}
			if err := c.RegisterFlagCompletionFunc(name, fromLedger(s, f)); err != nil {
				panic(err) // a flag registered twice: a programming error
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
