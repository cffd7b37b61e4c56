package gitstore

import (
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	gogitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/kevinburke/ssh_config"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// fallbackSSH prepares an ssh remote for go-git's built-in transport (used
// only without the git program) as OpenSSH would reach it, where go-git's
// defaults fall short: the host's entry in ~/.ssh/config (HostName, Port,
// User, IdentityFile, UserKnownHostsFile) is read; the keys are ssh-agent's
// and the unencrypted key files (IdentityFile, else ~/.ssh/id_ed25519,
// id_ecdsa, id_rsa); and the host key algorithms asked for are those of the
// keys known_hosts holds for the host, so that a server offering ecdsa and
// ed25519 is checked against the ed25519 key OpenSSH recorded. It returns
// the URL to give go-git, the auth, and a function that closes the
// connection to the agent once the transfer is done; a URL that is not
// ssh is returned with a nil auth.
func fallbackSSH(raw string) (string, transport.AuthMethod, func(), error) {
	done := func() {}
	ep, err := transport.NewEndpoint(raw)
	if err != nil || ep.Protocol != "ssh" {
		return raw, nil, done, nil
	}
	home, _ := os.UserHomeDir()
	expand := func(p string) string {
		if rest, ok := strings.CutPrefix(p, "~/"); ok && home != "" {
			return filepath.Join(home, rest)
		}
		return p
	}
	var cfg *ssh_config.Config
	if f, err := os.Open(filepath.Join(home, ".ssh", "config")); err == nil {
		cfg, _ = ssh_config.Decode(f)
		f.Close()
	}
	get := func(key string) string {
		if cfg == nil {
			return ""
		}
		v, _ := cfg.Get(ep.Host, key)
		return v
	}
	getAll := func(key string) []string {
		if cfg == nil {
			return nil
		}
		v, _ := cfg.GetAll(ep.Host, key)
		return v
	}
	host, port, login := ep.Host, ep.Port, ep.User
	alias := false
	if h := get("HostName"); h != "" && h != host {
		host, alias = h, true
	}
	// go-git gives an scp-like address port 22; one the URL states wins
	// over the configuration, as for ssh.
	explicit := strings.Contains(raw, "://") && port > 0 && strings.Contains(raw, ":"+strconv.Itoa(port))
	if !explicit {
		if p, err := strconv.Atoi(get("Port")); err == nil && p > 0 {
			port, alias = p, true
		}
	}
	if port <= 0 {
		port = 22
	}
	if login == "" {
		login = get("User")
	}
	if login == "" {
		if u, err := user.Current(); err == nil {
			login = u.Username
		}
	}
	hostPort := net.JoinHostPort(host, strconv.Itoa(port))

	var signers []ssh.Signer
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		if conn, err := net.Dial("unix", sock); err == nil {
			done = func() { conn.Close() }
			if s, err := agent.NewClient(conn).Signers(); err == nil {
				signers = append(signers, s...)
			}
		}
	}
	files := getAll("IdentityFile")
	if len(files) == 0 || len(files) == 1 && files[0] == "~/.ssh/identity" { // ssh_config's default
		files = []string{"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"}
	}
	for _, f := range files {
		data, err := os.ReadFile(expand(f))
		if err != nil {
			continue
		}
		if s, err := ssh.ParsePrivateKey(data); err == nil { // an encrypted key needs its passphrase: skipped
			signers = append(signers, s)
		}
	}

	var known []string
	for _, f := range strings.Fields(get("UserKnownHostsFile")) {
		known = append(known, expand(f))
	}
	if len(known) == 0 {
		known = filepath.SplitList(os.Getenv("SSH_KNOWN_HOSTS"))
	}
	if len(known) == 0 {
		known = []string{filepath.Join(home, ".ssh", "known_hosts"), "/etc/ssh/ssh_known_hosts"}
	}
	var present []string
	for _, f := range known {
		if _, err := os.Stat(f); err == nil {
			present = append(present, f)
		}
	}
	if len(present) == 0 {
		done()
		return "", nil, nil, &NetError{Kind: NetHostKeyUnknown, Detail: fmt.Sprintf("no known_hosts file (%s) to check %s's host key against", strings.Join(known, ", "), hostPort)}
	}
	db, err := gogitssh.NewKnownHostsDb(present...)
	if err != nil {
		done()
		return "", nil, nil, fmt.Errorf("reading known_hosts: %w", err)
	}
	auth := &gogitssh.PublicKeysCallback{
		User:     login,
		Callback: func() ([]ssh.Signer, error) { return signers, nil },
		HostKeyCallbackHelper: gogitssh.HostKeyCallbackHelper{
			HostKeyCallback:   db.HostKeyCallback(),
			HostKeyAlgorithms: db.HostKeyAlgorithms(hostPort),
		},
	}
	url := raw
	if alias {
		p := ep.Path
		if !strings.HasPrefix(p, "/") {
			p = "/~/" + p
		}
		url = fmt.Sprintf("ssh://%s@%s%s", login, hostPort, p)
	}
	return url, auth, done, nil
}
