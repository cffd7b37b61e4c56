package cmd

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// hiddenWarning is the warning printed below a view that wrote n
// characters of what as <U+XXXX> (documents.InertText).
func hiddenWarning(what string, n int) string {
	return fmt.Sprintf("warning: %s holds %s shown as <U+XXXX>: a program that shows them raw may show it other than as signed", what, plural(n, "invisible or bidirectional character"))
}

// warnHidden prints hiddenWarning to the message stream when n > 0.
func warnHidden(s *IO, what string, n int) {
	if n > 0 {
		fmt.Fprintln(s.Err, hiddenWarning(what, n))
	}
}

// useColour says whether output to the message stream may be coloured: on
// a terminal, unless $NO_COLOR is set (https://no-color.org) or $TERM is
// "dumb".
func useColour(s *IO) bool {
	return s.ErrTerminal && s.Getenv("NO_COLOR") == "" && s.Getenv("TERM") != "dumb"
}

// colourDiff colours a unified diff's lines: removed red, added green,
// hunk headers cyan. Where a run of removed lines is followed by as many
// added lines, each pair's differing middle (what is left after their
// common beginning and end) is also shown in reverse video, so that a
// one-character change in a long line stands out.
func colourDiff(d string) string {
	lines := strings.SplitAfter(d, "\n")
	marks := make([][2]int, len(lines)) // rune range to highlight, per line; {0,0} for none
	for i := 0; i < len(lines); {
		if !isChange(lines[i], '-') {
			i++
			continue
		}
		del := i
		for i < len(lines) && isChange(lines[i], '-') {
			i++
		}
		ins := i
		for i < len(lines) && isChange(lines[i], '+') {
			i++
		}
		if i-ins != ins-del {
			continue
		}
		for k := 0; k < ins-del; k++ {
			a, b := marks[del+k], marks[ins+k]
			a[0], a[1], b[0], b[1] = changedMiddle(lines[del+k], lines[ins+k])
			marks[del+k], marks[ins+k] = a, b
		}
	}
	var b strings.Builder
	for n, line := range lines {
		body, nl := strings.CutSuffix(line, "\n")
		var colour string
		switch {
		case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
			colour = "\x1b[1m"
		case strings.HasPrefix(line, "-"):
			colour = "\x1b[31m"
		case strings.HasPrefix(line, "+"):
			colour = "\x1b[32m"
		case strings.HasPrefix(line, "@@"):
			colour = "\x1b[36m"
		default:
			b.WriteString(line)
			continue
		}
		if m := marks[n]; m[1] > m[0] {
			r := []rune(body)
			body = string(r[:m[0]]) + "\x1b[7m" + string(r[m[0]:m[1]]) + "\x1b[27m" + string(r[m[1]:])
		}
		b.WriteString(colour + body + "\x1b[0m")
		if nl {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// isChange reports whether line is a removed ('-') or added ('+') line of
// a unified diff, not a file header.
func isChange(line string, sign byte) bool {
	return len(line) > 0 && line[0] == sign && !strings.HasPrefix(line, string([]byte{sign, sign, sign}))
}

// changedMiddle returns, in runes of each line (sign included), the range
// that differs between a removed and an added line: what is left after
// their common beginning and common end.
func changedMiddle(del, ins string) (d0, d1, i0, i1 int) {
	a := []rune(strings.TrimSuffix(del, "\n"))[1:]
	c := []rune(strings.TrimSuffix(ins, "\n"))[1:]
	p := 0
	for p < len(a) && p < len(c) && a[p] == c[p] {
		p++
	}
	q := 0
	for q < len(a)-p && q < len(c)-p && a[len(a)-1-q] == c[len(c)-1-q] {
		q++
	}
	return 1 + p, 1 + len(a) - q, 1 + p, 1 + len(c) - q
}

// page shows text to the user: through their pager when both streams are
// terminals (IO.Pager: $PAGER, else less when it is installed; with $LESS
// unset, less runs as -FRX so a short text is simply printed), else written
// to the message stream.
func page(s *IO, text []byte) error {
	if !s.InTerminal || !s.ErrTerminal || s.Pager == nil {
		_, err := s.Err.Write(text)
		return err
	}
	return s.Pager(text)
}

// systemPager runs $PAGER (or less) on text, its output on the terminal.
func systemPager(getenv func(string) string) func([]byte) error {
	return func(text []byte) error {
		spec := getenv("PAGER")
		if spec == "" {
			if _, err := exec.LookPath("less"); err != nil {
				_, err := os.Stderr.Write(text)
				return err
			}
			spec = "less"
		}
		// As git does: the pager is a shell command line.
		args := []string{"sh", "-c", spec}
		if runtime.GOOS == "windows" {
			args = strings.Fields(spec)
		}
		c := exec.Command(args[0], args[1:]...)
		c.Stdin = bytes.NewReader(text)
		c.Stdout, c.Stderr = os.Stderr, os.Stderr
		c.Env = os.Environ()
		if getenv("LESS") == "" {
			c.Env = append(c.Env, "LESS=FRX")
		}
		if err := c.Run(); err != nil {
			return fmt.Errorf("showing the text with %q: %w (set $PAGER to another pager, or PAGER=cat)", spec, err)
		}
		return nil
	}
}
