package gitstore

import (
	"errors"
	"io/fs"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
)

// NetKind says why talking to a remote failed.
type NetKind int

// The kinds of NetError.
const (
	// NetFailed is any other failure: the network, a server that broke off.
	NetFailed NetKind = iota
	// NetAuthRefused: the server refused the credentials (or none were
	// offered).
	NetAuthRefused
	// NetHostKeyUnknown: the ssh server's host key is not in known_hosts.
	NetHostKeyUnknown
	// NetHostKeyChanged: the ssh server's host key differs from the one in
	// known_hosts.
	NetHostKeyChanged
	// NetCertificate: the https server's certificate is not trusted.
	NetCertificate
	// NetRefused: the server's own rules refused the push (a hook, a
	// checked-out branch); Detail holds the server's text.
	NetRefused
	// NetNotFound: there is no repository at the address.
	NetNotFound
	// NetProxyRefused: the HTTP proxy git was told to use (http.proxy,
	// https_proxy, …) refused to connect to the remote (it asked for
	// credentials of its own, or its rules forbid it); the remote was
	// never reached.
	NetProxyRefused
	// NetHostKeyRevoked: the ssh server presented a host key that
	// known_hosts marks @revoked (a key known to be stolen).
	NetHostKeyRevoked
	// NetCertificateName: the https server's certificate is trusted but
	// for another host name than the address's.
	NetCertificateName
	// NetProxyUnreachable: the HTTP proxy git was told to use does not
	// answer, or its name does not resolve; the remote was never reached.
	NetProxyUnreachable
	// NetCredentialsInURL: git refused to send credentials written in the
	// URL (transfer.credentialsInUrl = die); the remote was never tried.
	NetCredentialsInURL
	// NetUnsupported: the remote's repository is in a format concord does
	// not read (sha256 objects).
	NetUnsupported
	// NetRemoteLocked: the remote's branch is locked (its
	// refs/heads/main.lock exists: another push under way there, or one
	// killed there). It wraps ErrRemoteMoved, so that a sync tries again.
	NetRemoteLocked
	// NetNoGit: the git program (Env.Git, $CONCORD_GIT) could not be
	// started at all; the remote was never tried. Detail names the
	// program and why.
	NetNoGit
)

// NetError is a failure to fetch from or push to a remote, classified
// from what git (or go-git's transport) reported. Detail is that report,
// with the URL's credentials masked (RedactURL); it is never empty.
type NetError struct {
	Kind   NetKind
	Detail string
	Err    error // the underlying error, when there is one
}

func (e *NetError) Error() string { return e.Detail }

func (e *NetError) Unwrap() error { return e.Err }

// ErrRemoteMoved is returned by Push when the remote's branch is no longer
// at the value the push expected (another push came first).
var ErrRemoteMoved = errors.New("the remote's branch moved")

// repoNotFound is git's "repository 'URL' not found" (smart HTTP).
var repoNotFound = regexp.MustCompile(`repository '[^']*' not found`)

// classifyGit turns what git printed on failing into a NetError. stderr is
// git's error stream (LC_ALL=C), raw the URL given to git.
func classifyGit(stderr, raw string, err error) *NetError {
	var ee *exec.Error
	var pe *fs.PathError
	if errors.As(err, &ee) || errors.As(err, &pe) {
		// exec could not start git: there is no output to read.
		return &NetError{Kind: NetNoGit, Detail: "the git program cannot be run: " + err.Error(), Err: err}
	}
	text := scrub(stderr, raw)
	lower := strings.ToLower(text)
	kind := NetFailed
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(lower, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("connect tunnel failed", "from proxy after connect", "proxy connect aborted", "returned error: 407"):
		// curl's words for a proxy that refused the tunnel (7.88 and
		// later; before) or asked for credentials of its own.
		kind = NetProxyRefused
	case has("mismatched algorithms", "the receiving end does not support --object-format"):
		kind = NetUnsupported
	case has("uses plaintext credentials"):
		kind = NetCredentialsInURL
	case has("could not resolve proxy"), connectedElsewhere(lower, raw):
		kind = NetProxyUnreachable
	case has("revoked host key detected", "is marked as revoked", "key is revoked"):
		kind = NetHostKeyRevoked
	case has("remote host identification has changed", "offending", "host key mismatch"):
		kind = NetHostKeyChanged
	case has("host key verification failed", "no ecdsa host key is known", "no ed25519 host key is known", "no rsa host key is known", "host key is not known"):
		kind = NetHostKeyUnknown
	case has("permission denied (", "too many authentication failures", ".git denied to ", "authentication failed", "could not read username", "could not read password", "terminal prompts disabled", "http basic: access denied", "the requested url returned error: 401", "the requested url returned error: 403"):
		kind = NetAuthRefused
	case has("does not match target host name", "no alternative certificate subject name matches"):
		kind = NetCertificateName
	case has("problem with the ssl ca cert"):
		// The CA file git is told to use cannot be read.
		kind = NetCertificate
	case has("ssl certificate problem", "server certificate verification failed", "unable to get local issuer certificate", "self-signed certificate", "self signed certificate"):
		kind = NetCertificate
	case has("[remote rejected]", "pre-receive hook declined", "update hook declined", "refusing to update checked out branch", "branch is currently checked out"):
		kind = NetRefused
	case has("does not appear to be a git repository", "repository not found", "the project you were looking for could not be found", "no such repository", "the requested url returned error: 404", "not a git repository"),
		repoNotFound.MatchString(lower):
		kind = NetNotFound
	}
	return &NetError{Kind: kind, Detail: summarize(text, kind), Err: err}
}

// summarize makes git's report one line: for a refusal by the server, the
// server's own lines ("remote: …") first; then git's and ssh's error
// lines, without git's advice.
func summarize(text string, kind NetKind) string {
	var remote, errs []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		lower := strings.ToLower(line)
		switch {
		case line == "", strings.HasPrefix(line, "@@@"), strings.HasPrefix(line, "hint:"), strings.HasPrefix(line, "To "),
			strings.HasPrefix(lower, "please make sure"), strings.HasPrefix(lower, "and the repository exists"),
			strings.Contains(lower, "could not read from remote repository"), strings.Contains(lower, "failed to push some refs"):
		case strings.HasPrefix(line, "remote:"):
			if s := strings.TrimSpace(strings.TrimPrefix(line, "remote:")); s != "" {
				remote = append(remote, s)
			}
		case kind == NetHostKeyRevoked && (!strings.Contains(lower, "revoked") || strings.HasPrefix(line, "@")),
			kind == NetHostKeyChanged && !strings.HasPrefix(lower, "offending") && !strings.HasPrefix(lower, "host key for"):
			// ssh's long warning: only the facts are kept.
		case strings.HasPrefix(line, "!"):
			// git push --porcelain: "!\tsrc:dst\t[remote rejected] (why)"
			fields := strings.Split(line, "\t")
			errs = append(errs, fields[len(fields)-1])
		case strings.HasPrefix(line, "fatal:"), strings.HasPrefix(line, "error:"), strings.HasPrefix(line, "!"),
			strings.HasPrefix(line, "ssh:"), strings.Contains(lower, "denied"), strings.Contains(lower, "host key"),
			strings.Contains(lower, "identification has changed"), strings.HasPrefix(lower, "offending"):
			errs = append(errs, strings.TrimPrefix(strings.TrimPrefix(line, "fatal: "), "error: "))
		}
	}
	for i, l := range remote {
		if strings.Contains(l, "refusing to update checked out branch") {
			// git's advice that follows is for the server's keeper.
			remote = remote[i : i+1]
			break
		}
	}
	if len(remote) > maxServerLines {
		remote = append(remote[:maxServerLines], "…")
	}
	var parts []string
	if kind == NetRefused && len(remote) > 0 {
		parts = append(parts, "the server said: "+strings.Join(remote, " / "))
	}
	parts = append(parts, errs...)
	s := strings.Join(parts, "; ")
	if s == "" {
		s = strings.Join(strings.Fields(text), " ")
	}
	if s == "" {
		s = "git failed and said nothing"
	}
	return s
}

// maxServerLines bounds the lines of the server's text an error repeats.
const maxServerLines = 6

// pushRejection reads git push --porcelain's report: ok, the remote moved
// (ErrRemoteMoved), or the line of the refusal.
func pushRejection(porcelain string) (moved bool, line string) {
	for _, l := range strings.Split(porcelain, "\n") {
		if !strings.HasPrefix(l, "!") {
			continue
		}
		if strings.Contains(l, "[rejected]") && (strings.Contains(l, "stale info") || strings.Contains(l, "fetch first") || strings.Contains(l, "non-fast-forward")) {
			return true, l
		}
		if strings.Contains(l, "failed to update ref") || strings.Contains(l, "failed to lock") || strings.Contains(l, "cannot lock ref") {
			return true, l
		}
		return false, l
	}
	return false, ""
}

// String says in a few words what the remote did, as in "remote X refused the credentials".
func (k NetKind) String() string {
	switch k {
	case NetAuthRefused:
		return "refused the credentials"
	case NetHostKeyUnknown:
		return "has a host key that is not known"
	case NetHostKeyChanged:
		return "has a host key that changed"
	case NetCertificate:
		return "has a certificate that is not trusted"
	case NetRefused:
		return "refused the push"
	case NetNotFound:
		return "not found"
	case NetProxyRefused:
		return "could not be reached: the proxy refused to connect to it"
	case NetNoGit:
		return "could not be tried"
	case NetHostKeyRevoked:
		return "has a host key that known_hosts marks as revoked"
	case NetCertificateName:
		return "has a certificate for another host name"
	case NetProxyUnreachable:
		return "could not be reached: the proxy does not answer"
	case NetCredentialsInURL:
		return "was not tried: git refuses credentials written in the address"
	case NetUnsupported:
		return "is in a format concord does not read"
	case NetRemoteLocked:
		return "has its branch locked"
	}
	return "unreachable or failing"
}

// failedToConnect is curl's report of a connection it could not open.
var failedToConnect = regexp.MustCompile(`failed to connect to (\S+) port (\d+)`)

// connectedElsewhere reports whether curl's report (lower-cased) says it
// could not connect to a host and port other than the remote's (raw's): a
// proxy's. curl before 8 names the proxy so, without saying it is one.
func connectedElsewhere(lower, raw string) bool {
	m := failedToConnect.FindStringSubmatch(lower)
	if m == nil {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	host := strings.Trim(strings.ToLower(u.Hostname()), "[]")
	return strings.Trim(m[1], "[]") != host || m[2] != port
}

// lockRejection reports whether a push's refusal (git's porcelain line or
// go-git's error) is the remote's branch lock being held.
func lockRejection(text string) bool {
	for _, s := range []string{"failed to update ref", "failed to lock", "cannot lock ref"} {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// remoteLocked is the NetError for a push refused because the remote's
// branch lock is held; text is what the server or go-git said of it.
func remoteLocked(text, url string) *NetError {
	var lines []string
	for _, l := range strings.Split(scrub(text, url), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "remote:"))
		if strings.Contains(l, "cannot lock ref") || strings.Contains(l, ".lock") {
			lines = append(lines, strings.TrimPrefix(strings.TrimPrefix(l, "error: "), "fatal: "))
		}
	}
	detail := strings.Join(lines, "; ")
	if detail == "" {
		detail = "the remote could not lock " + Branch
	}
	return &NetError{Kind: NetRemoteLocked, Detail: strings.Join(strings.Fields(detail), " "), Err: ErrRemoteMoved}
}
