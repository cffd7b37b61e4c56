package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/concord-ledger/concord/cmd"
	"github.com/concord-ledger/concord/internal/filelock"
	"github.com/concord-ledger/concord/internal/testkeys"
	"github.com/concord-ledger/concord/internal/testtool"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// concord writes encrypted keys with the cheap KDF of
		// internal/testkeys (1 bcrypt round), set here, in the test binary
		// only; concord-stdkdf is concord as built, with ssh-keygen's 16.
		"concord": func() {
			s := cmd.SystemIO()
			s.EncryptKey = testkeys.Encrypt
			os.Exit(cmd.Main(os.Args[1:], s))
		},
		"concord-stdkdf":     func() { os.Exit(cmd.Main(os.Args[1:], cmd.SystemIO())) },
		"concord-lockholder": lockHolderMain,
	})
}

var exitStatus = regexp.MustCompile(`exit status (\d+)`)

// TestScripts runs the end-to-end scripts in testdata/*.txtar.
//
// Besides the standard commands, scripts have:
//
//	expect CODE PROG ARGS...   run PROG and require exit status CODE exactly
//	                           (stdout and stderr are kept for the next assertions)
//	head                       print the ledger's HEAD hash (of $CONCORD_LEDGER) to stdout
//	lockholder start FILE      start a process that holds the OS file lock on FILE
//	                           (as a running concord holds concord.lock), once it holds it
//	lockholder kill FILE       kill that process (SIGKILL on Unix): it never unlocks
//
// and the conditions [tools] (true when the outside tools tests need may be
// used) are standard [exec:NAME] conditions.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: false,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CONCORD_REQUIRE_TOOLS", os.Getenv("CONCORD_REQUIRE_TOOLS"))
			env.Setenv("REPO", testtool.RepoRoot(t))
			env.Setenv("SHARED", filepath.Join(testtool.RepoRoot(t), "..", "shared"))
			// Every script runs with the state cache on, in its own folder,
			// so each command after the first reads states filed by another.
			env.Setenv("CONCORD_CACHE_DIR", filepath.Join(env.WorkDir, ".statecache"))
			env.Values[lockHoldersKey{}] = map[string]*exec.Cmd{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// envfile NAME FILE sets $NAME to FILE's content, less the final
			// newline: a value an earlier command printed.
			"envfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: envfile NAME FILE")
				}
				ts.Setenv(args[0], strings.TrimSuffix(ts.ReadFile(args[1]), "\n"))
			},
			"lockholder": cmdLockHolder,
			"expect": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: expect CODE PROG ARGS...")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("expect: bad exit code %q", args[0])
				}
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				if err != nil {
					m := exitStatus.FindStringSubmatch(err.Error())
					if m == nil {
						ts.Fatalf("expect: %v", err)
					}
					got, _ = strconv.Atoi(m[1])
				}
				if got != want {
					ts.Logf("stdout:\n%s", ts.ReadFile("stdout"))
					ts.Logf("stderr:\n%s", ts.ReadFile("stderr"))
					ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
				}
			},
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "requiretools":
				return testtool.Required(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

type lockHoldersKey struct{}

// cmdLockHolder is the script command lockholder (see TestScripts).
func cmdLockHolder(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: lockholder start|kill FILE")
	}
	holders := ts.Value(lockHoldersKey{}).(map[string]*exec.Cmd)
	file := ts.MkAbs(args[1])
	switch args[0] {
	case "start":
		c := exec.Command("concord-lockholder", file)
		out, err := c.StdoutPipe()
		if err != nil {
			ts.Fatalf("lockholder: %v", err)
		}
		if err := c.Start(); err != nil {
			ts.Fatalf("lockholder: %v", err)
		}
		ts.Defer(func() { c.Process.Kill(); c.Wait() })
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "locked\n" {
			ts.Fatalf("lockholder did not take the lock on %s: %q, %v", file, line, err)
		}
		holders[file] = c
	case "kill":
		c := holders[file]
		if c == nil {
			ts.Fatalf("lockholder: no holder of %s started", file)
		}
		if err := c.Process.Kill(); err != nil {
			ts.Fatalf("lockholder: %v", err)
		}
		c.Wait()
		delete(holders, file)
	default:
		ts.Fatalf("usage: lockholder start|kill FILE")
	}
}

// lockHolderMain is the program concord-lockholder FILE: it takes the OS
// file lock on FILE as concord takes its ledger lock, prints "locked" and
// waits to be killed.
func lockHolderMain() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: concord-lockholder FILE")
		os.Exit(2)
	}
	if _, err := filelock.TryLock(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("locked")
	time.Sleep(10 * time.Minute)
	os.Exit(1)
}
