package cmd

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// invocation is what a concord command line printed for the user to run
// next (a hint, a "next step" line) must repeat of how concord was called,
// so that the line, copied, works on the same ledger: the ledger folder
// the user gave, by --ledger or $CONCORD_LEDGER. The root's only persistent
// flag is --ledger; the identity (--as, --key) is each command's own, and a
// hint that needs it names it (sync's keys needed). The zero invocation
// repeats nothing: the ledger is the default, the current folder.
type invocation struct {
	ledger string // the ledger folder the user gave; "" for none
}

// invocationOf returns how c was called (see invocation): none for a
// command that reads no ledger (ledgerless), whatever $CONCORD_LEDGER
// holds; for verify-pdf, the --ledger on its command line.
func invocationOf(c *cobra.Command, s *IO) invocation {
	switch top := topCommand(c); {
	case top == "verify-pdf":
		v, _ := c.Flags().GetString("ledger")
		return invocation{ledger: v}
	case slices.Contains(ledgerless, top):
		return invocation{}
	}
	return invocationIn(c, ledgerDir(c, s))
}

// topCommand returns the name of the top-level command c is or is under
// ("roster" for roster list); "" for the root.
func topCommand(c *cobra.Command) string {
	for c.HasParent() && c.Parent().HasParent() {
		c = c.Parent()
	}
	if !c.HasParent() {
		return ""
	}
	return c.Name()
}

// invocationIn returns how c, working on the ledger in dir (ledgerDir's
// answer), was called: the ledger is repeated when --ledger gave it (even
// as ".", which must win over $CONCORD_LEDGER again) or $CONCORD_LEDGER
// named another than the current folder. A --ledger "" gives none, as
// ledgerDir reads it.
func invocationIn(c *cobra.Command, dir string) invocation {
	if v, _ := c.Flags().GetString("ledger"); v != "" || dir != "." {
		return invocation{ledger: dir}
	}
	return invocation{}
}

// ledgerless are the commands that read no ledger from --ledger or
// $CONCORD_LEDGER: a hint naming one repeats no ledger. (verify-pdf reads
// one only from --ledger on its own command line: the ledger is a choice
// of what to compare with, not where the command works.)
var ledgerless = []string{"clone", "completion", "demo", "doctor", "help", "key", "man", "verify-pdf"}

// command returns the command line of the concord command path ("verify",
// "roster list") with args, as a hint prints it for the user to run:
// "concord PATH [--ledger DIR] ARGS…", the ledger the user gave repeated
// when the command reads one, each argument and the folder one shell word
// (shellWord). Placeholders (FILE, ID) are arguments like any other.
// Every hint and next step that names a concord command is written with
// it; sync adds its --remote as arguments.
func (inv invocation) command(path string, args ...string) string {
	words := []string{"concord", path}
	first, _, _ := strings.Cut(path, " ")
	if inv.ledger != "" && !slices.Contains(ledgerless, first) {
		words = append(words, "--ledger", shellWord(inv.ledger))
	}
	for _, a := range args {
		words = append(words, shellWord(a))
	}
	return strings.Join(words, " ")
}

// quoted is command in the single quotes a hint puts around a command
// line: 'concord verify --ledger DIR'.
func (inv invocation) quoted(path string, args ...string) string {
	return "'" + inv.command(path, args...) + "'"
}
