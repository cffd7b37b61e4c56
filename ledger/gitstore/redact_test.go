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

// TestClassifyGit: what git and ssh print on failing is sorted into the
// kinds whose hints differ; anything else is a plain failure.
func TestClassifyGit(t *testing.T) {
	for text, want := range map[string]NetKind{
		"git@h: Permission denied (publickey).\r\nfatal: Could not read from remote repository.":                         NetAuthRefused,
		"fatal: Authentication failed for 'https://h/l/'":                                                                NetAuthRefused,
		"No ED25519 host key is known for [h]:22 and you have requested strict checking.\nHost key verification failed.": NetHostKeyUnknown,
		"@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nOffending ED25519 key in /k:1":               NetHostKeyChanged,
		"fatal: unable to access 'https://h/l/': server certificate verification failed. CAfile: none":                   NetCertificate,
		"remote: frozen\n! [remote rejected] main -> main (pre-receive hook declined)":                                   NetRefused,
		"fatal: repository 'https://h/l/' not found":                                                                     NetNotFound,
		"fatal: '/srv/x' does not appear to be a git repository":                                                         NetNotFound,
		"fatal: remote error: upload-pack: not our ref 0123":                                                             NetFailed,
		"error: object file objects/ab/cd is empty; fatal: object not found":                                             NetFailed,
		"ssh: connect to host h port 22: Connection refused":                                                             NetFailed,
	} {
		if got := classifyGit(text, "https://h/l", nil).Kind; got != want {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
}
