package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
)

// hostile is what an attacker would put in a ledger field, a commit
// message or a text: an escape sequence that clears the screen, a C1 CSI,
// DEL, a right-to-left override, a zero-width space, a tag character and a
// line break that forges a line of output.
const hostile = "a\x1b[2Jb\u009b31m\x7f \u202e1000\u202c\u200b\U000E0041\nforged"

// noRaw fails unless out holds none of the characters documents.Hidden
// names, but LF.
func noRaw(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if r != '\n' && documents.Hidden(r) {
			t.Errorf("%s prints %U raw:\n%q", what, r, out)
		}
	}
}

// JSON output decodes to the exact text, yet holds no character a
// terminal would act on.
func TestJSONOutputIsInertAndExact(t *testing.T) {
	type rec struct {
		Text string `json:"text"`
		More string `json:"more"`
	}
	in := rec{Text: hostile, More: "中文 Қазақ \U00020000"}
	var out bytes.Buffer
	s := &IO{Out: &out}
	if err := printJSON(s, in); err != nil {
		t.Fatal(err)
	}
	noRaw(t, "printJSON", out.String())
	for _, want := range []string{`\u001b[2J`, `\u009b31m`, `\u007f`, `\u202e1000\u202c\u200b`, `\udb40\udc41`, `\nforged`, "中文 Қазақ \U00020000"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printJSON lacks %q:\n%s", want, out.String())
		}
	}
	var back rec
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || back != in {
		t.Errorf("decodes to %+v, %v; want %+v", back, err, in)
	}

	out.Reset()
	if err := writeJSONLines(&out, []rec{in, in}); err != nil {
		t.Fatal(err)
	}
	noRaw(t, "writeJSONLines", out.String())
	dec := json.NewDecoder(&out)
	for i := 0; i < 2; i++ {
		if err := dec.Decode(&back); err != nil || back != in {
			t.Errorf("line %d decodes to %+v, %v", i, back, err)
		}
	}
}

// status prints titles, names and times as the ledger holds them only
// after documents.Inert: one line each, nothing a terminal acts on.
func TestStatusIsInert(t *testing.T) {
	st := &ledger.DocumentStatus{Document: "pact", Title: hostile, RuleText: "all 1 signatory",
		Versions: []ledger.VersionStatus{{Version: 1, Entry: 3, Signers: []ledger.SignerState{
			{Signatory: "xjtu", Name: hostile, State: "approved", Entry: 4, Time: hostile}}}}}
	var out bytes.Buffer
	printStatus(&IO{Out: &out}, st)
	got := out.String()
	noRaw(t, "status", got)
	if strings.Count(got, "\n") != 5 || strings.Contains(got, "\nforged") {
		t.Errorf("a field broke its line:\n%s", got)
	}
	want := "a<U+001B>[2Jb<U+009B>31m<U+007F> <U+202E>1000<U+202C><U+200B><U+E0041><U+000A>forged"
	if strings.Count(got, want) != 3 {
		t.Errorf("status does not show title, name and time as %q:\n%s", want, got)
	}
}

// An error may quote what a ledger or a remote holds; it is printed inert
// and on one line.
func TestReportErrorIsInert(t *testing.T) {
	var out bytes.Buffer
	reportError(&out, &hintedError{msg: "bad " + hostile, hint: "see " + hostile})
	got := out.String()
	noRaw(t, "reportError", got)
	if !strings.HasPrefix(got, "concord: bad a<U+001B>[2J") || strings.Count(got, "\n") != 2 {
		t.Errorf("reportError printed:\n%s", got)
	}
	out.Reset()
	reportError(&out, errors.New("x\u202ey"))
	if got := out.String(); got != "concord: x<U+202E>y\n" {
		t.Errorf("reportError printed %q", got)
	}
}
