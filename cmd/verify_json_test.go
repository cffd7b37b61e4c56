package cmd

import (
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestVerifySchemasRefuseDrift: verify.json and verify-pdf.json refuse what
// the contract forbids: a ratified version as a "doc v2" string, a problem
// without a code or with an unknown one, "entry": -1, a null list.
func TestVerifySchemasRefuseDrift(t *testing.T) {
	set := loadSchemas(t)
	const fp = "SHA256:rAcj+D4wd9BYQpMjc8hZWExRlbrWPjbSngxKsbAPnVw"
	id, head := strings.Repeat("ab", 32), strings.Repeat("cd", 20)
	verify := func(ratified, problems string) string {
		return `{"ok":false,"ledger":"` + id + `","title":"T","demo":false,"head":"` + head + `","entries":3,"signatures":5,
"stewards":[{"id":"xjtu","name":"N","fingerprint":"` + fp + `"}],"pinned":"","documents":[],"ratified":` + ratified + `,
"checkpoints":[],"problems":` + problems + `,"notes":[]}`
	}
	good := verify(`[{"document":"pact","version":2,"entry":21}]`, `[{"code":"commit-unsigned","what":"commit is not signed","entry":2,"commit":"`+head+`"},{"code":"overlay","what":"x"}]`)
	for name, inst := range map[string]string{
		"ratified as text":  verify(`["pact v2"]`, `[]`),
		"ratified null":     verify(`null`, `[]`),
		"problem as text":   verify(`[]`, `["entry 2: commit is not signed"]`),
		"problem no code":   verify(`[]`, `[{"what":"x"}]`),
		"unknown code":      verify(`[]`, `[{"code":"bad-thing","what":"x"}]`),
		"entry -1":          verify(`[]`, `[{"code":"overlay","what":"x","entry":-1}]`),
		"problems null":     verify(`[]`, `null`),
		"unknown field":     strings.Replace(good, `"notes":[]`, `"notes":[],"extra":1`, 1),
		"missing documents": strings.Replace(good, `"documents":[],`, ``, 1),
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(inst))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if set.byCommand["verify"].Validate(v) == nil {
			t.Errorf("%s: passes verify.json:\n%s", name, inst)
		}
	}
	v, _ := jsonschema.UnmarshalJSON(strings.NewReader(good))
	if err := set.byCommand["verify"].Validate(v); err != nil {
		t.Errorf("a good report fails verify.json: %v", err)
	}
	pdfProblem := `{"ok":false,"file":"a.pdf","ledger":"` + id + `","title":"T","demo":false,"stewards":[],"pinned":"","document":"pact",
"version":1,"head":"` + head + `","entry":3,"entries":4,"ratified":false,"files":9,"signatures":5,"decisions":1,"rendered":false,
"ledger_dir":"","problems":[PROBLEM]}`
	for name, p := range map[string]string{
		"text":     `"its pages differ"`,
		"entry -1": `{"code":"pages-differ","what":"x","entry":-1}`,
		"no code":  `{"what":"x"}`,
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(strings.Replace(pdfProblem, "PROBLEM", p, 1)))
		if set.byCommand["verify-pdf"].Validate(v) == nil {
			t.Errorf("a problem %s passes verify-pdf.json", name)
		}
	}
	v, _ = jsonschema.UnmarshalJSON(strings.NewReader(strings.Replace(pdfProblem, "PROBLEM", `{"code":"pages-differ","what":"x"}`, 1)))
	if err := set.byCommand["verify-pdf"].Validate(v); err != nil {
		t.Errorf("a good verify-pdf report fails verify-pdf.json: %v", err)
	}
}
