package gitstore

import "testing"

// TestClassifyGitProxy: a proxy refusing the tunnel, in the words of
// curl 7.88 and later and of the curls before, is NetProxyRefused, and
// the proxy's answer is kept.
func TestClassifyGitProxy(t *testing.T) {
	for _, text := range []string{
		"fatal: unable to access 'https://h/l/': CONNECT tunnel failed, response 407",
		"fatal: unable to access 'https://h/l/': Received HTTP code 403 from proxy after CONNECT",
		"fatal: unable to access 'https://h/l/': Proxy CONNECT aborted",
		"fatal: unable to access 'http://h/l/': The requested URL returned error: 407",
	} {
		ne := classifyGit(text, "https://h/l", nil)
		if ne.Kind != NetProxyRefused {
			t.Errorf("%q: %v, want %v", text, ne.Kind, NetProxyRefused)
		}
		if ne.Detail != text[len("fatal: "):] {
			t.Errorf("%q: detail %q", text, ne.Detail)
		}
	}
}
