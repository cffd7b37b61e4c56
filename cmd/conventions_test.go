package cmd

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// allCommands returns every command of the tree, cobra's own help and
// completion commands included.
func allCommands(t *testing.T) []*cobra.Command {
	t.Helper()
	root := newRootCmd(&IO{Getenv: func(string) string { return "" }})
	var out []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		out = append(out, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if len(out) < 30 {
		t.Fatalf("only %d commands found", len(out))
	}
	return out
}

func TestEveryCommandHasExamples(t *testing.T) {
	for _, c := range allCommands(t) {
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no Examples section (add it to examples in examples.go)", c.CommandPath())
			continue
		}
		// each example line is a concord command (or a shell line using one)
		if !strings.Contains(c.Example, "concord ") {
			t.Errorf("%s: the examples run no concord command:\n%s", c.CommandPath(), c.Example)
		}
	}
	// no example is kept for a command that does not exist
	paths := map[string]bool{}
	for _, c := range allCommands(t) {
		paths[strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "concord"), " ")] = true
	}
	for k := range examples {
		if !paths[k] {
			t.Errorf("examples has %q, which is no command", k)
		}
	}
}

func TestHelpShowsExamples(t *testing.T) {
	r := newHarness(t).run(runOpts{}, "sign", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "Examples:\n  concord sign almaty-consensus --as xjtu") {
		t.Errorf("sign --help has no Examples section:\n%s", r.stdout)
	}
}

func TestVersionString(t *testing.T) {
	info := func(version string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/concord-ledger/concord", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	for _, c := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "unknown (no build information in this binary)"},
		{info("v1.2.0"), true, "v1.2.0, go1.26.8, revision unknown (built without VCS information)"},
		{info(""), true, "(devel), go1.26.8, revision unknown (built without VCS information)"},
		{info("(devel)", "vcs", "git", "vcs.revision", "1d0b59f0a8b3c2e1d0b59f0a8b3c2e1d0b59f0a8", "vcs.time", "2026-11-30T00:31:17Z", "vcs.modified", "false"), true,
			"(devel), go1.26.8, revision 1d0b59f0a8b3c2e1d0b59f0a8b3c2e1d0b59f0a8 of 2026-11-30T00:31:17Z"},
		{info("v1.3.0-rc.1", "vcs.revision", "abc", "vcs.modified", "true"), true,
			"v1.3.0-rc.1, go1.26.8, revision abc, with uncommitted changes"},
	} {
		if got := versionString(c.info, c.ok); got != c.want {
			t.Errorf("versionString = %q, want %q", got, c.want)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	h := newHarness(t)
	var out, errb strings.Builder
	s := &IO{Out: &out, Err: &errb, In: strings.NewReader(""), Getenv: func(k string) string { return h.env[k] },
		BuildInfo: func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v9.9.9"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "deadbeef"}}}, true
		}}
	if code := Main([]string{"--version"}, s); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got, want := out.String(), "concord v9.9.9, go1.26.8, revision deadbeef\n"; got != want {
		t.Errorf("--version printed %q, want %q", got, want)
	}
}
