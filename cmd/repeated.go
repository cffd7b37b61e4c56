package cmd

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// repeatedFlag returns the name of a flag args give c twice that takes
// one value (a repeatable flag such as --text, or a switch such as
// --json, may come any number of times), or "". pflag keeps the last
// value silently: '--as a --as b' would sign as b, '--ledger X --ledger
// Y' work on Y. Flags after "--" are arguments, not flags.
func repeatedFlag(c *cobra.Command, args []string) string {
	lookup := func(name string) *pflag.Flag {
		if f := c.Flags().Lookup(name); f != nil {
			return f
		}
		return c.InheritedFlags().Lookup(name)
	}
	seen := map[string]bool{}
	for _, a := range args {
		if a == "--" {
			break
		}
		name, ok := strings.CutPrefix(a, "--")
		if !ok || name == "" {
			continue
		}
		name, _, _ = strings.Cut(name, "=")
		f := lookup(name)
		if f == nil {
			continue // unknown: cobra says so
		}
		switch t := f.Value.Type(); {
		case t == "bool", strings.HasSuffix(t, "Slice"), strings.HasSuffix(t, "Array"):
			continue
		}
		if seen[f.Name] {
			return f.Name
		}
		seen[f.Name] = true
	}
	return ""
}
