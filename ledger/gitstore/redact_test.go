package gitstore

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://alice:s3cret@forge.example/l.git":   "https://***@forge.example/l.git",
		"https://ghp_T0KEN@forge.example/l.git":      "https://***@forge.example/l.git",
		"http://a%40b:p%3Aw@forge.example:8080/l":    "http://***@forge.example:8080/l",
		"https://forge.example/u@ser/l.git":          "https://forge.example/u@ser/l.git",
		"ssh://alice@host:2222/srv/l.git":            "ssh://alice@host:2222/srv/l.git",
		"ssh://alice:pw@host/srv/l.git":              "ssh://alice:***@host/srv/l.git",
		"git://host/l.git":                           "git://host/l.git",
		"alice@host:srv/l.git":                       "alice@host:srv/l.git",
		"/srv/ledger":                                "/srv/ledger",
		"file:///srv/ledger":                         "file:///srv/ledger",
		"https://user:pa:ss@forge.example/x@y/l.git": "https://***@forge.example/x@y/l.git",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestScrub: every form in which git may print a URL's credentials is
// masked: the URL itself, its user-info, the password alone, decoded.
func TestScrub(t *testing.T) {
	raw := "https://alice:s3cr%2Fet@forge.example/l.git"
	text := "fatal: unable to access 'https://alice:s3cr%2Fet@forge.example/l.git/': password s3cr/et for alice:s3cr%2Fet"
	got := scrub(text, raw)
	for _, secret := range []string{"s3cr%2Fet", "s3cr/et"} {
		if strings.Contains(got, secret) {
			t.Errorf("scrub left %q in %q", secret, got)
		}
	}
	if !strings.Contains(got, "forge.example/l.git") {
		t.Errorf("scrub removed the address: %q", got)
	}
}
