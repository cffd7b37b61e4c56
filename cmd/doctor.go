package cmd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/ledger/statecache"
	"github.com/concord-ledger/concord/signing"
)

func init() { register(newDoctorCmd) }

// minGitVersion is the first git that verifies SSH-signed commits
// (gpg.format ssh, gpg.ssh.allowedSignersFile), as the README's
// independent check does.
var minGitVersion = [2]int{2, 34}

// Check statuses, worst last.
const (
	checkOK   = "ok"
	checkInfo = "info" // not needed for most work; said for completeness
	checkWarn = "warn" // some work will not be possible
	checkFail = "fail" // concord cannot work as it should
)

// doctorCheck is one check: docs/schema/doctor.json.
type doctorCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Code   string `json:"code"`   // stable, for scripts: "ok" or what is wrong
	Detail string `json:"detail"` // what was found
	Fix    string `json:"fix"`    // what to do, "" when nothing
}

// doctorReport is what doctor prints: docs/schema/doctor.json.
type doctorReport struct {
	OK     bool          `json:"ok"` // no check failed
	Checks []doctorCheck `json:"checks"`
}

// doctorEnv is what doctor touches outside the process, so tests can fake
// a machine.
type doctorEnv struct {
	s        *IO
	lookPath func(string) (string, error)
	// run runs a program with stdin and returns its combined output.
	run      func(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error)
	tempDir  func() (string, error)
	cacheDir string
	// checkCache reports why cacheDir cannot hold states, or nil.
	checkCache func() error
}

func systemDoctorEnv(s *IO) *doctorEnv {
	return &doctorEnv{
		s:        s,
		lookPath: exec.LookPath,
		run: func(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
			c := exec.CommandContext(ctx, name, args...)
			c.Stdin = bytes.NewReader(stdin)
			return c.CombinedOutput()
		},
		tempDir:    func() (string, error) { return os.MkdirTemp("", "concord-doctor-") },
		cacheDir:   stateCacheDir(s),
		checkCache: func() error { return statecache.CheckDir(stateCacheDir(s)) },
	}
}

// doctorOptions are the flags of `concord doctor`.
type doctorOptions struct {
	JSON bool
}

func newDoctorCmd(s *IO) *cobra.Command {
	o := &doctorOptions{}
	c := &cobra.Command{
		Use:   "doctor [--json]",
		Short: "Check what concord needs on this machine, and say what to fix",
		Long: `Check this machine for what concord and the independent checks of its
evidence need: git and its version (2.34 or later verifies SSH-signed
commits), ssh-keygen with -Y (it verifies a signature concord makes here),
ssh-agent (reachable, and the ed25519 keys it holds, for --agent), the state
cache folder, and that the PDF fonts cover every alphabet concord sets.

Each check is ok, info (not needed for most work), warn (some work is not
possible) or fail, with what to do. Exit status 1 if any check fails.`,
		Args: argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			return printDoctor(s, o, runDoctor(c.Context(), systemDoctorEnv(s)))
		},
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "print the checks as JSON")
	return c
}

// runDoctor runs every check.
func runDoctor(ctx context.Context, e *doctorEnv) *doctorReport {
	if ctx == nil {
		ctx = context.Background()
	}
	rep := &doctorReport{OK: true}
	for _, check := range []func(context.Context, *doctorEnv) doctorCheck{
		checkGit, checkSSHKeygen, checkAgent, checkCache, checkFonts,
	} {
		ch := check(ctx, e)
		if ch.Status == checkFail {
			rep.OK = false
		}
		rep.Checks = append(rep.Checks, ch)
	}
	return rep
}

var gitVersionRe = regexp.MustCompile(`^git version (\d+)\.(\d+)`)

func checkGit(ctx context.Context, e *doctorEnv) doctorCheck {
	ch := doctorCheck{Name: "git"}
	bin, err := e.lookPath("git")
	if err != nil {
		ch.Status, ch.Code = checkWarn, "git-missing"
		ch.Detail = "git is not installed: concord works without it, but 'git clone' of a ledger and 'git verify-commit' (the README's independent check) need it"
		ch.Fix = "install git (Debian, Ubuntu: apt-get install git; macOS: xcode-select --install)"
		return ch
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := e.run(ctx, nil, bin, "--version")
	m := gitVersionRe.FindStringSubmatch(strings.TrimSpace(string(out)))
	if err != nil || m == nil {
		ch.Status, ch.Code = checkWarn, "git-unreadable"
		ch.Detail = fmt.Sprintf("%s --version did not say its version (%v): %q", bin, err, strings.TrimSpace(string(out)))
		ch.Fix = "reinstall git"
		return ch
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	version := strings.TrimPrefix(strings.TrimSpace(string(out)), "git version ")
	if major < minGitVersion[0] || major == minGitVersion[0] && minor < minGitVersion[1] {
		ch.Status, ch.Code = checkWarn, "git-too-old"
		ch.Detail = fmt.Sprintf("git %s (%s) cannot verify SSH-signed commits: that needs %d.%d or later", version, bin, minGitVersion[0], minGitVersion[1])
		ch.Fix = fmt.Sprintf("install git %d.%d or later", minGitVersion[0], minGitVersion[1])
		return ch
	}
	ch.Status, ch.Code = checkOK, "ok"
	ch.Detail = fmt.Sprintf("git %s (%s) verifies SSH-signed commits", version, bin)
	return ch
}

// checkSSHKeygen signs a message with a fresh key, as concord signs
// statements, and has ssh-keygen -Y verify it.
func checkSSHKeygen(ctx context.Context, e *doctorEnv) doctorCheck {
	ch := doctorCheck{Name: "ssh-keygen"}
	fix := "install OpenSSH 8.2 or later (Debian, Ubuntu: apt-get install openssh-client)"
	bin, err := e.lookPath("ssh-keygen")
	if err != nil {
		ch.Status, ch.Code, ch.Fix = checkWarn, "ssh-keygen-missing", fix
		ch.Detail = "ssh-keygen is not installed: the audit kit's and the PDF's verify.sh need it to check signatures without concord"
		return ch
	}
	fail := func(code, detail string) doctorCheck {
		ch.Status, ch.Code, ch.Detail, ch.Fix = checkWarn, code, detail, fix
		return ch
	}
	_, priv, err := ed25519.GenerateKey(e.s.Rand)
	if err != nil {
		return fail("ssh-keygen-unchecked", fmt.Sprintf("could not make a key to test with: %v", err))
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return fail("ssh-keygen-unchecked", fmt.Sprintf("could not make a key to test with: %v", err))
	}
	msg := []byte("concord doctor\n")
	sig, err := signing.Sign(signer, signing.Namespace, msg)
	if err != nil {
		return fail("ssh-keygen-unchecked", fmt.Sprintf("could not sign a test message: %v", err))
	}
	dir, err := e.tempDir()
	if err != nil {
		return fail("ssh-keygen-unchecked", fmt.Sprintf("no temporary folder to test in: %v", err))
	}
	defer os.RemoveAll(dir)
	allowed := signing.AllowedSigners([]signing.AllowedSigner{{Principal: "doctor", Key: signer.PublicKey(), Namespaces: []string{signing.Namespace}}})
	for name, data := range map[string][]byte{"allowed_signers": allowed, "msg.sig": sig} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return fail("ssh-keygen-unchecked", fmt.Sprintf("writing a test file: %v", err))
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := e.run(ctx, msg, bin, "-Y", "verify", "-f", filepath.Join(dir, "allowed_signers"), "-I", "doctor",
		"-n", signing.Namespace, "-s", filepath.Join(dir, "msg.sig"))
	text := strings.TrimSpace(string(out))
	if err != nil {
		if strings.Contains(text, "illegal option") || strings.Contains(text, "unknown option") || strings.Contains(text, "usage:") {
			return fail("ssh-keygen-no-y", fmt.Sprintf("%s has no -Y (OpenSSH before 8.2): %s", bin, firstLine(text)))
		}
		return fail("ssh-keygen-verify-failed", fmt.Sprintf("%s -Y verify refused a signature concord made: %s", bin, firstLine(text)))
	}
	ch.Status, ch.Code = checkOK, "ok"
	ch.Detail = fmt.Sprintf("%s -Y verify checks concord's signatures", bin)
	return ch
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func checkAgent(_ context.Context, e *doctorEnv) doctorCheck {
	ch := doctorCheck{Name: "ssh-agent"}
	sock := e.s.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		ch.Status, ch.Code = checkInfo, "agent-not-set"
		ch.Detail = "no ssh-agent ($SSH_AUTH_SOCK is not set): needed only to sign with --agent"
		ch.Fix = "to sign with --agent: eval \"$(ssh-agent)\" && ssh-add YOUR-KEY"
		return ch
	}
	keys, err := signing.AgentKeys(sock)
	if err != nil {
		ch.Status, ch.Code = checkWarn, "agent-unreachable"
		ch.Detail = fmt.Sprintf("$SSH_AUTH_SOCK is %s, but no agent answers there: %v", sock, err)
		ch.Fix = "start ssh-agent again (eval \"$(ssh-agent)\") or unset SSH_AUTH_SOCK"
		return ch
	}
	var usable []string
	for _, k := range keys {
		if k.PublicKey.Type() == ssh.KeyAlgoED25519 {
			usable = append(usable, fmt.Sprintf("%s %s", signing.Fingerprint(k.PublicKey), k.Comment))
		}
	}
	if len(usable) == 0 {
		ch.Status, ch.Code = checkInfo, "agent-no-ed25519-key"
		ch.Detail = fmt.Sprintf("ssh-agent at %s holds %s, none ed25519: --agent has nothing to sign with", sock, count(len(keys), "key", "keys"))
		ch.Fix = "ssh-add your ed25519 key"
		return ch
	}
	ch.Status, ch.Code = checkOK, "ok"
	ch.Detail = fmt.Sprintf("ssh-agent at %s holds %s: %s", sock, count(len(usable), "ed25519 key", "ed25519 keys"), strings.Join(usable, "; "))
	return ch
}

func checkCache(_ context.Context, e *doctorEnv) doctorCheck {
	ch := doctorCheck{Name: "cache"}
	if e.cacheDir == "" {
		ch.Status, ch.Code = checkInfo, "cache-off"
		ch.Detail = "the state cache is off ($CONCORD_CACHE_DIR=off, or no home folder): every command replays the ledger"
		ch.Fix = "unset CONCORD_CACHE_DIR, or set it to a folder only you can write"
		return ch
	}
	if err := e.checkCache(); err != nil {
		ch.Status, ch.Code = checkWarn, "cache-unusable"
		ch.Detail = fmt.Sprintf("the state cache folder %s cannot be used: %v; every command replays the ledger", e.cacheDir, err)
		ch.Fix = fmt.Sprintf("chmod 700 %s (it must be yours and writable by you alone), or set CONCORD_CACHE_DIR to such a folder", shellWord(e.cacheDir))
		return ch
	}
	ch.Status, ch.Code = checkOK, "ok"
	ch.Detail = fmt.Sprintf("the state cache is in %s", e.cacheDir)
	return ch
}

func checkFonts(_ context.Context, _ *doctorEnv) doctorCheck {
	ch := doctorCheck{Name: "fonts"}
	var names, problems []string
	for _, s := range pdf.CoverageSamples {
		missing, err := pdf.MissingGlyphs(s.Text, s.Name == "Chinese")
		if err != nil {
			ch.Status, ch.Code, ch.Detail = checkFail, "fonts-unreadable", err.Error()
			ch.Fix = "rebuild concord from an unmodified source tree"
			return ch
		}
		names = append(names, s.Name)
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("%s lacks %q", s.Name, string(missing)))
		}
	}
	if len(problems) > 0 {
		ch.Status, ch.Code = checkFail, "fonts-missing-glyphs"
		ch.Detail = "the PDF fonts built into concord do not cover: " + strings.Join(problems, "; ")
		ch.Fix = "rebuild concord with the fonts of documents/pdf/fonts/README.md"
		return ch
	}
	ch.Status, ch.Code = checkOK, "ok"
	ch.Detail = "the PDF fonts built into concord cover " + strings.Join(names, ", ")
	return ch
}

// printDoctor prints the checks' report; a failed check is exit status 1.
func printDoctor(s *IO, o *doctorOptions, rep *doctorReport) error {
	if o.JSON {
		if err := printJSON(s, rep); err != nil {
			return err
		}
	} else {
		for _, ch := range rep.Checks {
			fmt.Fprintf(s.Out, "%-4s  %-10s  %s\n", strings.ToUpper(ch.Status), ch.Name, ch.Detail)
			if ch.Fix != "" {
				fmt.Fprintf(s.Out, "      %-10s  fix: %s\n", "", ch.Fix)
			}
		}
	}
	if !rep.OK {
		failed := 0
		for _, ch := range rep.Checks {
			if ch.Status == checkFail {
				failed++
			}
		}
		fmt.Fprintf(s.Err, "concord: doctor: %s failed\n", count(failed, "check", "checks"))
		return &silentError{code: ExitError}
	}
	return nil
}
