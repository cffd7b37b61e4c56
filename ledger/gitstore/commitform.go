package gitstore

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The exact commit form concord writes (and git commit-tree writes), the
// only one a ledger accepts:
//
//	tree HEX40 LF
//	parent HEX40 LF            (none for the first entry)
//	author IDENT LF
//	committer IDENT LF
//	gpgsig LINE LF (SP LINE LF)*   (optional)
//	LF
//	MESSAGE                    (valid UTF-8, no NUL)
//
// where IDENT is NAME SP "<" EMAIL ">" SP SECONDS SP ZONE: a name without
// '<', '>', control characters or space at either end, an e-mail without
// '<', '>', space or control characters, seconds since 1970 in decimal
// without leading zeros, and a zone "+HHMM" or "-HHMM" (HH at most 14, MM
// below 60, not "-0000"). Anything else — another header (encoding,
// mergetag, gpgsig-sha256, …), a header out of order, an ident git and
// go-git would split differently (git takes the first '<' and the first
// '>' after it, go-git the last of each), a zone git shows and go-git
// parses differently — may read one way in stock git and another in
// concord, so it is refused (see git's commit.c and ident.c
// split_ident_line, and go-git's object.Signature.Decode).
var (
	formTree   = regexp.MustCompile(`\Atree [0-9a-f]{40}\z`)
	formParent = regexp.MustCompile(`\Aparent [0-9a-f]{40}\z`)
	formIdent  = regexp.MustCompile(`\A(author|committer) ([^<>\x00-\x1f\x7f]*) <([^<>\x00-\x20\x7f]*)> (0|[1-9][0-9]{0,17}) ([+-])([0-9]{2})([0-9]{2})\z`)
)

// CommitFormProblem returns why raw, a commit object's content (without
// git's "commit SIZE\0" header), is not in the exact form concord writes,
// or "" when it is.
func CommitFormProblem(raw []byte) string {
	head, msg, ok := bytes.Cut(raw, []byte("\n\n"))
	if !ok {
		return "no blank line ends the headers"
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return "a NUL byte (git stops reading there)"
	}
	if !utf8.Valid(msg) {
		return "the message is not valid UTF-8"
	}
	lines := bytes.Split(head, []byte("\n"))
	i := 0
	next := func() []byte {
		if i < len(lines) {
			i++
			return lines[i-1]
		}
		return nil
	}
	if !formTree.Match(next()) {
		return "the first header is not \"tree ID\""
	}
	l := next()
	for formParent.Match(l) {
		l = next()
	}
	for _, who := range []string{"author", "committer"} {
		if p := identProblem(who, l); p != "" {
			return p
		}
		l = next()
	}
	if l != nil && bytes.HasPrefix(l, []byte("gpgsig ")) {
		for l = next(); l != nil && bytes.HasPrefix(l, []byte(" ")); l = next() {
		}
	}
	if l != nil {
		name, _, _ := bytes.Cut(l, []byte(" "))
		return fmt.Sprintf("an extra header %q", truncate(name))
	}
	return ""
}

// identProblem checks the author or committer line l.
func identProblem(who string, l []byte) string {
	m := formIdent.FindSubmatch(l)
	if m == nil || string(m[1]) != who {
		if l == nil || !bytes.HasPrefix(l, []byte(who+" ")) {
			return fmt.Sprintf("no %s header where concord writes it", who)
		}
		return fmt.Sprintf("the %s is not \"NAME <EMAIL> SECONDS +HHMM\" as git and go-git both read it", who)
	}
	name := m[2]
	if len(name) == 0 || name[0] == ' ' || name[len(name)-1] == ' ' {
		return fmt.Sprintf("the %s's name is empty or has spaces at an end", who)
	}
	if !utf8.Valid(name) || !utf8.Valid(m[3]) {
		return fmt.Sprintf("the %s is not valid UTF-8", who)
	}
	if _, err := strconv.ParseInt(string(m[4]), 10, 64); err != nil {
		return fmt.Sprintf("the %s's time is out of range", who)
	}
	hh, _ := strconv.Atoi(string(m[6]))
	mm, _ := strconv.Atoi(string(m[7]))
	if hh > 14 || mm > 59 || (string(m[5]) == "-" && hh == 0 && mm == 0) {
		return fmt.Sprintf("the %s's time zone %s%s%s is not one git and go-git read alike", who, m[5], m[6], m[7])
	}
	return ""
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// IdentName returns name as a commit's ident can hold it in the form
// concord writes (see CommitFormProblem): without '<', '>' or control
// characters, as git itself drops them, and without spaces at either
// end; email when nothing is left.
func IdentName(name, email string) string {
	out := strings.Map(func(r rune) rune {
		if r == '<' || r == '>' || r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if out = strings.Trim(out, " "); out == "" {
		return email
	}
	return out
}

// signedPayload returns raw, a commit in the exact form (CommitFormProblem
// "") that go-git writes back as stored, without its gpgsig header: what
// its signature signs, the bytes go-git's EncodeWithoutSignature writes
// (and git's parse_signed_commit keeps), cut from raw instead of encoded
// again. In that form gpgsig is the last header.
func signedPayload(raw []byte) []byte {
	head, _, _ := bytes.Cut(raw, []byte("\n\n"))
	i := bytes.Index(head, []byte("\ngpgsig "))
	if i < 0 {
		return raw
	}
	out := make([]byte, 0, len(raw)-(len(head)-i))
	out = append(out, raw[:i+1]...)
	return append(out, raw[len(head)+1:]...)
}
