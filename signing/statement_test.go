package signing

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/concord-ledger/concord/internal/testtool"
)

// The statement of sgStatement, written out by hand from docs/FORMAT.md
// (the hashes are sha256sum of "en", "kk", "ru" and "zh").
const sgStatementText = "concord statement v1\n" +
	"ledger abababababababababababababababababababababababababababababababab\n" +
	"document almaty-consensus\n" +
	"version 3\n" +
	"text en dbd3a49d0d906b4ed9216b73330d2fb080ef2f758c12f3885068222e5e17151c\n" +
	"text kk ad370ed99b189921e7fe26057c40aab9f4fee8385e47606f50f348b9a5530af0\n" +
	"text ru ed5ad332c106043712705210b4f3d1179e49c5cf426520c74cb8ec48b22b1961\n" +
	"text zh 60cae1d01739facc4543771db2e8fbc4d1ebe5fc66284a5b8b4bd1ed585f452e\n" +
	"signatory kaznu-rector\n" +
	"decision approve\n" +
	"time 2026-11-24T10:00:00Z\n"

func TestStatementRoundTrip(t *testing.T) {
	s, err := ParseStatement([]byte(sgStatementText))
	if err != nil {
		t.Fatal(err)
	}
	if want := sgStatement(); !reflect.DeepEqual(s, want) {
		t.Errorf("ParseStatement =\n%+v\nwant\n%+v", s, want)
	}
	if s.Time.Location() != time.UTC {
		t.Errorf("parsed time in %v, want UTC", s.Time.Location())
	}
	out, err := s.Format()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != sgStatementText {
		t.Errorf("Format =\n%s\nwant\n%s", out, sgStatementText)
	}

	b, err := sgStatement().Format()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != sgStatementText {
		t.Errorf("Format of sgStatement =\n%s\nwant\n%s", b, sgStatementText)
	}

	// Withdraw, one language, version 999999, a subtag.
	w := sgStatement()
	w.Decision, w.Version, w.Texts = Withdraw, MaxVersion, []TextHash{{Lang: "zh-hans"}}
	b, err = w.Format()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ParseStatement(b); err != nil || !reflect.DeepEqual(got, w) {
		t.Errorf("round trip of %s: %+v, %v", b, got, err)
	}
}

func TestStatementFormatTime(t *testing.T) {
	almaty := time.FixedZone("Asia/Almaty", 5*3600)
	tests := []struct {
		name string
		time time.Time
		want string // "" means refused
	}{
		{"utc", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), "2026-11-24T10:00:00Z"},
		{"other zone written in UTC", time.Date(2026, 11, 24, 15, 0, 0, 0, almaty), "2026-11-24T10:00:00Z"},
		{"local", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC).Local(), "2026-11-24T10:00:00Z"},
		{"sub-second", time.Date(2026, 11, 24, 10, 0, 0, 1, time.UTC), ""},
		{"millisecond", time.Date(2026, 11, 24, 10, 0, 0, 5e8, time.UTC), ""},
		{"zero", time.Time{}, ""},
		{"before 1970", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), ""},
		{"1970", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), "1970-01-01T00:00:00Z"},
		{"9999", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), "9999-12-31T23:59:59Z"},
		{"10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sgStatement()
			s.Time = tt.time
			b, err := s.Format()
			if tt.want == "" {
				var se *StatementError
				if !errors.As(err, &se) || se.Field != "time" || se.Line != 0 {
					t.Fatalf("Format = %q, %v; want *StatementError for time", b, err)
				}
				if se.InvalidEvidence() {
					t.Error("a Format error is not evidence")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(b, []byte("\ntime "+tt.want+"\n")) {
				t.Errorf("Format wrote\n%s\nwant time %s", b, tt.want)
			}
		})
	}
}

func TestStatementFormatErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Statement)
		field string
	}{
		{"ledger short", func(s *Statement) { s.Ledger = s.Ledger[:63] }, "ledger"},
		{"ledger uppercase", func(s *Statement) { s.Ledger = strings.ToUpper(s.Ledger) }, "ledger"},
		{"ledger empty", func(s *Statement) { s.Ledger = "" }, "ledger"},
		{"document empty", func(s *Statement) { s.Document = "" }, "document"},
		{"document with space", func(s *Statement) { s.Document = "a b" }, "document"},
		{"document uppercase", func(s *Statement) { s.Document = "Almaty" }, "document"},
		{"version 0", func(s *Statement) { s.Version = 0 }, "version"},
		{"version negative", func(s *Statement) { s.Version = -1 }, "version"},
		{"version too big", func(s *Statement) { s.Version = MaxVersion + 1 }, "version"},
		{"no texts", func(s *Statement) { s.Texts = nil }, "text"},
		{"too many texts", func(s *Statement) {
			s.Texts = nil
			for i := range MaxTexts + 1 {
				s.Texts = append(s.Texts, TextHash{Lang: string([]byte{'a', byte('a' + i/26), byte('a' + i%26)})})
			}
		}, "text"},
		{"unsorted texts", func(s *Statement) { s.Texts[0], s.Texts[1] = s.Texts[1], s.Texts[0] }, "text"},
		{"duplicate lang", func(s *Statement) { s.Texts[1].Lang = s.Texts[0].Lang }, "text"},
		{"bad lang", func(s *Statement) { s.Texts[0].Lang = "EN" }, "text"},
		{"signatory empty", func(s *Statement) { s.Signatory = "" }, "signatory"},
		{"signatory with newline", func(s *Statement) { s.Signatory = "a\nb" }, "signatory"},
		{"decision empty", func(s *Statement) { s.Decision = "" }, "decision"},
		{"decision unknown", func(s *Statement) { s.Decision = "reject" }, "decision"},
		{"decision uppercase", func(s *Statement) { s.Decision = "Approve" }, "decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sgStatement()
			tt.edit(s)
			b, err := s.Format()
			var se *StatementError
			if !errors.As(err, &se) {
				t.Fatalf("Format = %q, %v; want *StatementError", b, err)
			}
			if se.Field != tt.field || se.What != "statement" || se.Line != 0 {
				t.Errorf("error %+v, want field %q", se, tt.field)
			}
		})
	}
	// The many-texts case is rejected for its number, not a bad tag.
	s := sgStatement()
	s.Texts = nil
	for i := range MaxTexts {
		s.Texts = append(s.Texts, TextHash{Lang: string([]byte{'a', byte('a' + i/26), byte('a' + i%26)})})
	}
	if b, err := s.Format(); err != nil {
		t.Errorf("MaxTexts texts refused: %v", err)
	} else if _, err := ParseStatement(b); err != nil {
		t.Errorf("MaxTexts texts not parsed: %v", err)
	}
}

// TestParseStatementMalformed derives malformed variants of a valid statement;
// each must be refused with a *StatementError naming a line.
func TestParseStatementMalformed(t *testing.T) {
	valid := sgStatementText
	rep := func(old, new string) string {
		if !strings.Contains(valid, old) {
			t.Fatalf("test premise: %q not in statement", old)
		}
		return strings.Replace(valid, old, new, 1)
	}
	hashEN := "dbd3a49d0d906b4ed9216b73330d2fb080ef2f758c12f3885068222e5e17151c"
	// Unsorted: the en and kk lines swapped.
	lines := strings.SplitAfter(valid, "\n")
	lines[4], lines[5] = lines[5], lines[4]
	unsorted := strings.Join(lines, "")
	// MaxTexts+1 text lines, otherwise valid.
	var many strings.Builder
	many.WriteString(strings.Join(lines[:4], ""))
	for i := range MaxTexts + 1 {
		many.WriteString("text " + string([]byte{'a', byte('a' + i/26), byte('a' + i%26)}) + " " + hashEN + "\n")
	}
	many.WriteString(strings.Join(lines[8:], ""))
	tests := []struct {
		name  string
		input string
		line  int    // expected line of the error
		field string // expected field
	}{
		{"empty", "", 1, ""},
		{"unsorted languages", unsorted, 6, "text"},
		{"duplicate language", rep("text kk", "text en"), 6, "text"},
		{"uppercase hex in text", rep(hashEN, strings.ToUpper(hashEN)), 5, "text"},
		{"short hex in text", rep(hashEN, hashEN[:63]), 5, "text"},
		{"long hex in text", rep(hashEN, hashEN+"0"), 5, "text"},
		{"uppercase lang", rep("text en", "text EN"), 5, "text"},
		{"lang too long", rep("text en", "text engl"), 5, "text"},
		{"text without hash", rep("text en "+hashEN, "text en"), 5, "text"},
		{"text with two spaces", rep("text en ", "text en  "), 5, "text"},
		{"too many texts", many.String(), 5 + MaxTexts, "text"},
		{"no texts", strings.Join(slicesDelete(strings.SplitAfter(valid, "\n"), 4, 8), ""), 5, "text"},
		{"uppercase hex in ledger", rep("ledger abab", "ledger ABAB"), 2, "ledger"},
		{"leading zero version", rep("version 3", "version 03"), 4, "version"},
		{"plus version", rep("version 3", "version +3"), 4, "version"},
		{"version 0", rep("version 3", "version 0"), 4, "version"},
		{"version too big", rep("version 3", "version 1000000"), 4, "version"},
		{"version hex", rep("version 3", "version 0x3"), 4, "version"},
		{"missing final LF", strings.TrimSuffix(valid, "\n"), 11, ""},
		{"extra final LF", valid + "\n", 12, ""},
		{"extra line", valid + "comment hello\n", 12, ""},
		{"extra field before time", rep("time ", "note x\ntime "), 11, "time"},
		{"CRLF", strings.ReplaceAll(valid, "\n", "\r\n"), 1, ""},
		{"CR on one line", rep("decision approve\n", "decision approve\r\n"), 10, ""},
		{"non-UTC time", rep("10:00:00Z", "15:00:00+05:00"), 11, "time"},
		{"time with -00:00", rep("10:00:00Z", "10:00:00-00:00"), 11, "time"},
		{"sub-second time", rep("10:00:00Z", "10:00:00.000Z"), 11, "time"},
		{"lowercase z", rep("10:00:00Z", "10:00:00z"), 11, "time"},
		{"space separated time", rep("2026-11-24T10", "2026-11-24 10"), 11, "time"},
		{"time without seconds", rep("10:00:00Z", "10:00Z"), 11, "time"},
		{"impossible date", rep("2026-11-24", "2026-02-30"), 11, "time"},
		{"leap second", rep("10:00:00Z", "23:59:60Z"), 11, "time"},
		{"time before 1970", rep("2026-11-24", "1969-11-24"), 11, "time"},
		{"BOM", "\ufeff" + valid, 1, ""},
		{"non-ASCII", rep("almaty-consensus", "almaty-cönsensus"), 3, ""},
		{"NUL", rep("kaznu", "ka\x00nu"), 9, ""},
		{"tab", rep("decision approve", "decision\tapprove"), 10, ""},
		{"unknown decision", rep("decision approve", "decision reject"), 10, "decision"},
		{"uppercase decision", rep("decision approve", "decision Approve"), 10, "decision"},
		{"trailing space", rep("decision approve", "decision approve "), 10, "decision"},
		{"double space", rep("signatory kaznu", "signatory  kaznu"), 9, "signatory"},
		{"empty document", rep("document almaty-consensus", "document "), 3, "document"},
		{"fields swapped", rep("document almaty-consensus\nversion 3", "version 3\ndocument almaty-consensus"), 3, "document"},
		{"missing signatory", rep("signatory kaznu-rector\n", ""), 9, "signatory"},
		{"missing time", rep("time 2026-11-24T10:00:00Z\n", ""), 11, "time"},
		{"version 2 header", rep("statement v1", "statement v2"), 1, ""},
		{"roster approval header", rep("concord statement v1", "concord roster-approval v1"), 1, ""},
		{"header with trailing space", rep("statement v1", "statement v1 "), 1, ""},
		{"leading blank line", "\n" + valid, 1, ""},
		{"roster approval", sgApprovalText, 1, ""},
		{"too large", valid + strings.Repeat("x", MaxStatementSize), 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseStatement([]byte(tt.input))
			if err == nil {
				t.Fatalf("ParseStatement accepted it: %+v", s)
			}
			var se *StatementError
			if !errors.As(err, &se) {
				t.Fatalf("error %T (%v), want *StatementError", err, err)
			}
			if se.Line != tt.line || se.Field != tt.field || se.What != "statement" {
				t.Errorf("error %q: line %d field %q, want line %d field %q", err, se.Line, se.Field, tt.line, tt.field)
			}
			if !se.InvalidEvidence() {
				t.Error("a parse error must be invalid evidence")
			}
		})
	}
}

func slicesDelete(s []string, i, j int) []string {
	return append(append([]string{}, s[:i]...), s[j:]...)
}

const sgApprovalText = "concord roster-approval v1\n" +
	"ledger abababababababababababababababababababababababababababababababab\n" +
	"change add-xjtu-president\n" +
	"change-sha256 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n" +
	"steward kaznu-rector\n" +
	"time 2026-11-24T10:00:00Z\n"

func TestRosterApproval(t *testing.T) {
	a, err := ParseRosterApproval([]byte(sgApprovalText))
	if err != nil {
		t.Fatal(err)
	}
	want := &RosterApproval{
		Ledger:  strings.Repeat("ab", 32),
		Change:  "add-xjtu-president",
		Steward: "kaznu-rector",
		Time:    time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
	}
	for i := range want.ChangeHash {
		want.ChangeHash[i] = byte(i%16) * 0x11
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("ParseRosterApproval =\n%+v\nwant\n%+v", a, want)
	}
	b, err := want.Format()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != sgApprovalText {
		t.Errorf("Format =\n%s\nwant\n%s", b, sgApprovalText)
	}

	formatErrs := []struct {
		name  string
		edit  func(*RosterApproval)
		field string
	}{
		{"ledger", func(a *RosterApproval) { a.Ledger = "x" }, "ledger"},
		{"change", func(a *RosterApproval) { a.Change = "-x" }, "change"},
		{"steward", func(a *RosterApproval) { a.Steward = "" }, "steward"},
		{"time zero", func(a *RosterApproval) { a.Time = time.Time{} }, "time"},
		{"time sub-second", func(a *RosterApproval) { a.Time = a.Time.Add(time.Millisecond) }, "time"},
	}
	for _, tt := range formatErrs {
		t.Run("format "+tt.name, func(t *testing.T) {
			a := *want
			tt.edit(&a)
			_, err := a.Format()
			var se *StatementError
			if !errors.As(err, &se) || se.Field != tt.field || se.What != "roster approval" {
				t.Errorf("Format: %v, want error in %q", err, tt.field)
			}
		})
	}

	rep := func(old, new string) string {
		if !strings.Contains(sgApprovalText, old) {
			t.Fatalf("test premise: %q not in approval", old)
		}
		return strings.Replace(sgApprovalText, old, new, 1)
	}
	parseErrs := []struct {
		name  string
		input string
		line  int
		field string
	}{
		{"statement", sgStatementText, 1, ""},
		{"uppercase change hash", rep("aabbccddeeff0011", "AABBCCDDEEFF0011"), 4, "change-sha256"},
		{"short change hash", rep("ccddeeff\n", "ccddeef\n"), 4, "change-sha256"},
		{"bad change id", rep("change add", "change Add"), 3, "change"},
		{"missing change", rep("change add-xjtu-president\n", ""), 3, "change"},
		{"missing final LF", strings.TrimSuffix(sgApprovalText, "\n"), 6, ""},
		{"extra line", sgApprovalText + "x\n", 7, ""},
		{"CRLF", strings.ReplaceAll(sgApprovalText, "\n", "\r\n"), 1, ""},
		{"non-UTC time", rep("10:00:00Z", "10:00:00+00:00"), 6, "time"},
		{"BOM", "\ufeff" + sgApprovalText, 1, ""},
	}
	for _, tt := range parseErrs {
		t.Run("parse "+tt.name, func(t *testing.T) {
			a, err := ParseRosterApproval([]byte(tt.input))
			var se *StatementError
			if !errors.As(err, &se) {
				t.Fatalf("ParseRosterApproval = %+v, %v; want *StatementError", a, err)
			}
			if se.Line != tt.line || se.Field != tt.field || se.What != "roster approval" {
				t.Errorf("error %q: line %d field %q, want line %d field %q", err, se.Line, se.Field, tt.line, tt.field)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"a", true},
		{"0", true},
		{"almaty-consensus", true},
		{"kaznu-rector-2", true},
		{"a-", true},
		{"a--b", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"-a", false},
		{"A", false},
		{"a_b", false},
		{"a.b", false},
		{"a b", false},
		{"é", false},
		{"a/b", false},
		{"..", false},
	}
	for _, tt := range tests {
		if got := ValidID(tt.id); got != tt.want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestValidLang(t *testing.T) {
	tests := []struct {
		tag  string
		want bool
	}{
		{"zh", true},
		{"kk", true},
		{"eng", true},
		{"zh-hans", true},
		{"zh-cn", true},
		{"es-419", true},
		{"sr-12345678", true},
		{"sr-123456789", false},
		{"zh-h", false},
		{"z", false},
		{"engl", false},
		{"EN", false},
		{"zh-Hans", false},
		{"zh_hans", false},
		{"zh-", false},
		{"zh-hans-cn", false},
		{"-zh", false},
		{"", false},
		{"z1", false},
	}
	for _, tt := range tests {
		if got := ValidLang(tt.tag); got != tt.want {
			t.Errorf("ValidLang(%q) = %v, want %v", tt.tag, got, tt.want)
		}
	}
}

func TestValidLedgerID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{strings.Repeat("0", 64), true},
		{strings.Repeat("f", 64), true},
		{strings.Repeat("F", 64), false},
		{strings.Repeat("g", 64), false},
		{strings.Repeat("0", 63), false},
		{strings.Repeat("0", 65), false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidLedgerID(tt.id); got != tt.want {
			t.Errorf("ValidLedgerID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

// TestFormatDocExamples checks that the examples in docs/FORMAT.md are the
// ones the tests use, and parse.
func TestFormatDocExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testtool.RepoRoot(t), "docs", "FORMAT.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(doc), "```\n")
	found := map[string]bool{}
	for i := 1; i < len(blocks); i += 2 {
		b := blocks[i]
		switch {
		case strings.HasPrefix(b, StatementHeader+"\n"):
			if b != sgStatementText {
				t.Errorf("FORMAT.md statement example:\n%s\nwant\n%s", b, sgStatementText)
			}
			if _, err := ParseStatement([]byte(b)); err != nil {
				t.Error(err)
			}
			found["statement"] = true
		case strings.HasPrefix(b, RosterApprovalHeader+"\n"):
			if b != sgApprovalText {
				t.Errorf("FORMAT.md roster approval example:\n%s\nwant\n%s", b, sgApprovalText)
			}
			found["approval"] = true
		case strings.HasPrefix(b, "kaznu-rector namespaces="):
			want := AllowedSigners([]AllowedSigner{{"kaznu-rector", sgSigner(t, 7).PublicKey(), []string{GitNamespace, Namespace}}})
			if b != string(want) {
				t.Errorf("FORMAT.md allowed_signers example:\n%s\nwant\n%s", b, want)
			}
			found["allowed_signers"] = true
		}
	}
	if len(found) != 3 {
		t.Errorf("examples found in FORMAT.md: %v, want statement, approval and allowed_signers", found)
	}
}
