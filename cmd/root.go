// Package cmd holds concord's cobra commands. Each command's RunE parses its
// flags and arguments into an options struct and calls runX(s, o), which
// calls one library function and prints the result; domain logic lives in
// signing, ledger and documents. The libraries' errors carry facts; the
// hints that name a concord command or flag are cmd's, in hints.go.
package cmd

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/statecache"
	"github.com/concord-ledger/concord/signing"
)

// Exit codes, the same for every command (see the README).
const (
	ExitOK      = 0 // success; for verify: everything checked holds
	ExitError   = 1 // operational error: I/O, wrong passphrase, lock held
	ExitUsage   = 2 // usage error: bad flags or arguments
	ExitInvalid = 3 // verification found invalid or tampered evidence
)

// IO is everything a command touches outside its arguments, so commands can
// be driven from tests: streams, environment, clock and randomness.
type IO struct {
	In  io.Reader
	Out io.Writer // data
	Err io.Writer // messages
	// InTerminal and ErrTerminal say whether prompts and decoration may be
	// used; prompts need both.
	InTerminal  bool
	ErrTerminal bool
	// ReadPassword reads a line from the terminal without echo.
	ReadPassword func() ([]byte, error)
	// Pager shows a long text on the terminal ($PAGER); nil writes it to
	// Err.
	Pager  func(text []byte) error
	Getenv func(string) string
	Now    func() time.Time
	Rand   io.Reader
	// EncryptKey writes the new encrypted keys of `key new`. nil, as
	// SystemIO leaves it, means signing's standard: aes256-ctr under a
	// bcrypt KDF of 16 rounds, as ssh-keygen writes. Only tests set it, to
	// internal/testkeys' cheap KDF; no flag or environment variable does.
	EncryptKey signing.EncryptFunc
	// cache is the state cache readers and writers use, set by Main from
	// $CONCORD_CACHE_DIR or the user's cache folder; nil: none.
	cache ledger.Cache
	// BuildInfo returns the binary's build information, for --version
	// (runtime/debug.ReadBuildInfo); nil means that function.
	BuildInfo func() (*debug.BuildInfo, bool)
}

// SystemIO returns the IO of the running process.
func SystemIO() *IO {
	return &IO{
		In:          os.Stdin,
		Out:         os.Stdout,
		Err:         os.Stderr,
		InTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		ErrTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		ReadPassword: func() ([]byte, error) {
			return term.ReadPassword(int(os.Stdin.Fd()))
		},
		Pager:     systemPager(os.Getenv),
		Getenv:    os.Getenv,
		Now:       time.Now,
		Rand:      rand.Reader,
		BuildInfo: debug.ReadBuildInfo,
	}
}

// Main runs concord with args and returns the process exit status.
func Main(args []string, s *IO) int {
	if dir := stateCacheDir(s); dir != "" {
		c, err := statecache.Open(dir)
		switch {
		case err == nil:
			s.cache = c
		case s.Getenv("CONCORD_CACHE_DIR") != "":
			fmt.Fprintf(s.Err, "concord: warning: the state cache is off ($CONCORD_CACHE_DIR): %v\n", err)
		}
	}
	root := newRootCmd(s)
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	if c, _, err := root.Find(args); err == nil && c != nil {
		if name := repeatedFlag(c, args); name != "" {
			return reportError(s.Err, &usageError{err: fmt.Errorf("--%s is given twice; give it once", name), cmd: c.CommandPath()})
		}
	}
	c, err := root.ExecuteC()
	if err == nil {
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) && ue.cmd == "" && c != nil {
		ue.cmd = c.CommandPath()
	}
	var inv invocation
	if c != nil {
		inv = invocationOf(c, s)
	}
	return inv.reportError(s.Err, err)
}

// usageError marks an error in how concord was called.
type usageError struct {
	err error
	cmd string // the command path, for the hint; "" for none known
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usage error (exit status 2).
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// hinter is implemented by errors that know the user's next step.
type hinter interface{ Hint() string }

// invalidEvidence is implemented by errors that report invalid or tampered
// evidence (exit status 3).
type invalidEvidence interface{ InvalidEvidence() bool }

// silentError carries an exit status for a command that has already printed
// its own report (verify, status of a broken ledger).
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitCode is the one place that maps errors to exit statuses.
func exitCode(err error) int {
	var se *silentError
	var ue *usageError
	var ie invalidEvidence
	switch {
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ie) && ie.InvalidEvidence():
		return ExitInvalid
	}
	return ExitError
}

// reportError is invocation.reportError for a call that gave no ledger.
func reportError(w io.Writer, err error) int { return invocation{}.reportError(w, err) }

// reportError prints err as one line "concord: …", plus a hint line where
// one exists (errorMessage and errorHint, in hints.go, put the libraries'
// facts in the command line's words, a concord command named as inv calls
// it), and returns the exit status. An error may quote what a ledger, a
// remote or a file holds: what a terminal would act on is written out as
// <U+XXXX> (documents.Inert).
func (inv invocation) reportError(w io.Writer, err error) int {
	code := exitCode(err)
	var se *silentError
	if errors.As(err, &se) {
		return code
	}
	msg := documents.Inert(strings.ReplaceAll(errorMessage(err), "\n", " "))
	fmt.Fprintf(w, "concord: %s\n", msg)
	if hint := inv.errorHint(err); hint != "" {
		fmt.Fprintf(w, "hint: %s\n", documents.Inert(strings.ReplaceAll(hint, "\n", " ")))
	} else if code == ExitUsage {
		var ue *usageError
		if errors.As(err, &ue) && ue.cmd != "" && ue.cmd != "concord" {
			fmt.Fprintf(w, "hint: run '%s --help' for usage\n", ue.cmd)
		} else {
			fmt.Fprintf(w, "hint: run 'concord help' for usage\n")
		}
	}
	return code
}

func newRootCmd(s *IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "concord",
		Short: "Keep, sign, ratify and verify agreements in a git-backed ledger",
		Long: `concord keeps agreements between institutions in a git-backed, append-only
ledger. Each signatory signs with their own ed25519 key; concord decides when
a text is ratified, and anyone can verify the result offline, with concord or
with ssh-keygen and sha256sum alone.

Commands keep the states they compute from a ledger (its roster, each
document) in a cache in your cache folder, keyed by the ledger's git object
ids; verify, and sync's check of what it fetches, never use it. $CONCORD_CACHE_DIR names another folder,
or "off".

Work that runs longer than $CONCORD_PROGRESS_AFTER (default 1s) shows a
spinner on stderr when it is a terminal, never on a pipe or with --json.

Exit status: 0 success, 1 operational error, 2 usage error,
3 verification found invalid or tampered evidence.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	buildInfo := s.BuildInfo
	if buildInfo == nil {
		buildInfo = debug.ReadBuildInfo
	}
	root.Version = versionString(buildInfo())
	root.SetVersionTemplate("concord {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err: err}
	})
	root.PersistentFlags().String("ledger", "", "ledger folder (default: $CONCORD_LEDGER, else the current folder)")
	for _, add := range commands {
		c := add(s)
		wrapUsage(c)
		root.AddCommand(c)
	}
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	wrapUsage(root)
	addExamples(root)
	addCompletions(s, root)
	return root
}

// commands lists the constructors of the top-level commands; each command's
// file registers itself in an init function.
var commands []func(*IO) *cobra.Command

func register(f func(*IO) *cobra.Command) { commands = append(commands, f) }

// wrapUsage makes argument-count errors usage errors (exit 2), for c and its
// subcommands.
func wrapUsage(c *cobra.Command) {
	if c.Args != nil {
		args := c.Args
		c.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return &usageError{err: err}
			}
			return nil
		}
	} else if (c.HasSubCommands() || !c.HasParent()) && c.RunE == nil && c.Run == nil {
		c.Args = func(c *cobra.Command, a []string) error {
			if len(a) > 0 {
				return usagef("unknown command %q for %q%s", a[0], c.CommandPath(), suggest(c, a[0]))
			}
			return nil
		}
		c.RunE = func(c *cobra.Command, a []string) error {
			return usagef("%s needs a subcommand", c.CommandPath())
		}
	}
	for _, sub := range c.Commands() {
		wrapUsage(sub)
	}
}

// ledgerDir returns the ledger folder: --ledger, else $CONCORD_LEDGER, else ".".
func ledgerDir(c *cobra.Command, s *IO) string {
	if d, _ := c.Flags().GetString("ledger"); d != "" {
		return d
	}
	if d := s.Getenv("CONCORD_LEDGER"); d != "" {
		return d
	}
	return "."
}

// stateCacheDir returns the folder of the state cache: $CONCORD_CACHE_DIR
// ("off" for none), else concord/states in the user's cache folder
// ($XDG_CACHE_HOME, else ~/.cache; ~/Library/Caches on macOS), else none.
func stateCacheDir(s *IO) string {
	if d := s.Getenv("CONCORD_CACHE_DIR"); d != "" {
		if d == "off" {
			return ""
		}
		return d
	}
	base := s.Getenv("XDG_CACHE_HOME")
	if !filepath.IsAbs(base) {
		home := s.Getenv("HOME")
		if !filepath.IsAbs(home) {
			return ""
		}
		base = filepath.Join(home, ".cache")
		if runtime.GOOS == "darwin" {
			base = filepath.Join(home, "Library", "Caches")
		}
	}
	return filepath.Join(base, "concord", "states")
}
