package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/signing"
)

// expand replaces $DIR in each arg (and env value) with dir.
func expand(dir string, args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, "$DIR", dir)
	}
	return out
}

// unlock loads the private key at path with passphrase pass.
func unlock(path, pass string) error {
	_, err := signing.LoadPrivateKey(path, func() ([]byte, error) { return []byte(pass), nil })
	return err
}

func TestKeyNewPassphrase(t *testing.T) {
	const (
		newPrompt    = "New passphrase for $DIR/k: "
		repeatPrompt = "Repeat the passphrase: "
		noPassHint   = "use --no-passphrase for an unencrypted key"
	)
	missingErr := "no passphrase: no --passphrase-file, $CONCORD_PASSPHRASE_FILE is not set, and no terminal to ask on"
	missingHint := "give --passphrase-file FILE (or set CONCORD_PASSPHRASE_FILE), or --no-passphrase for an unencrypted key"
	tests := []struct {
		name  string
		files map[string]string // written in $DIR before the run
		env   map[string]string // $DIR expanded
		opts  runOpts
		args  []string // after "key new --output $DIR/k"
		code  int
		asked int
		// On success: the passphrase that unlocks the key, and others that
		// must not ("" when the key must be unencrypted).
		unlockWith string
		notWith    []string
		// On failure: the prompts printed before the error, and the error.
		prompts  string
		wantErr  string
		wantHint string
	}{
		{
			name: "terminal asks twice", opts: runOpts{terminal: true, passwords: []string{"tulip", "tulip"}},
			code: ExitOK, asked: 2, unlockWith: "tulip", notWith: []string{"tulip\n", "tuli", ""},
		},
		{
			name: "terminal answers differ, then match", opts: runOpts{terminal: true, passwords: []string{"tulip", "tulips", "rose", "rose"}},
			code: ExitOK, asked: 4, unlockWith: "rose", notWith: []string{"tulip", "tulips"},
		},
		{
			name: "terminal answers differ three times", opts: runOpts{terminal: true, passwords: []string{"tulip", "tulips", "a", "b", "c", "d"}},
			code: ExitError, asked: 6,
			prompts: strings.Repeat(newPrompt+"\n"+repeatPrompt+"\nThe passphrases do not match; try again.\n", 2) + newPrompt + "\n" + repeatPrompt + "\n",
			wantErr: "the passphrases do not match (3 tries)", wantHint: "run the command again and type the same passphrase twice",
		},
		{
			name: "terminal empty answer refused three times", opts: runOpts{terminal: true, passwords: []string{"", "", ""}},
			code: ExitError, asked: 3, prompts: strings.Repeat(newPrompt+"\nEmpty passphrase; try again.\n", 2) + newPrompt + "\n",
			wantErr: "empty passphrase (3 tries)", wantHint: noPassHint,
		},
		{
			name: "terminal read fails on the repeat", opts: runOpts{terminal: true, passwords: []string{"tulip"}, readErr: errors.New("interrupted")},
			code: ExitError, asked: 2, prompts: newPrompt + "\n" + repeatPrompt + "\n",
			wantErr: "reading passphrase: interrupted",
		},
		{
			name: "file with CRLF", files: map[string]string{"pass": "tulip\r\nsecond line\r\n"},
			opts: runOpts{terminal: true}, args: []string{"--passphrase-file", "$DIR/pass"},
			code: ExitOK, unlockWith: "tulip", notWith: []string{"tulip\r", "tulip\r\n", "tulip\r\nsecond line"},
		},
		{
			name: "file with LF and no terminal", files: map[string]string{"pass": "pass phrase with spaces \n"},
			args: []string{"--passphrase-file", "$DIR/pass"},
			code: ExitOK, unlockWith: "pass phrase with spaces ", notWith: []string{"pass phrase with spaces"},
		},
		{
			name: "file without line end", files: map[string]string{"pass": "tulip"},
			args: []string{"--passphrase-file", "$DIR/pass"},
			code: ExitOK, unlockWith: "tulip",
		},
		{
			name: "file from $CONCORD_PASSPHRASE_FILE", files: map[string]string{"envpass": "from env\n"},
			env:  map[string]string{passphraseFileEnv: "$DIR/envpass"},
			code: ExitOK, unlockWith: "from env",
		},
		{
			name:  "$CONCORD_PASSPHRASE_FILE instead of the terminal",
			files: map[string]string{"envpass": "from env\n"}, env: map[string]string{passphraseFileEnv: "$DIR/envpass"},
			opts: runOpts{terminal: true}, code: ExitOK, unlockWith: "from env",
		},
		{
			name:  "flag wins over $CONCORD_PASSPHRASE_FILE",
			files: map[string]string{"envpass": "from env\n", "pass": "from flag\n"},
			env:   map[string]string{passphraseFileEnv: "$DIR/envpass"}, args: []string{"--passphrase-file", "$DIR/pass"},
			code: ExitOK, unlockWith: "from flag", notWith: []string{"from env"},
		},
		{
			name: "empty first line in file", files: map[string]string{"pass": "\nsecond\n"},
			args: []string{"--passphrase-file", "$DIR/pass"}, code: ExitError,
			wantErr: `empty passphrase in passphrase file "$DIR/pass"`, wantHint: noPassHint,
		},
		{
			name: "CRLF only in file", files: map[string]string{"pass": "\r\n"},
			args: []string{"--passphrase-file", "$DIR/pass"}, code: ExitError,
			wantErr: `empty passphrase in passphrase file "$DIR/pass"`, wantHint: noPassHint,
		},
		{
			name: "missing file", args: []string{"--passphrase-file", "$DIR/nope"}, code: ExitError,
			wantErr: "reading passphrase file: open $DIR/nope: no such file or directory",
		},
		{
			name: "no terminal and no file", code: ExitError,
			wantErr: missingErr, wantHint: missingHint,
		},
		{
			name: "only stdin a terminal", opts: runOpts{inTerminal: ptr(true), errTerminal: ptr(false)}, code: ExitError,
			wantErr: missingErr, wantHint: missingHint,
		},
		{
			name: "only stderr a terminal", opts: runOpts{inTerminal: ptr(false), errTerminal: ptr(true)}, code: ExitError,
			wantErr: missingErr, wantHint: missingHint,
		},
		{
			name: "no passphrase", args: []string{"--no-passphrase"}, opts: runOpts{terminal: true},
			code: ExitOK, unlockWith: "",
		},
		{
			name: "--no-passphrase with a file", files: map[string]string{"pass": "tulip\n"},
			args: []string{"--no-passphrase", "--passphrase-file", "$DIR/pass"}, code: ExitUsage,
			wantErr: "--passphrase-file and --no-passphrase cannot be used together", wantHint: "run 'concord key new --help' for usage",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			h := newHarness(t)
			for name, data := range tt.files {
				writeFile(t, dir, name, data)
			}
			for k, v := range tt.env {
				h.env[k] = strings.ReplaceAll(v, "$DIR", dir)
			}
			key := filepath.Join(dir, "k")
			args := append([]string{"key", "new", "--output", key, "--comment", "tester"}, expand(dir, tt.args)...)
			r := h.run(tt.opts, args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, tt.code, r.stderr)
			}
			if r.asked != tt.asked || r.leftover != 0 {
				t.Errorf("asked for %d passwords (%d left unasked), want %d", r.asked, r.leftover, tt.asked)
			}
			if tt.code != ExitOK {
				wantErr := strings.ReplaceAll(tt.wantErr, "$DIR", dir)
				want := strings.ReplaceAll(tt.prompts, "$DIR", dir) + "concord: " + wantErr + "\n"
				if tt.wantHint != "" {
					want += "hint: " + tt.wantHint + "\n"
				}
				if r.stderr != want {
					t.Errorf("stderr:\n%q\nwant exactly:\n%q", r.stderr, want)
				}
				if r.stdout != "" {
					t.Errorf("stdout should be empty, got %q", r.stdout)
				}
				for _, p := range []string{key, key + ".pub"} {
					if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s was written (or cannot be checked: %v)", p, err)
					}
				}
				return
			}
			checkNewKey(t, key, r, tt.asked, tt.unlockWith, tt.notWith)
		})
	}
}

// checkNewKey checks what a successful `key new --output key` wrote and
// printed, and that exactly unlockWith unlocks it.
func checkNewKey(t *testing.T, key string, r result, asked int, unlockWith string, notWith []string) {
	t.Helper()
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(pub) || !strings.HasPrefix(r.stdout, "ssh-ed25519 ") || !strings.HasSuffix(r.stdout, " tester\n") {
		t.Errorf("stdout %q, want the public key line %q", r.stdout, pub)
	}
	fi, err := os.Stat(key)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %04o, want 0600", fi.Mode().Perm())
	}
	var prompts string
	if asked == 2 {
		prompts = "New passphrase for " + key + ": \nRepeat the passphrase: \n"
	}
	if asked == 4 {
		prompts = "New passphrase for " + key + ": \nRepeat the passphrase: \nThe passphrases do not match; try again.\n" +
			"New passphrase for " + key + ": \nRepeat the passphrase: \n"
	}
	state := "encrypted"
	if unlockWith == "" {
		state = "UNENCRYPTED"
	}
	info, err := signing.ReadKeyInfo(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	wantErr := prompts + "wrote the private key to " + key + ", " + state + ", and the public key to " + key + ".pub\n" +
		"fingerprint: " + signing.FingerprintLine(info.PublicKey, "tester") + "\n"
	if r.stderr != wantErr {
		t.Errorf("stderr:\n%q\nwant:\n%q", r.stderr, wantErr)
	}
	if unlockWith == "" {
		if _, err := signing.LoadPrivateKey(key, nil); err != nil {
			t.Errorf("unencrypted key does not load without a passphrase: %v", err)
		}
		return
	}
	var missing *signing.PassphraseMissingError
	if _, err := signing.LoadPrivateKey(key, nil); !errors.As(err, &missing) {
		t.Errorf("key loads without a passphrase (err %v): it is not encrypted", err)
	}
	if err := unlock(key, unlockWith); err != nil {
		t.Errorf("passphrase %q does not unlock the key: %v", unlockWith, err)
	}
	for _, p := range notWith {
		if err := unlock(key, p); !errors.Is(err, signing.ErrWrongPassphrase) {
			t.Errorf("passphrase %q: err %v, want wrong passphrase", p, err)
		}
	}
}

// TestKeyNewCRLFThenSign makes a key from a CRLF passphrase file and
// signs with it through concord, the passphrase given by an LF file: the
// CR was no part of the passphrase.
func TestKeyNewCRLFThenSign(t *testing.T) {
	h := newHarness(t)
	f := newFixture(t, h)
	crlf := writeFile(t, f.dir, "crlf", "correct horse\r\n")
	lf := writeFile(t, f.dir, "lf", "correct horse\n")
	key := filepath.Join(f.dir, "erin")
	h.mustRun(runOpts{}, "key", "new", "--output", key, "--passphrase-file", crlf)
	f.enrol("erin", key+".pub")
	f.propose("pact", "erin,alice", map[string]string{"en": "We agree.\n"})
	before := f.head()
	r := h.mustRun(runOpts{}, "sign", "pact", "--ledger", f.ledger, "--as", "erin", "--key", key, "--passphrase-file", lf, "--yes")
	if !strings.HasPrefix(r.stdout, "approve: pact v1 by erin at entry ") {
		t.Errorf("stdout %q, want an approval", r.stdout)
	}
	if f.head() == before {
		t.Error("ledger head did not move")
	}
}

// TestUnlockPassphrase covers asking for the passphrase of an existing
// key: file, environment, terminal, and nothing to ask on.
func TestUnlockPassphrase(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t)
	pass := writeFile(t, dir, "pass", "tulip\r\n")
	key := filepath.Join(dir, "k")
	h.mustRun(runOpts{}, "key", "new", "--output", key, "--passphrase-file", pass)
	writeFile(t, dir, "right", "tulip\n")
	writeFile(t, dir, "wrong", "tulips\n")
	writeFile(t, dir, "empty", "\n")
	for name, mode := range map[string]os.FileMode{"open": 0o644, "group": 0o640} {
		if err := os.Chmod(writeFile(t, dir, name, "tulip\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		file     string // --passphrase-file, under dir
		envFile  string // $CONCORD_PASSPHRASE_FILE, under dir
		opts     runOpts
		wantErr  string // "" for success
		wantHint string
		prompts  string
	}{
		{name: "file", file: "right"},
		{name: "env", envFile: "right"},
		{name: "flag wins over env", file: "right", envFile: "wrong"},
		{name: "terminal", opts: runOpts{terminal: true, passwords: []string{"tulip"}}, prompts: "Passphrase for $DIR/k: \n"},
		{name: "file beats terminal", file: "right", opts: runOpts{terminal: true}},
		{name: "wrong file", file: "wrong", wantErr: `wrong passphrase for key "$DIR/k"`,
			wantHint: "check the passphrase; from a passphrase file only the first line is used"},
		{name: "wrong on terminal, then right", opts: runOpts{terminal: true, passwords: []string{"tulip\r", "tulip"}},
			prompts: "Passphrase for $DIR/k: \nWrong passphrase; try again.\nPassphrase for $DIR/k: \n"},
		{name: "empty, wrong, right on terminal", opts: runOpts{terminal: true, passwords: []string{"", "x", "tulip"}},
			prompts: "Passphrase for $DIR/k: \nThe passphrase is empty; try again.\nPassphrase for $DIR/k: \nWrong passphrase; try again.\nPassphrase for $DIR/k: \n"},
		{name: "wrong on terminal three times", opts: runOpts{terminal: true, passwords: []string{"tulip\r", "tulips", "Tulip"}},
			prompts:  strings.Repeat("Passphrase for $DIR/k: \nWrong passphrase; try again.\n", 2) + "Passphrase for $DIR/k: \n",
			wantErr:  `wrong passphrase for key "$DIR/k" (3 tries)`,
			wantHint: "check the passphrase; from a passphrase file only the first line is used"},
		{name: "empty on terminal three times", opts: runOpts{terminal: true, passwords: []string{"", "", ""}},
			prompts: strings.Repeat("Passphrase for $DIR/k: \nThe passphrase is empty; try again.\n", 2) + "Passphrase for $DIR/k: \n",
			wantErr: `getting passphrase for key "$DIR/k": empty passphrase (3 tries)`, wantHint: "type the passphrase of the key"},
		{name: "file readable by others", file: "open", wantErr: `getting passphrase for key "$DIR/k": passphrase file "$DIR/open" is accessible by group or others (mode 0644)`,
			wantHint: "chmod 600 $DIR/open"},
		{name: "file readable by group", file: "group", opts: runOpts{terminal: true}, wantErr: `getting passphrase for key "$DIR/k": passphrase file "$DIR/group" is accessible by group or others (mode 0640)`,
			wantHint: "chmod 600 $DIR/group"},
		{name: "wrong file: not asked again", file: "wrong", opts: runOpts{terminal: true}, wantErr: `wrong passphrase for key "$DIR/k"`,
			wantHint: "check the passphrase; from a passphrase file only the first line is used"},
		{name: "empty file", file: "empty", wantErr: `getting passphrase for key "$DIR/k": empty passphrase in passphrase file "$DIR/empty"`,
			wantHint: "write the passphrase on the first line of the file"},
		{name: "only stdin a terminal", opts: runOpts{inTerminal: ptr(true), errTerminal: ptr(false)}, wantErr: `no passphrase for key "$DIR/k": no --passphrase-file, $CONCORD_PASSPHRASE_FILE is not set, and no terminal to ask on`,
			wantHint: "give --passphrase-file FILE or set CONCORD_PASSPHRASE_FILE, or use ssh-agent"},
		{name: "only stderr a terminal", opts: runOpts{inTerminal: ptr(false), errTerminal: ptr(true)}, wantErr: `no passphrase for key "$DIR/k": no --passphrase-file, $CONCORD_PASSPHRASE_FILE is not set, and no terminal to ask on`,
			wantHint: "give --passphrase-file FILE or set CONCORD_PASSPHRASE_FILE, or use ssh-agent"},
		{name: "nothing to ask on", wantErr: `no passphrase for key "$DIR/k": no --passphrase-file, $CONCORD_PASSPHRASE_FILE is not set, and no terminal to ask on`,
			wantHint: "give --passphrase-file FILE or set CONCORD_PASSPHRASE_FILE, or use ssh-agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &IO{
				InTerminal:  tt.opts.terminal,
				ErrTerminal: tt.opts.terminal,
				Getenv: func(k string) string {
					if k == passphraseFileEnv && tt.envFile != "" {
						return filepath.Join(dir, tt.envFile)
					}
					return ""
				},
			}
			if tt.opts.inTerminal != nil {
				s.InTerminal = *tt.opts.inTerminal
			}
			if tt.opts.errTerminal != nil {
				s.ErrTerminal = *tt.opts.errTerminal
			}
			var errb strings.Builder
			s.Err = &errb
			queue := tt.opts.passwords
			s.ReadPassword = func() ([]byte, error) {
				if len(queue) == 0 {
					t.Fatal("asked for a password with none queued")
				}
				p := queue[0]
				queue = queue[1:]
				return []byte(p), nil
			}
			file := ""
			if tt.file != "" {
				file = filepath.Join(dir, tt.file)
			}
			_, err := loadPrivateKey(s, file, key)
			if len(queue) != 0 {
				t.Errorf("%d passwords left unasked", len(queue))
			}
			var b strings.Builder
			if err != nil {
				reportError(&b, err)
			}
			want := ""
			if tt.wantErr != "" {
				want = "concord: " + strings.ReplaceAll(tt.wantErr, "$DIR", dir) + "\nhint: " + strings.ReplaceAll(tt.wantHint, "$DIR", dir) + "\n"
			}
			if b.String() != want {
				t.Errorf("error output:\n%q\nwant:\n%q", b.String(), want)
			}
			if p := strings.ReplaceAll(tt.prompts, "$DIR", dir); errb.String() != p {
				t.Errorf("prompts %q, want %q", errb.String(), p)
			}
		})
	}
}

// TestKeyNewExistingRefusedBeforeAsking checks that an existing key or
// .pub file is refused before the passphrase is asked, and left as it was.
func TestKeyNewExistingRefusedBeforeAsking(t *testing.T) {
	for _, existing := range []string{"k", "k.pub"} {
		t.Run(existing, func(t *testing.T) {
			dir := t.TempDir()
			old := writeFile(t, dir, existing, "old\n")
			key := filepath.Join(dir, "k")
			r := newHarness(t).run(runOpts{terminal: true}, "key", "new", "--output", key)
			if r.code != ExitError || r.asked != 0 {
				t.Errorf("exit %d after %d questions, want 1 after none", r.code, r.asked)
			}
			want := "concord: \"" + old + "\" already exists; refusing to overwrite it\n" +
				"hint: choose another file name, or move the old key away first\n"
			if r.stderr != want {
				t.Errorf("stderr %q, want %q", r.stderr, want)
			}
			if data, err := os.ReadFile(old); err != nil || string(data) != "old\n" {
				t.Errorf("existing file changed: %q, %v", data, err)
			}
			other := key
			if existing == "k" {
				other = key + ".pub"
			}
			if _, err := os.Lstat(other); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s was written", other)
			}
		})
	}
}
