package cmd

// The one rule for exit status 2: the command line itself is wrong. An
// unknown command or flag, a missing or extra argument, a malformed value
// (a language tag, a document or roster id, a number out of range), a value
// given twice, or flags that contradict each other or a file the command
// line names (--threshold above the stewards in --stewards, a quorum above
// --signers) are usage errors, found before the ledger is read or written.
// A well-formed command line that the ledger or the machine refuses (an
// unknown document, a version already ratified, a wrong passphrase) is exit
// status 1.

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/signing"
)

// argsNamed returns an Args func for a command taking exactly the named
// positional arguments (as its Use line names them, e.g. "DOC-ID"). A
// missing argument is named; an extra one is quoted.
func argsNamed(names ...string) cobra.PositionalArgs {
	return argsRange(len(names), names...)
}

// argsUpTo returns an Args func for a command taking at most the named
// positional arguments, all optional.
func argsUpTo(names ...string) cobra.PositionalArgs {
	return argsRange(0, names...)
}

// argsRange: the first min of names are required, the rest optional.
func argsRange(min int, names ...string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < min {
			missing := names[len(args):min]
			noun := "argument"
			if len(missing) > 1 {
				noun = "arguments"
			}
			return usagef("%s needs the %s %s", c.CommandPath(), noun, strings.Join(missing, " "))
		}
		if len(args) > len(names) {
			if len(names) == 0 {
				return usagef("%s takes no arguments, but was given %q", c.CommandPath(), args[0])
			}
			return usagef("%s takes %s; %q is one argument too many", c.CommandPath(), strings.Join(names, " "), args[len(names)])
		}
		return nil
	}
}

// checkDocID refuses a malformed document id.
func checkDocID(id string) error {
	if !signing.ValidID(id) {
		return usagef("%q is not a document id: use 1 to 64 of a-z, 0-9 and '-', not starting with '-'", id)
	}
	return nil
}

// validDocID reports whether id is a well-formed document id.
func validDocID(id string) bool { return signing.ValidID(id) }

// checkRosterID refuses a malformed roster id.
func checkRosterID(what, id string) error {
	if !signing.ValidID(id) {
		return usagef("%s %q is not a roster id: use 1 to 64 of a-z, 0-9 and '-', not starting with '-'", what, id)
	}
	return nil
}

// checkLang parses a language tag by BCP 47 (documents.ParseLang) and
// returns the form the ledger stores; a bad tag is a usage error naming
// flag, with the hint ParseLang gives (kz → kk, say).
func checkLang(flag, tag string) (string, error) {
	canon, err := documents.ParseLang(tag)
	if err != nil {
		return "", &usageError{err: fmt.Errorf("%s %s: %w", flag, tag, err)}
	}
	return canon, nil
}

// checkVersion refuses a --version, given (set) as v, below 1 (0, when not
// given, means the latest).
func checkVersion(set bool, v int) error {
	if set && v < 1 {
		return usagef("--version %d: versions are numbered from 1 (leave --version out for the latest)", v)
	}
	return nil
}

// checkSigners splits --signers and refuses empty, malformed or repeated ids.
func checkSigners(list string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, id := range strings.Split(list, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			return nil, usagef("--signers %q: an empty id; give roster ids separated by commas, e.g. --signers a,b,c", list)
		}
		if err := checkRosterID("--signers:", id); err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, usagef("--signers: %s is given twice", id)
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, nil
}

// suggest returns `; did you mean "x"?` for a mistyped subcommand of c, or "".
func suggest(c *cobra.Command, typed string) string {
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	s := c.SuggestionsFor(typed)
	if len(s) == 0 {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", s[0])
}

// checkTimeout refuses a --timeout that would give up before starting.
func checkTimeout(d time.Duration) error {
	if d <= 0 {
		return usagef("--timeout %s: give a duration above zero, such as 30s or 5m", d)
	}
	return nil
}
