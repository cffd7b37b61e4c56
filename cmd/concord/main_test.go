package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/concord-ledger/concord/cmd"
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
		"concord-stdkdf": func() { os.Exit(cmd.Main(os.Args[1:], cmd.SystemIO())) },
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
