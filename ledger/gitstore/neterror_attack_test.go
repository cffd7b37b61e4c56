package gitstore

import (
	"crypto/x509"
	"fmt"
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
