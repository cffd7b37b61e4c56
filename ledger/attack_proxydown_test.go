//go:build unix

package ledger

import (
	"net"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// TestProxyUnreachable: a proxy git is told to use that does not answer
// (stopped, or a stale https_proxy), or whose name does not resolve, made
// clone say "remote … unreachable or failing: Failed to connect to
// 127.0.0.1 port N" with a hint to check the remote's address: the remote
// was never reached, and the address named is the proxy's. It is its own
// kind, naming the proxy, with a hint naming the settings.
func TestProxyUnreachable(t *testing.T) {
	r, url, ca := httpsWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	for name, proxy := range map[string]string{"refused": dead, "unresolvable": "http://proxy.invalid:3128"} {
		t.Run(name, func(t *testing.T) {
			noProxy(t)
			isolateGit(t, "[http]\n\tsslCAInfo = "+ca+"\n"+credentialHelper("s3cret")+"[http]\n\tproxy = "+proxy+"\n")
			err := tryClone(t, r, url)
			if k := netKind(t, err); k != gitstore.NetProxyUnreachable {
				t.Fatalf("%v: kind %v", err, k)
			}
			if h := (&RemoteError{Err: err}).Hint(); !strings.Contains(h, "https_proxy") {
				t.Errorf("hint %q", h)
			}
		})
	}
}
