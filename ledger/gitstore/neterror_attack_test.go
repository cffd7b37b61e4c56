package gitstore

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestClassifyCertificateName: go-git's (Go's) words for a certificate of
// another host name are that kind too.
func TestClassifyCertificateName(t *testing.T) {
	err := fmt.Errorf(`Get "https://localhost:1/l/info/refs": %w`, x509.HostnameError{Certificate: &x509.Certificate{DNSNames: []string{"example.com"}}, Host: "localhost"})
	if k := classifyGoGit(err, "https://localhost:1/l").Kind; k != NetCertificateName {
		t.Errorf("kind %v", k)
	}
	for _, text := range []string{
		"fatal: unable to access 'https://localhost:1/l/': SSL: certificate subject name () does not match target host name 'localhost'",
		"fatal: unable to access 'https://h/l/': SSL: no alternative certificate subject name matches target host name 'h'",
	} {
		if k := classifyGit(text, "https://h/l", nil).Kind; k != NetCertificateName {
			t.Errorf("%q: kind %v", text, k)
		}
	}
}

// TestClassifyProxyUnreachable: go-git's (Go's) words for a proxy that
// does not answer or does not resolve, and curl's, are that kind; a
// remote that does not answer is not.
func TestClassifyProxyUnreachable(t *testing.T) {
	for _, text := range []string{
		`Get "https://h/l/info/refs": proxyconnect tcp: dial tcp 127.0.0.1:1: connect: connection refused`,
		`Get "https://h/l/info/refs": proxyconnect tcp: dial tcp: lookup proxy.invalid on 10.0.0.53:53: no such host`,
	} {
		if k := classifyGoGit(errors.New(text), "https://h/l").Kind; k != NetProxyUnreachable {
			t.Errorf("%q: kind %v", text, k)
		}
	}
	for text, want := range map[string]NetKind{
		"fatal: unable to access 'https://h/l/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server": NetProxyUnreachable,
		"fatal: unable to access 'https://h/l/': Could not resolve proxy: proxy.invalid":                                       NetProxyUnreachable,
		"fatal: unable to access 'https://h/l/': Failed to connect to h port 443 after 0 ms: Couldn't connect to server":       NetFailed,
		"fatal: unable to access 'https://h:8443/l/': Failed to connect to h port 8443 after 0 ms: Couldn't connect to server": NetFailed,
		"fatal: unable to access 'http://h/l/': Failed to connect to h port 80 after 0 ms: Couldn't connect to server":         NetFailed,
	} {
		raw := "https://h/l"
		if strings.Contains(text, "h:8443") {
			raw = "https://h:8443/l"
		} else if strings.Contains(text, "http://") {
			raw = "http://h/l"
		}
		if k := classifyGit(text, raw, nil).Kind; k != want {
			t.Errorf("%q: kind %v, want %v", text, k, want)
		}
	}
}

// TestClassifyForgeWords: what OpenSSH and the common forges print for a
// refused login or an address with no repository, besides the phrases the
// first tests pinned, is sorted into those kinds (with their hints), not
// "unreachable or failing".
func TestClassifyForgeWords(t *testing.T) {
	for text, want := range map[string]NetKind{
		"Received disconnect from 10.0.0.1 port 22:2: Too many authentication failures\r\nDisconnected from 10.0.0.1 port 22\r\nfatal: Could not read from remote repository.": NetAuthRefused,
		"ERROR: Permission to forum/ledger.git denied to eve.\nfatal: Could not read from remote repository.":                                                                  NetAuthRefused,
		"remote: The project you were looking for could not be found or you don't have permission to view it.\nfatal: repository 'https://h/l.git/' not found":                 NetNotFound,
		"ERROR: The project you were looking for could not be found or you don't have permission to view it.\n\nfatal: Could not read from remote repository.":                 NetNotFound,
	} {
		if k := classifyGit(text, "ssh://git@h/l.git", nil).Kind; k != want {
			t.Errorf("%q: kind %v, want %v", text, k, want)
		}
	}
}
