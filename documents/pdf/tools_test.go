package pdf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/concord-ledger/concord/internal/testtool"
)

// These tests read the demo PDF back with standard tools (poppler-utils,
// qpdf, zbar-tools): they skip when a tool is missing, and fail instead
// when CONCORD_REQUIRE_TOOLS=1.

var (
	demoFileOnce sync.Once
	demoFile     string
	demoFileErr  error
)

// demoPDFFile writes the demo PDF to a file shared by the tests.
func demoPDFFile(t *testing.T) string {
	t.Helper()
	demoFileOnce.Do(func() {
		var dir string
		if dir, demoFileErr = os.MkdirTemp("", "concord-pdf-test-"); demoFileErr != nil {
			return
		}
		out, err := Render(demoInput(t))
		if err != nil {
			demoFileErr = err
			return
		}
		demoFile = filepath.Join(dir, "demo.pdf")
		demoFileErr = os.WriteFile(demoFile, out, 0o644)
	})
	if demoFileErr != nil {
		t.Fatal(demoFileErr)
	}
	return demoFile
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demoFile != "" {
		os.RemoveAll(filepath.Dir(demoFile))
	}
	os.Exit(code)
}

func run(t *testing.T, tool string, args ...string) string {
	t.Helper()
	path := testtool.Require(t, tool)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", tool, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String() + stderr.String()
}

// squash folds every run of white space into one space; for CJK text it
// removes white space altogether (line breaks fall between characters).
func squash(s string, cjk bool) string {
	if cjk {
		return strings.Join(strings.Fields(s), "")
	}
	return strings.Join(strings.Fields(s), " ")
}

func TestPDFTextGivesBackEveryLanguage(t *testing.T) {
	file := demoPDFFile(t)
	text := run(t, "pdftotext", "-enc", "UTF-8", file, "-")
	flat, flatCJK := squash(text, false), squash(text, true)
	phrases := []struct{ lang, phrase string }{
		{"zh", "西安交通大学和阿尔法拉比哈萨克国立大学担任永久联合主席单位。"},
		{"zh", "承办高校担任论坛主席，直至下一次会议。"},
		{"kk", "Бұл мәтін concord көрсетілімі үшін жазылған."},
		{"kk", "әл-Фараби атындағы Қазақ ұлттық университеті"},
		{"ru", "Принимающий университет председательствует в Форуме до его следующего заседания."},
		{"en", "The host university chairs the Forum until its next meeting."},
	}
	for _, p := range phrases {
		if !strings.Contains(flat, p.phrase) && !strings.Contains(flatCJK, squash(p.phrase, true)) {
			t.Errorf("pdftotext lacks the %s phrase %q", p.lang, p.phrase)
		}
	}
	// Every line of every text, markup removed, comes back.
	in := demoInput(t)
	for _, tx := range in.Texts {
		cjk := isCJKLang(tx.Lang)
		hay := flat
		if cjk {
			hay = flatCJK
		}
		for _, b := range parseMarkup(string(tx.Data)) {
			for _, line := range b.lines {
				if want := squash(line, cjk); want != "" && !strings.Contains(hay, want) {
					t.Errorf("text %s: pdftotext lacks the line %q", tx.Lang, line)
				}
			}
		}
	}
}

func TestPDFFontsAreEmbeddedSubsets(t *testing.T) {
	out := run(t, "pdffonts", demoPDFFile(t))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts lists no font:\n%s", out)
	}
	tagged := regexp.MustCompile(`^[A-Z]{6}\+(\S+)$`)
	seen := map[string]bool{}
	for _, line := range lines[2:] {
		f := strings.Fields(line)
		// name type... encoding emb sub uni object ID
		if len(f) < 7 {
			t.Fatalf("unexpected pdffonts line %q", line)
		}
		name, emb, sub := f[0], f[len(f)-5], f[len(f)-4]
		if emb != "yes" || sub != "yes" {
			t.Errorf("font %s: emb=%s sub=%s, want both yes", name, emb, sub)
		}
		m := tagged.FindStringSubmatch(name)
		if m == nil {
			t.Errorf("font %s has no subset tag", name)
			continue
		}
		seen[m[1]] = true
	}
	for _, want := range []string{"NotoSerif-Regular", "NotoSerif-Bold", "DejaVuSansMono", "WenQuanYiMicroHei"} {
		if !seen[want] {
			t.Errorf("pdffonts does not list %s", want)
		}
	}
}

func TestPDFDetachGivesBackTheEvidence(t *testing.T) {
	file := demoPDFFile(t)
	in := demoInput(t)
	list := run(t, "pdfdetach", "-list", file)
	var want strings.Builder
	fmt.Fprintf(&want, "%d embedded files\n", len(in.Evidence))
	for i, f := range in.Evidence {
		fmt.Fprintf(&want, "%d: %s\n", i+1, f.Name)
	}
	if list != want.String() {
		t.Errorf("pdfdetach -list:\n%s\nwant (in the order given):\n%s", list, want.String())
	}
	dir := t.TempDir()
	run(t, "pdfdetach", "-saveall", "-o", dir, file)
	for _, f := range in.Evidence {
		got, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("embedded file %s comes back different (%d bytes, want %d)", f.Name, len(got), len(f.Data))
		}
	}
}

func TestQPDFCheckFindsNoError(t *testing.T) {
	out := run(t, "qpdf", "--check", demoPDFFile(t))
	if !strings.Contains(out, "No syntax or stream encoding errors found") || strings.Contains(strings.ToLower(out), "warning") {
		t.Errorf("qpdf --check:\n%s", out)
	}
}

func TestPDFInfoDatesComeFromTheLedger(t *testing.T) {
	out := run(t, "pdfinfo", "-isodates", demoPDFFile(t))
	want := entryTime(21).Format("2006-01-02T15:04:05Z")
	for _, key := range []string{"CreationDate:", "ModDate:"} {
		if !regexp.MustCompile(`(?m)^` + key + `\s+` + regexp.QuoteMeta(want) + `$`).MatchString(out) {
			t.Errorf("pdfinfo: %s is not %s:\n%s", key, want, out)
		}
	}
}

func TestQRCodeDecodes(t *testing.T) {
	file := demoPDFFile(t)
	zbar := testtool.Require(t, "zbarimg")
	dir := t.TempDir()
	run(t, "pdftoppm", "-png", "-r", "150", file, filepath.Join(dir, "p"))
	pngs, err := filepath.Glob(filepath.Join(dir, "p-*.png"))
	if err != nil || len(pngs) == 0 {
		t.Fatalf("pdftoppm wrote no page: %v", err)
	}
	var found []string
	for _, p := range pngs {
		out, err := exec.Command(zbar, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", p).Output()
		if err != nil {
			continue // exit status 4: no code on this page
		}
		found = append(found, string(out))
	}
	want := qrPayload(demoInput(t))
	if len(found) != 1 || strings.TrimRight(found[0], "\n") != strings.TrimRight(want, "\n") {
		t.Fatalf("zbarimg decoded %q, want exactly one code holding %q", found, want)
	}
}

func TestEveryPageCarriesTheMarks(t *testing.T) {
	file := demoPDFFile(t)
	info := run(t, "pdfinfo", file)
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo gives no page count:\n%s", info)
	}
	var pages int
	fmt.Sscan(m[1], &pages)
	in := demoInput(t)
	for i := 1; i <= pages; i++ {
		text := squash(run(t, "pdftotext", "-enc", "UTF-8", "-f", fmt.Sprint(i), "-l", fmt.Sprint(i), file, "-"), false)
		for _, want := range []string{
			squash(demoNotice, false),
			fmt.Sprintf("Page %d of %d", i, pages),
			"almaty-consensus · version 2",
			"zh " + in.Texts[0].SHA256[:8],
			"en " + in.Texts[3].SHA256[:8],
		} {
			if !strings.Contains(text, want) {
				t.Errorf("page %d lacks %q", i, want)
			}
		}
	}
}

func TestNonDemoPDFHasNoDemoMark(t *testing.T) {
	in := demoInput(t)
	in.Demo = false
	out, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "real.pdf")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	text := run(t, "pdftotext", "-enc", "UTF-8", file, "-")
	if strings.Contains(text, "DEMONSTRATION") {
		t.Error("a PDF of a real ledger says DEMONSTRATION")
	}
	if !strings.ContainsFunc(text, unicode.IsLetter) {
		t.Error("pdftotext gives no text")
	}
}
