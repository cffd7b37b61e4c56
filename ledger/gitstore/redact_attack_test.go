package gitstore

import (
	"strings"
	"testing"
)

// TestRedactPasswordWithSlash: a token with a '/' written into a URL
// unencoded (base64 tokens hold them) makes the authority end early, so
// git and curl read "alice" as the host and print the whole URL back
// ("unable to access 'https://alice:s3/cret@…': URL using bad/illegal
// format"). The user-info of such a URL is still masked, in the URL and
// in what git prints; a URL whose path merely holds an '@' stays as it is.
func TestRedactPasswordWithSlash(t *testing.T) {
	for in, want := range map[string]string{
		"https://alice:s3/cret@forge.example/l.git":    "https://***@forge.example/l.git",
		"https://alice:a/b/c@forge.example:8443/l.git": "https://***@forge.example:8443/l.git",
		"ssh://alice:p/w@host/srv/l.git":               "ssh://alice:***@host/srv/l.git",
		"https://forge.example:8443/u@ser/l.git":       "https://forge.example:8443/u@ser/l.git",
		"https://[::1]:8443/u@ser/l.git":               "https://[::1]:8443/u@ser/l.git",
		"https://forge.example/u@ser/l.git":            "https://forge.example/u@ser/l.git",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	// What git, curl, ssh and Go's URL parser print of such a URL: the
	// whole, the password, and the part before the '/' read as a port
	// or a host name.
	for raw, text := range map[string]string{
		"https://alice:tok3n/s3cret@forge.example/l.git": "fatal: unable to access 'https://alice:tok3n/s3cret@forge.example/l.git/': URL using bad/illegal format or missing URL (tok3n/s3cret)",
		"https://alice:tok3n/s3cret@forge.example/x.git": `parse "https://alice:tok3n/s3cret@forge.example/x.git": invalid port ":tok3n" after host`,
		"ssh://alice:tok3n/s3cret@forge.example/l.git":   "ssh: Could not resolve hostname alice:tok3n: Name or service not known",
	} {
		if got := Scrub(text, raw); strings.Contains(got, "tok3n") || strings.Contains(got, "s3cret") {
			t.Errorf("Scrub left the password in %q", got)
		}
	}
}
