package gitstore

import (
	"net/url"
	"strings"
)

// RedactURL returns url as concord may print, log or emit it: the
// user-info of an http(s), ftp(s) or git URL (a token is often given as
// the user name) becomes "***", and any password becomes "***" in every
// form (ssh://user:pw@host keeps its user, which names an account and is
// no secret). A plain path, an scp-like address (user@host:path) and a URL
// without user-info are returned unchanged.
func RedactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := userInfoAt(rest)
	if at < 0 {
		return raw
	}
	user, _, hasPw := strings.Cut(rest[:at], ":")
	switch strings.ToLower(scheme) {
	case "ssh", "git+ssh", "ssh+git":
		if !hasPw {
			return raw
		}
		return scheme + "://" + user + ":***" + rest[at:]
	}
	return scheme + "://***" + rest[at:]
}

// userInfoAt returns the index in rest (a URL after its "://") of the '@'
// that ends its user-info, or -1 when it has none. The user-info ends at
// the last '@' before the path; but a password holding an unencoded '/'
// (base64 tokens do) ends the authority early, and what is before that '/'
// then reads as host:port with a port that is no number (git and curl
// refuse the URL, printing it whole): the user-info of such a URL runs to
// its last '@'.
func userInfoAt(rest string) int {
	auth, _, _ := strings.Cut(rest, "/")
	if at := strings.LastIndex(auth, "@"); at >= 0 {
		return at
	}
	if strings.HasPrefix(auth, "[") { // an IPv6 literal
		return -1
	}
	_, port, ok := strings.Cut(auth, ":")
	if !ok || strings.Trim(port, "0123456789") == "" {
		return -1
	}
	return strings.LastIndex(rest, "@")
}

// secretsOf returns the pieces of raw that must never be printed: its
// user-info as written and decoded, whole and split at ':'.
func secretsOf(raw string) []string {
	r := RedactURL(raw)
	if r == raw {
		return nil
	}
	_, rest, _ := strings.Cut(raw, "://")
	info := rest[:userInfoAt(rest)]
	out := []string{raw}
	add := func(s string) {
		if len(s) >= 3 { // shorter pieces would mask ordinary words
			out = append(out, s)
		}
	}
	user, pw, _ := strings.Cut(info, ":")
	if !strings.HasPrefix(strings.ToLower(raw), "ssh") {
		add(info)
		add(user)
		if u, err := url.PathUnescape(user); err == nil {
			add(u)
		}
	}
	add(pw)
	if p, err := url.PathUnescape(pw); err == nil {
		add(p)
	}
	// A password holding an unencoded '/' is printed cut there, as the
	// port or host name the parsers took it for.
	if before, _, ok := strings.Cut(pw, "/"); ok {
		add(before)
	}
	return out
}

// Scrub returns text with the URL raw replaced by its redacted form
// (RedactURL) and every piece of raw's user-info that RedactURL masks
// replaced by "***".
func Scrub(text, raw string) string { return scrub(text, raw) }

func scrub(text, raw string) string {
	secrets := secretsOf(raw)
	if len(secrets) == 0 {
		return text
	}
	text = strings.ReplaceAll(text, raw, RedactURL(raw))
	for _, s := range secrets[1:] {
		text = strings.ReplaceAll(text, s, "***")
	}
	return text
}
