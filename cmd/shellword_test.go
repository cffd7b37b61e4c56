package cmd

import "testing"

// TestShellWord: a folder or argument is printed as the one shell word
// that names it, nothing in it expanded by a shell.
func TestShellWord(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"c2", "c2"},
		{"/srv/ledgers/almaty_2026", "/srv/ledgers/almaty_2026"},
		{"dir with space", `"dir with space"`},
		{"a'b", `"a'b"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `"a\\b"`},
		{"$HOME/x", `"\$HOME/x"`},
		{"a`id`b", "\"a\\`id\\`b\""},
		{"", `""`},
	} {
		if got := shellWord(tc.in); got != tc.want {
			t.Errorf("shellWord(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
