package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concord-ledger/concord/internal/testkeys"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/signing"
)

// testNow is the fixed clock of every test run.
var testNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// harness drives Main with a fake IO. One harness shares its randomness
// over all runs, so keys made in successive runs differ, and its
// environment map is what Getenv sees.
type harness struct {
	t    *testing.T
	env  map[string]string
	rand io.Reader
	// encryptKey is IO.EncryptKey: the cheap KDF of internal/testkeys
	// unless a test sets nil (the standard KDF).
	encryptKey signing.EncryptFunc
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{
		t:          t,
		env:        map[string]string{},
		rand:       rand.NewChaCha8([32]byte{'c', 'o', 'n', 'c', 'o', 'r', 'd'}),
		encryptKey: testkeys.Encrypt,
	}
}

// runOpts are the terminal, stdin and typed passwords of one run.
type runOpts struct {
	terminal    bool     // stdin and stderr are terminals
	inTerminal  *bool    // overrides terminal for stdin
	errTerminal *bool    // overrides terminal for stderr
	stdin       string   // what stdin holds
	passwords   []string // answers ReadPassword returns, in order
	readErr     error    // returned by ReadPassword once passwords run out
}

// result is what one run of Main did.
type result struct {
	code     int
	stdout   string
	stderr   string
	asked    int // ReadPassword calls
	leftover int // queued passwords not asked for
}

// run runs concord with args and returns what it did. ReadPassword fails
// the test when called with no answer queued.
func (h *harness) run(o runOpts, args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	var r result
	queue := append([]string(nil), o.passwords...)
	s := &IO{
		In:          strings.NewReader(o.stdin),
		Out:         &out,
		Err:         &errb,
		InTerminal:  o.terminal,
		ErrTerminal: o.terminal,
		ReadPassword: func() ([]byte, error) {
			r.asked++
			if len(queue) == 0 && o.readErr != nil {
				return nil, o.readErr
			}
			if len(queue) == 0 {
				h.t.Errorf("concord %s: asked for a password with none queued", strings.Join(args, " "))
				return nil, errors.New("no password queued")
			}
			p := queue[0]
			queue = queue[1:]
			return []byte(p), nil
		},
		Getenv:     func(k string) string { return h.env[k] },
		Now:        func() time.Time { return testNow },
		Rand:       h.rand,
		EncryptKey: h.encryptKey,
	}
	if o.inTerminal != nil {
		s.InTerminal = *o.inTerminal
	}
	if o.errTerminal != nil {
		s.ErrTerminal = *o.errTerminal
	}
	r.code = Main(args, s)
	r.stdout, r.stderr, r.leftover = out.String(), errb.String(), len(queue)
	return r
}

// mustRun runs concord and fails the test unless it exits 0.
func (h *harness) mustRun(o runOpts, args ...string) result {
	h.t.Helper()
	r := h.run(o, args...)
	if r.code != ExitOK {
		h.t.Fatalf("concord %s: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func ptr[T any](v T) *T { return &v }

// writeFile writes data to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkErrorLines checks that stderr ends with exactly one "concord: " line,
// equal to wantErr, followed by the hint line wantHint ("" for none), and
// that no other line of stderr is an error or hint line.
func checkErrorLines(t *testing.T, stderr, wantErr, wantHint string) {
	t.Helper()
	want := "concord: " + wantErr + "\n"
	if wantHint != "" {
		want += "hint: " + wantHint + "\n"
	}
	if !strings.HasSuffix(stderr, want) {
		t.Errorf("stderr does not end with\n%s\ngot:\n%s", want, stderr)
		return
	}
	before := strings.TrimSuffix(stderr, want)
	for _, l := range strings.Split(before, "\n") {
		if strings.HasPrefix(l, "concord: ") || strings.HasPrefix(l, "hint: ") {
			t.Errorf("stderr has an extra error or hint line %q:\n%s", l, stderr)
		}
	}
}

func TestErrorOutput(t *testing.T) {
	empty := t.TempDir()
	usageHint := "run 'concord help' for usage"
	// The hint's init works on the folder concord was told of, the
	// --ledger that wins over $CONCORD_LEDGER included.
	notLedgerHint := "pass --ledger DIR or set CONCORD_LEDGER; 'concord init --ledger " + shellWord(empty) + "' founds a new ledger"
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		code     int
		wantErr  string
		wantHint string
	}{
		{"unknown command", []string{"frobnicate"}, nil, ExitUsage,
			`unknown command "frobnicate" for "concord"`, usageHint},
		{"unknown subcommand", []string{"key", "frobnicate"}, nil, ExitUsage,
			`unknown command "frobnicate" for "concord key"`, "run 'concord key --help' for usage"},
		{"group without subcommand", []string{"roster"}, nil, ExitUsage,
			"concord roster needs a subcommand", "run 'concord roster --help' for usage"},
		{"unknown flag", []string{"key", "new", "--bogus"}, nil, ExitUsage,
			"unknown flag: --bogus", "run 'concord key new --help' for usage"},
		{"missing --output", []string{"key", "new", "--no-passphrase"}, nil, ExitUsage,
			"key new needs --output FILE", "run 'concord key new --help' for usage"},
		{"missing --as", []string{"sign", "pact", "--key", "k", "--yes"}, nil, ExitUsage,
			"--as ID is required: your id on the roster", "run 'concord sign --help' for usage"},
		{"missing --key", []string{"sign", "pact", "--as", "bob", "--yes"}, nil, ExitUsage,
			"--key FILE is required: your private key (or, with --agent, its public key)", "run 'concord sign --help' for usage"},
		{"wrong argument count", []string{"key", "show"}, nil, ExitUsage,
			"concord key show needs the argument FILE", "run 'concord key show --help' for usage"},
		{"not a ledger (--ledger)", []string{"status", "--ledger", empty}, nil, ExitError,
			empty + " is not a concord ledger: no git repository there", notLedgerHint},
		{"not a ledger ($CONCORD_LEDGER)", []string{"roster", "list"}, map[string]string{"CONCORD_LEDGER": empty}, ExitError,
			empty + " is not a concord ledger: no git repository there", notLedgerHint},
		{"--ledger wins over $CONCORD_LEDGER", []string{"roster", "list", "--ledger", empty},
			map[string]string{"CONCORD_LEDGER": filepath.Join(empty, "elsewhere")}, ExitError,
			empty + " is not a concord ledger: no git repository there", notLedgerHint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			for k, v := range tt.env {
				h.env[k] = v
			}
			r := h.run(runOpts{}, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			want := "concord: " + tt.wantErr + "\nhint: " + tt.wantHint + "\n"
			if r.stderr != want {
				t.Errorf("stderr:\n%s\nwant exactly:\n%s", r.stderr, want)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty on error, got:\n%s", r.stdout)
			}
		})
	}
}

// evidenceErr is an error that says whether it is invalid evidence.
type evidenceErr bool

func (e evidenceErr) Error() string         { return fmt.Sprintf("evidence %v", bool(e)) }
func (e evidenceErr) InvalidEvidence() bool { return bool(e) }

// hintErr is an error with a hint.
type hintErr struct{ msg, hint string }

func (e *hintErr) Error() string { return e.msg }
func (e *hintErr) Hint() string  { return e.hint }

func TestExitCode(t *testing.T) {
	usage := usagef("bad flag %q", "--x")
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"plain", errors.New("disk full"), ExitError},
		{"wrapped plain", fmt.Errorf("writing: %w", errors.New("disk full")), ExitError},
		{"usage", usage, ExitUsage},
		{"wrapped usage", fmt.Errorf("init: %w", usage), ExitUsage},
		{"twice wrapped usage", fmt.Errorf("a: %w", fmt.Errorf("b: %w", usage)), ExitUsage},
		{"invalid evidence", evidenceErr(true), ExitInvalid},
		{"wrapped invalid evidence", fmt.Errorf("verifying: %w", evidenceErr(true)), ExitInvalid},
		{"evidence method false", evidenceErr(false), ExitError},
		{"wrapped evidence method false", fmt.Errorf("x: %w", evidenceErr(false)), ExitError},
		{"ledger inconsistent", &ledger.InconsistentError{Errs: []error{errors.New("bad entry")}}, ExitInvalid},
		{"not a ledger", &ledger.NotLedgerError{Dir: "x", Err: errors.New("no git repository there")}, ExitError},
		{"silent 1", &silentError{code: ExitError}, ExitError},
		{"silent 3", &silentError{code: ExitInvalid}, ExitInvalid},
		{"wrapped silent 3", fmt.Errorf("verify: %w", &silentError{code: ExitInvalid}), ExitInvalid},
		{"silent wins over usage", errors.Join(usage, &silentError{code: ExitInvalid}), ExitInvalid},
		{"usage wins over invalid evidence", errors.Join(evidenceErr(true), usage), ExitUsage},
		{"joined plain and invalid evidence", errors.Join(errors.New("x"), evidenceErr(true)), ExitInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestReportError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int
		want string
	}{
		{"plain", errors.New("disk full"), ExitError, "concord: disk full\n"},
		{"multi-line message is one line", errors.New("first\nsecond"), ExitError, "concord: first second\n"},
		{"hint", &hintErr{"locked", "wait"}, ExitError, "concord: locked\nhint: wait\n"},
		{"wrapped hint", fmt.Errorf("sign: %w", &hintErr{"locked", "wait"}), ExitError, "concord: sign: locked\nhint: wait\n"},
		{"empty hint", &hintErr{"locked", ""}, ExitError, "concord: locked\n"},
		{"usage gets the help hint", usagef("bad"), ExitUsage, "concord: bad\nhint: run 'concord help' for usage\n"},
		{"usage with its own hint", &usageError{err: &hintErr{"bad", "say it right"}}, ExitUsage, "concord: bad\nhint: say it right\n"},
		{"invalid evidence", fmt.Errorf("check: %w", evidenceErr(true)), ExitInvalid, "concord: check: evidence true\n"},
		{"silent prints nothing", &silentError{code: ExitInvalid}, ExitInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if got := reportError(&b, tt.err); got != tt.code {
				t.Errorf("reportError returned %d, want %d", got, tt.code)
			}
			if b.String() != tt.want {
				t.Errorf("printed %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestHelpSucceeds(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"sign", "--help"}, {"key", "new", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := newHarness(t).run(runOpts{}, args...)
			if r.code != ExitOK {
				t.Errorf("exit %d, want 0; stderr:\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "Usage:") {
				t.Errorf("help output has no Usage:\n%s", r.stdout)
			}
			if strings.Contains(r.stderr, "concord: ") {
				t.Errorf("help printed an error:\n%s", r.stderr)
			}
		})
	}
}

func TestStateCacheDir(t *testing.T) {
	home := "/home/p"
	if runtime.GOOS == "darwin" {
		t.Skip("the default folder differs on macOS")
	}
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"CONCORD_CACHE_DIR wins", map[string]string{"CONCORD_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x", "HOME": home}, "/c"},
		{"off", map[string]string{"CONCORD_CACHE_DIR": "off", "HOME": home}, ""},
		{"XDG", map[string]string{"XDG_CACHE_HOME": "/x", "HOME": home}, "/x/concord/states"},
		{"relative XDG is ignored", map[string]string{"XDG_CACHE_HOME": "x", "HOME": home}, "/home/p/.cache/concord/states"},
		{"HOME", map[string]string{"HOME": home}, "/home/p/.cache/concord/states"},
		{"nothing", map[string]string{}, ""},
		{"relative HOME", map[string]string{"HOME": "p"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &IO{Getenv: func(k string) string { return c.env[k] }}
			if got := stateCacheDir(s); got != c.want {
				t.Errorf("stateCacheDir = %q, want %q", got, c.want)
			}
		})
	}
}
