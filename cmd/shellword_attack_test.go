//go:build unix

package cmd

import (
	"os/exec"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/concord-ledger/concord/internal/testtool"
)

// TestShellWordPasted: a hint's word, pasted into sh or an interactive
// bash, is the string it names, and holds no character a terminal acts
// on. A ledger folder named 'a!b' became bash's '!b: event not found'
// (history expansion works between double quotes), one with a newline,
// a tab or another control character became a folder with '\n' in its
// name (Go's escapes, which no shell reads between double quotes), and a
// zero-width space became '\u200b'.
func TestShellWordPasted(t *testing.T) {
	sh := testtool.Require(t, "sh")
	bash := testtool.Require(t, "bash")
	for _, s := range []string{
		"plain", "dir with space", "a!b", "!x", "a'b", `a"b`, `a\b`, "$HOME", "a`id`b", "$(id)",
		"a\nb", "tab\there", "bell\a", "esc\x1b[31mred", "del\x7f", "zw\u200bsp", "bidi\u202eevil",
		"é/ünï", "-leading", "'", "\\'\"!$`", "trailing\n", "bad\xffutf8", "%s%%\\n", strings.Repeat("long/", 200),
	} {
		w := shellWord(s)
		for _, r := range w {
			if r < 0x20 || r == 0x7f || !unicode.IsPrint(r) && r != ' ' {
				t.Errorf("shellWord(%q) = %q prints %U raw", s, w, r)
			}
		}
		if !utf8.ValidString(w) {
			t.Errorf("shellWord(%q) = %q is not valid UTF-8", s, w)
		}
		script := "printf '[%s]' " + w + "\n"
		want := "[" + strings.TrimRight(s, "\n") + "]" // command substitution drops trailing newlines
		out, err := exec.Command(sh, "-c", script).Output()
		if err != nil || string(out) != want {
			t.Errorf("sh: shellWord(%q) = %s gives %q (%v)", s, w, out, err)
		}
		cmd := exec.Command(bash, "--norc", "--noprofile", "-i")
		cmd.Stdin = strings.NewReader(script)
		cmd.Env = []string{"HOME=/nonexistent", "PS1=", "TERM=dumb"}
		out, _ = cmd.Output()
		if string(out) != want {
			t.Errorf("interactive bash: shellWord(%q) = %s gives %q", s, w, out)
		}
	}
}
