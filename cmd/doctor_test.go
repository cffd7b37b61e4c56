package cmd

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// fakeMachine is a doctorEnv whose programs answer as told.
func fakeMachine(t *testing.T, env map[string]string, programs map[string]func(args []string) ([]byte, error)) *doctorEnv {
	s := &IO{Getenv: func(k string) string { return env[k] }, Rand: rand.NewChaCha8([32]byte{1})}
	return &doctorEnv{
		s: s,
		lookPath: func(name string) (string, error) {
			if programs[name] == nil {
				return "", errors.New("not found")
			}
			return "/usr/bin/" + name, nil
		},
		run: func(_ context.Context, _ []byte, name string, args ...string) ([]byte, error) {
			return programs[strings.TrimPrefix(name, "/usr/bin/")](args)
		},
		tempDir:    func() (string, error) { return t.TempDir(), nil },
		cacheDir:   env["cache"],
		checkCache: func() error { return nil },
	}
}

func findCheck(t *testing.T, rep *doctorReport, name string) doctorCheck {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", name, rep.Checks)
	return doctorCheck{}
}

func TestDoctorChecks(t *testing.T) {
	gitSays := func(v string) func([]string) ([]byte, error) {
		return func([]string) ([]byte, error) { return []byte(v + "\n"), nil }
	}
	keygenOK := func([]string) ([]byte, error) { return []byte("Good \"concord\" signature for doctor\n"), nil }
	keygenOld := func([]string) ([]byte, error) {
		return []byte("ssh-keygen: illegal option -- Y\nusage: ssh-keygen ...\n"), errors.New("exit status 1")
	}
	keygenRefuses := func([]string) ([]byte, error) {
		return []byte("Could not verify signature.\n"), errors.New("exit status 255")
	}
	for _, c := range []struct {
		name     string
		env      map[string]string
		programs map[string]func([]string) ([]byte, error)
		check    string
		status   string
		code     string
		detail   string // substring
		fix      string // substring, "" for none
	}{
		{"git ok", nil, map[string]func([]string) ([]byte, error){"git": gitSays("git version 2.47.3")}, "git", "ok", "ok", "git 2.47.3 (/usr/bin/git)", ""},
		{"git 2.34", nil, map[string]func([]string) ([]byte, error){"git": gitSays("git version 2.34.0")}, "git", "ok", "ok", "2.34.0", ""},
		{"git 3", nil, map[string]func([]string) ([]byte, error){"git": gitSays("git version 3.0.1")}, "git", "ok", "ok", "3.0.1", ""},
		{"git old", nil, map[string]func([]string) ([]byte, error){"git": gitSays("git version 2.33.8")}, "git", "warn", "git-too-old", "needs 2.34 or later", "install git 2.34 or later"},
		{"git missing", nil, nil, "git", "warn", "git-missing", "git is not installed", "apt-get install git"},
		{"git garbled", nil, map[string]func([]string) ([]byte, error){"git": gitSays("hello")}, "git", "warn", "git-unreadable", `"hello"`, "reinstall git"},
		{"ssh-keygen ok", nil, map[string]func([]string) ([]byte, error){"ssh-keygen": keygenOK}, "ssh-keygen", "ok", "ok", "-Y verify checks", ""},
		{"ssh-keygen without -Y", nil, map[string]func([]string) ([]byte, error){"ssh-keygen": keygenOld}, "ssh-keygen", "warn", "ssh-keygen-no-y", "has no -Y", "OpenSSH 8.2"},
		{"ssh-keygen refuses", nil, map[string]func([]string) ([]byte, error){"ssh-keygen": keygenRefuses}, "ssh-keygen", "warn", "ssh-keygen-verify-failed", "Could not verify", "OpenSSH"},
		{"ssh-keygen missing", nil, nil, "ssh-keygen", "warn", "ssh-keygen-missing", "not installed", "openssh-client"},
		{"no agent", nil, nil, "ssh-agent", "info", "agent-not-set", "SSH_AUTH_SOCK is not set", "ssh-add"},
		{"agent gone", map[string]string{"SSH_AUTH_SOCK": "/nonexistent/agent.sock"}, nil, "ssh-agent", "warn", "agent-unreachable", "no agent answers there", "unset SSH_AUTH_SOCK"},
		{"cache off", nil, nil, "cache", "info", "cache-off", "off", "CONCORD_CACHE_DIR"},
		{"cache ok", map[string]string{"cache": "/home/p/.cache/concord/states"}, nil, "cache", "ok", "ok", "/home/p/.cache/concord/states", ""},
		{"fonts", nil, nil, "fonts", "ok", "ok", "Kazakh", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := fakeMachine(t, c.env, c.programs)
			ch := findCheck(t, runDoctor(context.Background(), e), c.check)
			if ch.Status != c.status || ch.Code != c.code || !strings.Contains(ch.Detail, c.detail) ||
				(c.fix == "") != (ch.Fix == "") || !strings.Contains(ch.Fix, c.fix) {
				t.Errorf("got %+v\nwant status %s, code %s, detail ~%q, fix ~%q", ch, c.status, c.code, c.detail, c.fix)
			}
		})
	}
	t.Run("cache unusable", func(t *testing.T) {
		e := fakeMachine(t, map[string]string{"cache": "/tmp/shared"}, nil)
		e.checkCache = func() error { return errors.New("others can write /tmp/shared (mode -rwxrwxrwx)") }
		ch := findCheck(t, runDoctor(context.Background(), e), "cache")
		if ch.Status != "warn" || ch.Code != "cache-unusable" || !strings.Contains(ch.Detail, "others can write") || !strings.Contains(ch.Fix, "chmod 700 /tmp/shared") {
			t.Errorf("got %+v", ch)
		}
	})
	t.Run("ssh-keygen is given the signature and message", func(t *testing.T) {
		var got []string
		e := fakeMachine(t, nil, map[string]func([]string) ([]byte, error){"ssh-keygen": func(args []string) ([]byte, error) {
			got = args
			for i, a := range args {
				if a == "-s" || a == "-f" {
					if _, err := os.Stat(args[i+1]); err != nil {
						t.Errorf("%s %s: %v", a, args[i+1], err)
					}
				}
			}
			return nil, nil
		}})
		runDoctor(context.Background(), e)
		if strings.Join(got[:2], " ") != "-Y verify" || !strings.Contains(strings.Join(got, " "), "-I doctor -n concord -s ") {
			t.Errorf("ssh-keygen ran with %q", got)
		}
	})
}
