// Package shellword owns how concord prints a folder, address or other
// argument as one word of a shell command line for the user to paste
// (a hint, a next step): the word names the string in sh and bash alike,
// nothing in it expanded, and holds no character a terminal acts on.
package shellword

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quote returns s as one word of a shell command line that, pasted
// into sh or bash (interactive, history expansion on), names s and prints
// no character a terminal acts on:
//   - as it is when it holds nothing the shell would read otherwise;
//   - double-quoted, the '\', '"', '$' and '`' a shell reads there
//     escaped, when every character is printable and none is '!';
//   - single-quoted (a quote in it closes the quotes, is escaped, and
//     opens them again) when one is '!', which bash's history expansion
//     reads even between double quotes;
//   - else (a control character, an invisible one, bytes that are not
//     UTF-8) "$(printf '…')" with those bytes as octal escapes, which sh
//     and bash both read. Command substitution drops trailing newlines:
//     a string ending in one is the one word that names it without them.
func Quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/:@+=,-") == "" {
		return s
	}
	printable := utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool {
		return r != ' ' && !unicode.IsPrint(r)
	}) < 0
	switch {
	case printable && !strings.Contains(s, "!"):
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s) + `"`
	case printable:
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString(`"$(printf '`)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1, r != ' ' && !unicode.IsPrint(r), r == '!', r == '\'', r == '%', r == '\\':
			for _, c := range []byte(s[i : i+n]) {
				fmt.Fprintf(&b, `\%03o`, c)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteString(`')"`)
	return b.String()
}
