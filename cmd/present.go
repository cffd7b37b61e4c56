package cmd

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"unicode"
)

// visible returns s with every character a terminal would not show, or
// would use to reorder what it shows, written as <U+XXXX>: control
// characters other than tab and LF, bidirectional controls and other
// format characters (but ZWNJ and ZWJ, which spell words), U+2028, U+2029
// and unassigned code points; and how many it replaced. What a signer
// reads is then the text's byte order, whatever their terminal does.
func visible(s string) (string, int) {
	n := 0
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			fmt.Fprintf(&b, "<U+%04X>", r)
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), n
}

func hidden(r rune) bool {
	switch {
	case r == '\n' || r == '\t' || r == 0x200C || r == 0x200D:
		return false
	case r == 0xFFFD:
		return false
	case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), r == 0x2028, r == 0x2029:
		return true
	case !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Co):
		return true
	}
	return false
}

// vis is visible without the count, for one-line fields.
func vis(s string) string { v, _ := visible(s); return v }

// useColour says whether output to the message stream may be coloured: on
// a terminal, unless $NO_COLOR is set (https://no-color.org) or $TERM is
// "dumb".
func useColour(s *IO) bool {
	return s.ErrTerminal && s.Getenv("NO_COLOR") == "" && s.Getenv("TERM") != "dumb"
}

// colourDiff colours a unified diff's lines: removed red, added green,
// hunk headers cyan.
func colourDiff(d string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(d, "\n") {
		switch {
		case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
			b.WriteString("\x1b[1m" + strings.TrimSuffix(line, "\n") + "\x1b[0m")
		case strings.HasPrefix(line, "-"):
			b.WriteString("\x1b[31m" + strings.TrimSuffix(line, "\n") + "\x1b[0m")
		case strings.HasPrefix(line, "+"):
			b.WriteString("\x1b[32m" + strings.TrimSuffix(line, "\n") + "\x1b[0m")
		case strings.HasPrefix(line, "@@"):
			b.WriteString("\x1b[36m" + strings.TrimSuffix(line, "\n") + "\x1b[0m")
		default:
			b.WriteString(line)
			continue
		}
		if strings.HasSuffix(line, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
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
