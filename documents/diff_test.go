package documents

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// numbered returns the lines "1".."n", each ending in LF, with line k
// replaced by repl[k] where given.
func numbered(n int, repl map[int]string) string {
	var sb strings.Builder
	for k := 1; k <= n; k++ {
		if r, ok := repl[k]; ok {
			sb.WriteString(r)
		} else {
			sb.WriteString(strconv.Itoa(k) + "\n")
		}
	}
	return sb.String()
}

var diffTests = []struct {
	name string
	a, b string
	want string // without the two header lines
}{
	{"identical", "a\nb\n", "a\nb\n", ""},
	{"both empty", "", "", ""},
	{"empty old", "", "один\n二\n", "@@ -0,0 +1,2 @@\n+один\n+二\n"},
	{"empty new", "x\ny\n", "", "@@ -1,2 +0,0 @@\n-x\n-y\n"},
	{"insert at start", numbered(5, nil), "0\n" + numbered(5, nil),
		"@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"},
	{"insert at end", numbered(5, nil), numbered(5, nil) + "6\n",
		"@@ -3,3 +3,4 @@\n 3\n 4\n 5\n+6\n"},
	{"delete in the middle", numbered(10, nil), numbered(10, map[int]string{5: ""}),
		"@@ -2,7 +2,6 @@\n 2\n 3\n 4\n-5\n 6\n 7\n 8\n"},
	{"delete first line", numbered(5, nil), numbered(5, map[int]string{1: ""}),
		"@@ -1,4 +1,3 @@\n-1\n 2\n 3\n 4\n"},
	{"replace one line, Chinese and Cyrillic", "第一条\nСтатья 1\nArticle 1\n", "第一条\nСтатья 2\nArticle 1\n",
		"@@ -1,3 +1,3 @@\n 第一条\n-Статья 1\n+Статья 2\n Article 1\n"},
	{"all changed", "a\nb\n", "c\nd\n", "@@ -1,2 +1,2 @@\n-a\n-b\n+c\n+d\n"},
	{"one line to one line", "阿拉木图\n", "Алматы\n", "@@ -1 +1 @@\n-阿拉木图\n+Алматы\n"},
	{"two hunks", numbered(20, nil), numbered(20, map[int]string{2: "two\n", 18: "eighteen\n"}),
		"@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n" +
			"@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n"},
	{"changes 6 lines apart share a hunk", numbered(20, nil), numbered(20, map[int]string{5: "five\n", 12: "twelve\n"}),
		"@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n 11\n-12\n+twelve\n 13\n 14\n 15\n"},
	{"changes 7 lines apart do not", numbered(20, nil), numbered(20, map[int]string{5: "five\n", 13: "thirteen\n"}),
		"@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n" +
			"@@ -10,7 +10,7 @@\n 10\n 11\n 12\n-13\n+thirteen\n 14\n 15\n 16\n"},
	{"insert into an empty line run", "a\n\n\nb\n", "a\n\nx\n\nb\n", "@@ -1,4 +1,5 @@\n a\n \n+x\n \n b\n"},
	{"no newline at end of old", "a\nb", "a\nb\n",
		"@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
	{"no newline at end of new", "a\nb\n", "a\nc",
		"@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"},
}

func TestDiff(t *testing.T) {
	for _, tt := range diffTests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff("old", "new", []byte(tt.a), []byte(tt.b))
			want := ""
			if tt.want != "" {
				want = "--- old\n+++ new\n" + tt.want
			}
			if got != want {
				t.Errorf("Diff =\n%s\nwant\n%s", got, want)
			}
			if err := checkPatch(tt.a, tt.b, got); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestDiffMatchesDiffU checks the table's hunks against GNU diff -u.
func TestDiffMatchesDiffU(t *testing.T) {
	diff := testtool.Require(t, "diff")
	for _, tt := range diffTests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff("old", "new", []byte(tt.a), []byte(tt.b))
			if want := runDiffU(t, diff, tt.a, tt.b); stripHeaders(got) != want {
				t.Errorf("Diff hunks =\n%s\ndiff -u hunks =\n%s", stripHeaders(got), want)
			}
		})
	}
}

// TestDiffIsShortest compares random texts over a small alphabet, where
// many shortest edit scripts exist: the number of changed lines must be the
// smallest possible (checked by dynamic programming and, where installed,
// against diff -u, which finds shortest scripts for small inputs), and the
// diff must patch a into b.
func TestDiffIsShortest(t *testing.T) {
	diff, err := exec.LookPath("diff")
	if err != nil && testtool.Required() {
		t.Fatal("diff is not installed")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		a, b := randomText(rng, rng.IntN(30)), randomText(rng, rng.IntN(30))
		if n%3 == 0 {
			b = mutate(rng, a)
		}
		got := Diff("old", "new", []byte(a), []byte(b))
		if err := checkPatch(a, b, got); err != nil {
			t.Fatalf("a=%q b=%q: %v", a, b, err)
		}
		del, ins := countChanges(got)
		lcs := lcsLen(splitLinesTest(a), splitLinesTest(b))
		if del != len(splitLinesTest(a))-lcs || ins != len(splitLinesTest(b))-lcs {
			t.Fatalf("a=%q b=%q: %d deleted and %d inserted lines, shortest has %d and %d",
				a, b, del, ins, len(splitLinesTest(a))-lcs, len(splitLinesTest(b))-lcs)
		}
		if diff != "" {
			d2, i2 := countChanges(runDiffU(t, diff, a, b))
			if del != d2 || ins != i2 {
				t.Fatalf("a=%q b=%q: -%d +%d lines, diff -u has -%d +%d", a, b, del, ins, d2, i2)
			}
		}
	}
}

// TestDiffGivesUpCorrectly forces the cost limit of the search so low that
// the heuristic split is taken: the script may be longer, but must still
// patch a into b.
func TestDiffGivesUpCorrectly(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		a, b := randomText(rng, rng.IntN(60)), randomText(rng, rng.IntN(60))
		al, bl := splitLines([]byte(a)), splitLines([]byte(b))
		delA, insB := diffLinesLimit(al, bl, 1+rng.IntN(3))
		if err := checkFlags(al, bl, delA, insB); err != nil {
			t.Fatalf("a=%q b=%q: %v", a, b, err)
		}
	}
}

// TestDiffLarge checks that two large, entirely different texts are diffed
// quickly and correctly.
func TestDiffLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	var a, b strings.Builder
	for i := range 50000 {
		fmt.Fprintf(&a, "строка %d\n", i)
		fmt.Fprintf(&b, "行 %d\n", i)
	}
	// Keep some common lines, so the search has work to do.
	for i := 0; i < 50000; i += 7 {
		fmt.Fprintf(&a, "common %d\n", i)
		fmt.Fprintf(&b, "common %d\n", i)
	}
	got := Diff("old", "new", []byte(a.String()), []byte(b.String()))
	if err := checkPatch(a.String(), b.String(), got); err != nil {
		t.Fatal(err)
	}
}

func randomText(rng *rand.Rand, lines int) string {
	words := []string{"a", "b", "c", "阿", "д", ""}
	var sb strings.Builder
	for range lines {
		sb.WriteString(words[rng.IntN(len(words))] + "\n")
	}
	return sb.String()
}

// mutate makes a few random line edits to s.
func mutate(rng *rand.Rand, s string) string {
	lines := splitLinesTest(s)
	for range rng.IntN(4) + 1 {
		switch i := rng.IntN(len(lines) + 1); {
		case rng.IntN(2) == 0 || i == len(lines):
			lines = append(lines[:i], append([]string{"new\n"}, lines[i:]...)...)
		default:
			lines = append(lines[:i], lines[i+1:]...)
		}
	}
	return strings.Join(lines, "")
}

// runDiffU runs diff -u on a and b and returns its hunks (without headers).
func runDiffU(t *testing.T, diff, a, b string) string {
	t.Helper()
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(pa, []byte(a), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pb, []byte(b), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(diff, "-u", pa, pb).Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("diff -u: %v", err)
	}
	return stripHeaders(string(out))
}

// stripHeaders removes the "---" and "+++" lines of a unified diff.
func stripHeaders(d string) string {
	for range 2 {
		if strings.HasPrefix(d, "--- ") || strings.HasPrefix(d, "+++ ") {
			_, d, _ = strings.Cut(d, "\n")
		}
	}
	return d
}

// countChanges counts the deleted and inserted lines of a unified diff.
func countChanges(d string) (del, ins int) {
	for _, l := range strings.Split(stripHeaders(d), "\n") {
		switch {
		case strings.HasPrefix(l, "-"):
			del++
		case strings.HasPrefix(l, "+"):
			ins++
		}
	}
	return del, ins
}

// splitLinesTest splits s after each LF, independently of the code under test.
func splitLinesTest(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// lcsLen is the length of a longest common subsequence of a and b.
func lcsLen(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkFlags checks that deleting the flagged lines of a and the flagged
// lines of b leaves the same lines.
func checkFlags(a, b []string, delA, insB []bool) error {
	var ka, kb []string
	for i, l := range a {
		if !delA[i] {
			ka = append(ka, l)
		}
	}
	for j, l := range b {
		if !insB[j] {
			kb = append(kb, l)
		}
	}
	if strings.Join(ka, "") != strings.Join(kb, "") || len(ka) != len(kb) {
		return fmt.Errorf("kept lines differ: %q and %q", ka, kb)
	}
	return nil
}

// checkPatch applies the unified diff d to a and checks that it gives b,
// that every hunk header is right, and that context lines match a.
func checkPatch(a, b, d string) error {
	if (a == b) != (d == "") {
		return fmt.Errorf("a == b is %v but diff is %q", a == b, d)
	}
	if d == "" {
		return nil
	}
	if !strings.HasPrefix(d, "--- old\n+++ new\n") {
		return fmt.Errorf("bad headers in %q", d)
	}
	old := splitLinesTest(a)
	var out []string
	pos := 0           // next line of old
	var last *[]string // the list the previous diff line went to, for "\ No newline"
	var lastOld bool
	lines := splitLinesTest(stripHeaders(d))
	for k := 0; k < len(lines); {
		var as, an, bs, bn int
		h := lines[k]
		if _, err := fmt.Sscanf(normRange(h), "@@ -%d,%d +%d,%d @@\n", &as, &an, &bs, &bn); err != nil {
			return fmt.Errorf("bad hunk header %q: %v", h, err)
		}
		k++
		start := as - 1
		if an == 0 {
			start = as
		}
		if start < pos || start > len(old) {
			return fmt.Errorf("hunk %q out of order", h)
		}
		out = append(out, old[pos:start]...)
		pos = start
		newStart := len(out)
		if (bn == 0 && bs != newStart) || (bn > 0 && bs-1 != newStart) {
			return fmt.Errorf("hunk %q: new text starts at line %d", h, newStart+1)
		}
		seenOld, seenNew := 0, 0
		for ; k < len(lines) && !strings.HasPrefix(lines[k], "@@"); k++ {
			l := lines[k]
			if l == "\\ No newline at end of file\n" {
				if last == nil {
					return fmt.Errorf("marker without a line")
				}
				if lastOld {
					if !strings.HasSuffix(old[pos-1], "\n") {
						continue
					}
					return fmt.Errorf("marker on old line %d, which ends in a newline", pos)
				}
				(*last)[len(*last)-1] = strings.TrimSuffix((*last)[len(*last)-1], "\n")
				continue
			}
			text := l[1:]
			switch l[0] {
			case ' ', '-':
				if pos >= len(old) || strings.TrimSuffix(old[pos], "\n") != strings.TrimSuffix(text, "\n") {
					return fmt.Errorf("line %q does not match old line %d", l, pos+1)
				}
				if l[0] == ' ' {
					out = append(out, old[pos])
					last, lastOld = &out, false
					seenNew++
				} else {
					last, lastOld = &old, true
				}
				pos++
				seenOld++
			case '+':
				out = append(out, text)
				last, lastOld = &out, false
				seenNew++
			default:
				return fmt.Errorf("bad diff line %q", l)
			}
		}
		if seenOld != an || seenNew != bn {
			return fmt.Errorf("hunk %q has %d old and %d new lines", h, seenOld, seenNew)
		}
	}
	out = append(out, old[pos:]...)
	if got := strings.Join(out, ""); got != b {
		return fmt.Errorf("patched text is %q, want %q", got, b)
	}
	return nil
}

// normRange rewrites the short forms "-5" and "+5" of a hunk header to
// "-5,1" and "+5,1".
func normRange(h string) string {
	f := strings.Fields(h)
	if len(f) != 4 {
		return h
	}
	for i := 1; i <= 2; i++ {
		if !strings.Contains(f[i], ",") {
			f[i] += ",1"
		}
	}
	return strings.Join(f, " ") + "\n"
}
