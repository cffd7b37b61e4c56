package cmd

import "os/exec"

// gitProgram returns the git program clone and sync reach remotes with:
// $CONCORD_GIT if set (a path, or "off" for go-git's built-in transport),
// else git on PATH, else "" (the built-in transport).
func gitProgram(s *IO) string {
	switch v := s.Getenv("CONCORD_GIT"); v {
	case "off":
		return ""
	case "":
	default:
		if p, err := exec.LookPath(v); err == nil {
			return p
		}
		return v
	}
	if p, err := exec.LookPath("git"); err == nil {
		return p
	}
	return ""
}

// transportHelp says, for clone's and sync's --help, which transport runs
// on this machine and what each needs.
func transportHelp(s *IO) string {
	which := "On this machine no git program was found, so go-git's built-in transport runs."
	if p := gitProgram(s); p != "" {
		which = "On this machine that is " + p + "."
	} else if s.Getenv("CONCORD_GIT") == "off" {
		which = "Here CONCORD_GIT=off: go-git's built-in transport runs."
	}
	return `
The network is reached with the git program (git on PATH, or $CONCORD_GIT), so
everything git uses applies: ~/.ssh/config, known_hosts, ssh-agent and key
files, GIT_SSH_COMMAND, credential helpers and ~/.netrc, http.sslCAInfo and
GIT_SSL_CAINFO, proxies, and the server's hooks and rules. ` + which + `
Without git (or with CONCORD_GIT=off) go-git's built-in transport is used: ssh
through ssh-agent or unencrypted key files, with known_hosts and ~/.ssh/config's
HostName, Port, User, IdentityFile and UserKnownHostsFile only; over https,
credentials in the URL only (no credential helpers or ~/.netrc), CAs from the
system or SSL_CERT_FILE only (not http.sslCAInfo or GIT_SSL_CAINFO), a proxy
from HTTPS_PROXY only (not http.proxy); local remotes served in-process
without their hooks.
Credentials in a URL are never printed.`
}
