package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/signing"
)

// passphraseFileEnv names the environment variable that gives the
// passphrase file when --passphrase-file is not given.
const passphraseFileEnv = "CONCORD_PASSPHRASE_FILE"

// maxPassphraseFile bounds what is read of a passphrase file.
const maxPassphraseFile = 64 << 10

// passphraseTries is how many times a passphrase is asked on a terminal
// before concord gives up: a wrong or empty passphrase for a key, or a new
// passphrase empty or not repeated the same.
const passphraseTries = 3

// addPassphraseFileFlag adds --passphrase-file to c, stored in file. Pass
// the value to passphraseFunc or newPassphrase.
func addPassphraseFileFlag(c *cobra.Command, file *string) {
	c.Flags().StringVar(file, "passphrase-file", "",
		"read the passphrase from the first line of `FILE` (default: $"+passphraseFileEnv+", else ask on the terminal)")
}

// hintedError is an error with a next step for the user: about a
// passphrase, or another refusal found in cmd/ (exit status 1).
type hintedError struct {
	msg   string
	hint  string
	retry bool // typed on the terminal: worth asking again
}

func (e *hintedError) Error() string { return e.msg }
func (e *hintedError) Hint() string  { return e.hint }

// loadPrivateKey loads the private key at keyPath, asking for its
// passphrase (see passphraseFunc) only if it is encrypted. A passphrase
// typed on the terminal that is wrong or empty is asked again, up to
// passphraseTries times in all; one from a file is tried once.
func loadPrivateKey(s *IO, file, keyPath string) (ssh.Signer, error) {
	for try := 1; ; try++ {
		asked := false
		f := passphraseFunc(s, file, keyPath)
		signer, err := signing.LoadPrivateKey(keyPath, func() ([]byte, error) {
			asked = passphrasePath(s, file) == ""
			return f()
		})
		var pe *hintedError
		again := errors.Is(err, signing.ErrWrongPassphrase) || errors.As(err, &pe) && pe.retry
		if err == nil || !asked || !again {
			return signer, err
		}
		if try == passphraseTries {
			return nil, &triesError{err: err, tries: try}
		}
		if errors.Is(err, signing.ErrWrongPassphrase) {
			fmt.Fprintln(s.Err, "Wrong passphrase; try again.")
		} else {
			fmt.Fprintln(s.Err, "The passphrase is empty; try again.")
		}
	}
}

// triesError is the last of passphraseTries failed tries.
type triesError struct {
	err   error
	tries int
}

func (e *triesError) Error() string { return fmt.Sprintf("%v (%d tries)", e.err, e.tries) }
func (e *triesError) Unwrap() error { return e.err }

// passphraseFunc returns the PassphraseFunc that unlocks the key at keyPath
// (named in the prompt). The passphrase is the first line of file (the
// --passphrase-file flag), else of the file named by $CONCORD_PASSPHRASE_FILE,
// else it is asked once on the terminal when stdin and stderr are both
// terminals; otherwise the func returns *signing.PassphraseMissingError.
// Nothing is read or asked until the func is called, which happens only for
// an encrypted key.
func passphraseFunc(s *IO, file, keyPath string) signing.PassphraseFunc {
	return func() ([]byte, error) {
		if path := passphrasePath(s, file); path != "" {
			return readPassphraseFile(path, "")
		}
		if !s.InTerminal || !s.ErrTerminal {
			return nil, &signing.PassphraseMissingError{
				Reason:   "no --passphrase-file, $" + passphraseFileEnv + " is not set, and no terminal to ask on",
				NextStep: "give --passphrase-file FILE or set " + passphraseFileEnv + ", or use ssh-agent",
			}
		}
		p, err := prompt(s, fmt.Sprintf("Passphrase for %s: ", keyPath))
		if err != nil {
			return nil, err
		}
		if len(p) == 0 {
			return nil, &hintedError{msg: "empty passphrase", hint: "type the passphrase of the key", retry: true}
		}
		return p, nil
	}
}

// newPassphrase returns the passphrase for a new key written to keyPath:
// the first line of file (the --passphrase-file flag), else of the file
// named by $CONCORD_PASSPHRASE_FILE, else asked twice on the terminal (the
// answers must match; an empty or mismatched answer is asked again, up to
// passphraseTries times in all) when stdin and stderr are both terminals;
// otherwise it returns *signing.PassphraseMissingError. An empty passphrase
// is refused: an unencrypted key needs --no-passphrase.
func newPassphrase(s *IO, file, keyPath string) ([]byte, error) {
	if passphrasePath(s, file) != "" || !s.InTerminal || !s.ErrTerminal {
		return newPassphraseOnce(s, file, keyPath)
	}
	for try := 1; ; try++ {
		p, err := newPassphraseOnce(s, file, keyPath)
		var pe *hintedError
		if err == nil || !errors.As(err, &pe) || !pe.retry {
			return p, err
		}
		if try == passphraseTries {
			return nil, &triesError{err: err, tries: try}
		}
		fmt.Fprintf(s.Err, "%s; try again.\n", capitalize(pe.msg))
	}
}

// capitalize upper-cases the first letter of an ASCII message.
func capitalize(msg string) string {
	if msg != "" && 'a' <= msg[0] && msg[0] <= 'z' {
		return string(msg[0]-'a'+'A') + msg[1:]
	}
	return msg
}

// newPassphraseOnce asks for a new passphrase once (twice on a terminal).
func newPassphraseOnce(s *IO, file, keyPath string) ([]byte, error) {
	const noPass = "use --no-passphrase for an unencrypted key"
	if path := passphrasePath(s, file); path != "" {
		return readPassphraseFile(path, noPass)
	}
	if !s.InTerminal || !s.ErrTerminal {
		return nil, &signing.PassphraseMissingError{
			Reason:   "no --passphrase-file, $" + passphraseFileEnv + " is not set, and no terminal to ask on",
			NextStep: "give --passphrase-file FILE (or set " + passphraseFileEnv + "), or --no-passphrase for an unencrypted key",
		}
	}
	p, err := prompt(s, fmt.Sprintf("New passphrase for %s: ", keyPath))
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, &hintedError{msg: "empty passphrase", hint: noPass, retry: true}
	}
	again, err := prompt(s, "Repeat the passphrase: ")
	if err != nil {
		clear(p)
		return nil, err
	}
	same := bytes.Equal(p, again)
	clear(again)
	if !same {
		clear(p)
		return nil, &hintedError{msg: "the passphrases do not match", hint: "run the command again and type the same passphrase twice", retry: true}
	}
	return p, nil
}

// passphrasePath returns the passphrase file to read: file, else
// $CONCORD_PASSPHRASE_FILE, else "".
func passphrasePath(s *IO, file string) string {
	if file != "" {
		return file
	}
	return s.Getenv(passphraseFileEnv)
}

// readPassphraseFile returns the first line of path, without its line
// ending ("\n" or "\r\n"). An empty first line is refused, with hint as the
// next step when not empty. The file may be a pipe (e.g. <(pass show key)).
func readPassphraseFile(path, hint string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading passphrase file: %w", err)
	}
	defer f.Close()
	if err := checkPassphraseFile(f, path); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPassphraseFile))
	if err != nil {
		return nil, fmt.Errorf("reading passphrase file %q: %w", path, err)
	}
	line := data
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
		line = bytes.TrimSuffix(line, []byte("\r"))
	}
	p := bytes.Clone(line)
	clear(data)
	if len(p) == 0 {
		if hint == "" {
			hint = "write the passphrase on the first line of the file"
		}
		return nil, &hintedError{msg: fmt.Sprintf("empty passphrase in passphrase file %q", path), hint: hint}
	}
	return p, nil
}

// prompt writes msg to the terminal and reads a line without echo.
func prompt(s *IO, msg string) ([]byte, error) {
	fmt.Fprint(s.Err, msg)
	p, err := s.ReadPassword()
	fmt.Fprintln(s.Err)
	if err != nil {
		return nil, fmt.Errorf("reading passphrase: %w", err)
	}
	return p, nil
}

// PassphraseFileModeError is a passphrase file that group or others may
// read or write: refused, as a private key file is, since the passphrase
// may already be exposed.
type PassphraseFileModeError struct {
	Path string
	Mode os.FileMode // permission bits
}

func (e *PassphraseFileModeError) Error() string {
	return fmt.Sprintf("passphrase file %q is accessible by group or others (mode %04o)", e.Path, uint32(e.Mode))
}

// Hint names the fix.
func (e *PassphraseFileModeError) Hint() string { return "chmod 600 " + e.Path }

// checkPassphraseFile refuses an open passphrase file that is a regular
// file group or others may access. Pipes and other special files (e.g.
// <(pass show key), /dev/fd/N) are taken: their mode says nothing of who
// saw the passphrase.
func checkPassphraseFile(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading passphrase file: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
		return &PassphraseFileModeError{Path: path, Mode: fi.Mode().Perm()}
	}
	return nil
}
