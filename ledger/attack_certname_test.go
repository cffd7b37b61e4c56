//go:build unix

package ledger

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestCertificateForAnotherName: an https server whose certificate (of a
// trusted CA) is for another host name than the address — a wrong
// address, or someone in between — was, through git, "unreachable or
// failing" with a hint to check the network; and a CA file git is told to
// use that cannot be read was the same. The first is its own kind, with a
// hint that names the mismatch; the second a certificate failure whose
// hint names the setting.
func TestCertificateForAnotherName(t *testing.T) {
	r := gitWorld(t)
	srv, ca := startHTTPS(t, filepath.Dir(r.dir))
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	// httptest's certificate is for 127.0.0.1 and example.com, not localhost.
	url := fmt.Sprintf("https://alice:s3cret@localhost:%s/%s", port, filepath.Base(r.dir))
	isolateGit(t, "[http]\n\tsslCAInfo = "+ca+"\n")
	err := tryClone(t, r, url)
	if k := netKind(t, err); k != gitstore.NetCertificateName {
		t.Fatalf("%v: kind %v", err, k)
	}
	if h := (&RemoteError{Err: err}).Hint(); !strings.Contains(h, "host name") {
		t.Errorf("hint %q", h)
	}

	isolateGit(t, "[http]\n\tsslCAInfo = "+filepath.Join(t.TempDir(), "missing-ca.pem")+"\n")
	err = tryClone(t, r, srv.URL+"/"+filepath.Base(r.dir))
	if k := netKind(t, err); k != gitstore.NetCertificate {
		t.Fatalf("%v: kind %v", err, k)
	}
}
