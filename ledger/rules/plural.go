package rules

import "fmt"

// CountNoun returns "1 signatory", "2 signatories": n with the singular or
// plural form of a noun, for messages.
func CountNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
