package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger"
)

// schemaSet is docs/schema compiled, with the commands each schema covers
// (its "x-concord-commands").
type schemaSet struct {
	byCommand map[string]*jsonschema.Schema
	file      map[string]string // command -> schema file
}

func loadSchemas(t *testing.T) *schemaSet {
	t.Helper()
	dir := filepath.Join(testtool.RepoRoot(t), "docs", "schema")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in %s (%v)", dir, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// Schemas name each other by $id; serve them from the files.
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if !strings.HasSuffix(id, "/"+filepath.Base(f)) {
			t.Fatalf("%s: $id %q does not end with its file name", f, id)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	set := &schemaSet{byCommand: map[string]*jsonschema.Schema{}, file: map[string]string{}}
	for _, f := range files {
		if filepath.Base(f) == "defs.json" {
			continue
		}
		data, _ := os.ReadFile(f)
		var meta struct {
			ID       string   `json:"$id"`
			Commands []string `json:"x-concord-commands"`
		}
		if err := json.Unmarshal(data, &meta); err != nil || len(meta.Commands) == 0 {
			t.Fatalf("%s: no x-concord-commands (%v)", f, err)
		}
		sch, err := c.Compile(meta.ID)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, cmd := range meta.Commands {
			if set.file[cmd] != "" {
				t.Fatalf("%q is covered by both %s and %s", cmd, set.file[cmd], filepath.Base(f))
			}
			set.byCommand[cmd] = sch
			set.file[cmd] = filepath.Base(f)
		}
	}
	return set
}

// TestJSONSchemas runs every command that prints data with --json on real
// ledgers and validates what it prints against its schema in docs/schema;
// every command with a --json flag must have been run.
func TestJSONSchemas(t *testing.T) {
	set := loadSchemas(t)
	h := newHarness(t)
	dir := t.TempDir()
	p := func(parts ...string) string { return filepath.Join(append([]string{dir}, parts...)...) }
	h.mustRun(runOpts{}, "demo", p("demo"))
	led := p("demo", "ledger")
	key := func(id string) string { return p("demo", "keys", id) }
	as := func(id string) []string { return []string{"--ledger", led, "--as", id, "--key", key(id)} }

	covered := map[string]int{}
	// checkExit runs a command that must exit with code and validates
	// what it prints.
	checkExit := func(code int, schemaFor string, args ...string) map[string]any {
		t.Helper()
		sch := set.byCommand[schemaFor]
		if sch == nil {
			t.Fatalf("no schema covers %q", schemaFor)
		}
		r := h.run(runOpts{}, args...)
		if r.code != code {
			t.Fatalf("concord %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
		}
		covered[schemaFor]++
		var last map[string]any
		lines := []string{r.stdout}
		if schemaFor == "log" {
			lines = strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		}
		for _, l := range lines {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(l))
			if err != nil {
				t.Fatalf("concord %s: not JSON: %v\n%s", strings.Join(args, " "), err, l)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("concord %s: output does not match %s:\n%v\noutput:\n%s", strings.Join(args, " "), set.file[schemaFor], err, l)
			}
			if strings.Contains(l, "null") && schemaFor != "log" && schemaFor != "checkpoint" {
				t.Errorf("concord %s printed a null:\n%s", strings.Join(args, " "), l)
			}
			last, _ = inst.(map[string]any)
		}
		return last
	}
	check := func(schemaFor string, args ...string) map[string]any {
		t.Helper()
		return checkExit(ExitOK, schemaFor, args...)
	}
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		if s == "" {
			t.Fatalf("no %q in %v", k, m)
		}
		return s
	}

	// views of the demo ledger
	check("status", "status", "--ledger", led, "--json")
	check("status", "status", "almaty-consensus", "--ledger", led, "--json")
	check("log", "log", "--ledger", led, "--json")
	check("show", "show", "almaty-consensus", "--ledger", led, "--json")
	check("show", "show", "almaty-consensus", "--version", "1", "--lang", "kk", "--ledger", led, "--json")
	check("diff", "diff", "almaty-consensus", "1", "2", "--ledger", led, "--json")
	check("roster list", "roster", "list", "--ledger", led, "--json")
	check("roster allowed-signers", "roster", "allowed-signers", "--ledger", led, "--json")

	// keys
	check("key new", "key", "new", "--output", p("k", "newu"), "--comment", "new", "--no-passphrase", "--json")
	check("key new", "key", "new", "--output", p("k", "newu2"), "--no-passphrase", "--json")
	check("key show", "key", "show", p("k", "newu"), "--json")
	check("key fingerprint", "key", "fingerprint", p("k", "newu.pub"), "--json")

	// agreements
	writeFile(t, dir, "en.txt", "Article 1. The parties agree.\r\n")
	writeFile(t, dir, "en2.txt", "Article 1. The parties agree.\nArticle 2. Twice.\n")
	writeFile(t, dir, "kk.txt", "1-бап.\n")
	check("propose", append([]string{"propose", "pact", "--title", "Pact", "--text", "en=" + p("en.txt"), "--text", "kk=" + p("kk.txt"),
		"--signers", "xjtu,kaznu", "--rule", "quorum:1", "--json"}, as("xjtu")...)...)
	check("sign", append([]string{"sign", "pact", "--yes", "--version", "1", "--json"}, as("kaznu")...)...)
	check("amend", append([]string{"amend", "pact", "--text", "en=" + p("en2.txt"), "--drop", "kk", "--json"}, as("xjtu")...)...)
	check("sign", append([]string{"sign", "pact", "--yes", "--json"}, as("kaznu")...)...)
	check("status", "status", "pact", "--ledger", led, "--json")
	check("diff", "diff", "pact", "1", "2", "--ledger", led, "--json")
	check("propose", append([]string{"propose", "mou", "--title", "MoU", "--text", "en=" + p("en2.txt"),
		"--signers", "xjtu,kaznu", "--json"}, as("xjtu")...)...)
	check("sign", append([]string{"sign", "mou", "--yes", "--json"}, as("xjtu")...)...)
	check("withdraw", append([]string{"withdraw", "mou", "--yes", "--json"}, as("xjtu")...)...)

	// roster changes
	ch := check("roster add", append([]string{"roster", "add", "newu", "--name", "New", "--title", "Rector", "--institution", "New U",
		"--country", "Kazakhstan", "--pubkey", p("k", "newu.pub"), "--reason", "joins", "--json"}, as("xjtu")...)...)
	check("roster list", "roster", "list", "--ledger", led, "--json") // with a pending change
	check("roster approve", append([]string{"roster", "approve", str(ch, "change"), "--json", "--yes"}, as("kaznu")...)...)
	check("roster rotate", append([]string{"roster", "rotate", "newu", "--pubkey", p("k", "newu2.pub"), "--json"}, as("xjtu")...)...)
	check("roster revoke", append([]string{"roster", "revoke", "demo-tm", "--json"}, as("xjtu")...)...)
	check("roster list", "roster", "list", "--ledger", led, "--json")
	check("log", "log", "--ledger", led, "--json")

	// evidence
	check("witness", append([]string{"witness", "--json"}, as("kaznu")...)...)
	check("checkpoint", append([]string{"checkpoint", "--json"}, as("kaznu")...)...)
	check("checkpoint", append([]string{"checkpoint", "--output", p("cp.note"), "--json"}, as("kaznu")...)...)
	check("export audit-kit", "export", "audit-kit", p("kit"), "--ledger", led, "--json")
	check("export pdf", "export", "pdf", "almaty-consensus", "--output", p("a.pdf"), "--ledger", led, "--json")
	check("export pdf --all", "export", "pdf", "--all", "--output-dir", p("archive"), "--ledger", led, "--json")

	// remotes
	check("clone", "clone", led, p("copy"), "--json")
	check("sync", "sync", "--ledger", p("copy"), "--json")

	// a new ledger: no documents, no pending changes
	stewards := writeFile(t, dir, "stewards.json", `[{"id":"xjtu","name":"N","title":"T","institution":"I","country":"C","key_file":"demo/keys/xjtu.pub"}]`)
	check("init", "init", "--ledger", p("fresh"), "--title", "Fresh", "--stewards", stewards, "--threshold", "1", "--as", "xjtu", "--key", key("xjtu"), "--json")
	check("status", "status", "--ledger", p("fresh"), "--json")
	check("roster list", "roster", "list", "--ledger", p("fresh"), "--json")
	check("log", "log", "--ledger", p("fresh"), "--json")

	check("doctor", "doctor", "--json")

	// verify and verify-pdf, holding and failing
	v := check("verify", "verify", "--ledger", led, "--json")
	head := str(v, "head")
	v = check("verify", "verify", "--ledger", led, "--since", head[:9], "--checkpoint", p("cp.note"), "--ledger-id", str(v, "ledger"), "--json")
	if cps, _ := v["checkpoints"].([]any); len(cps) != 1 {
		t.Errorf("verify --checkpoint reports checkpoints %v", v["checkpoints"])
	}
	if sn, _ := v["since"].(map[string]any); sn["found"] != true || sn["entry"] == nil {
		t.Errorf("verify --since reports %v", v["since"])
	}
	wantCodes := func(m map[string]any, codes ...string) {
		t.Helper()
		var got []string
		for _, p := range m["problems"].([]any) {
			got = append(got, p.(map[string]any)["code"].(string))
		}
		for _, c := range codes {
			if !slices.Contains(got, c) {
				t.Errorf("problems %v have no code %q", m["problems"], c)
			}
		}
		if m["ok"] != false {
			t.Errorf("ok is %v with problems", m["ok"])
		}
	}
	wantCodes(checkExit(ExitInvalid, "verify", "verify", "--ledger", led, "--since", strings.Repeat("0", 40), "--ledger-id", strings.Repeat("1", 64), "--json"),
		"history-rewritten", "ledger-not-pinned")
	check("verify-pdf", "verify-pdf", p("a.pdf"), "--json")
	check("verify-pdf", "verify-pdf", p("a.pdf"), "--ledger", led, "--json")
	wantCodes(checkExit(ExitInvalid, "verify-pdf", "verify-pdf", p("a.pdf"), "--ledger", p("fresh"), "--json"), "ledger-mismatch")
	wantCodes(checkExit(ExitInvalid, "verify-pdf", "verify-pdf", p("a.pdf"), "--ledger-id", strings.Repeat("1", 64), "--json"), "ledger-not-pinned")
	t.Run("tampered", func(t *testing.T) {
		git := testtool.Require(t, "git")
		// An unsigned commit on the ledger's branch, made with stock git:
		// the problem is tied to an entry and a commit.
		run := func(args ...string) string {
			t.Helper()
			out, err := exec.Command(git, append([]string{"-C", led, "-c", "user.name=x", "-c", "user.email=x@example.org"}, args...)...).Output()
			if err != nil {
				t.Fatalf("git %v: %v", args, err)
			}
			return strings.TrimSpace(string(out))
		}
		c := run("commit-tree", "-p", "main", "-m", "unsigned", "main^{tree}")
		run("update-ref", "refs/heads/main", c)
		m := checkExit(ExitInvalid, "verify", "verify", "--ledger", led, "--json")
		wantCodes(m, "commit-unsigned")
		if p := m["problems"].([]any)[0].(map[string]any); p["entry"] == nil || p["commit"] != c {
			t.Errorf("the unsigned commit's problem %v does not name its entry and commit %s", p, c)
		}
	})

	// every schema's commands were run, and every --json flag has a schema
	for cmd := range set.byCommand {
		if covered[cmd] == 0 {
			t.Errorf("no output of %q was validated against %s", cmd, set.file[cmd])
		}
	}
	var missing []string
	for _, c := range allCommands(t) {
		path := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "concord"), " ")
		if c.Flags().Lookup("json") == nil {
			continue
		}
		if set.byCommand[path] == nil {
			missing = append(missing, path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("commands with --json but no schema in docs/schema: %v", missing)
	}
}

// TestEveryDataCommandHasJSON: every command that prints data has --json
// (man, demo, completion and help print text for people).
func TestEveryDataCommandHasJSON(t *testing.T) {
	textOnly := []string{"", "man", "demo", "completion", "help", "key", "roster", "export"}
	for _, c := range allCommands(t) {
		path := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "concord"), " ")
		if slices.Contains(textOnly, path) || strings.HasPrefix(path, "completion ") {
			continue
		}
		if c.Flags().Lookup("json") == nil {
			t.Errorf("%s prints data but has no --json", c.CommandPath())
		}
	}
}

// TestSchemasRefuseDrift: the schemas are strict enough to catch what the
// contract forbids: a null list, a missing or unknown field, a version as
// a "doc v2" string.
func TestSchemasRefuseDrift(t *testing.T) {
	set := loadSchemas(t)
	good := `{"document":"pact","from":1,"to":2,"languages":[{"lang":"en","changed":true,"diff":"-a\n+b\n","note":""}]}`
	for name, inst := range map[string]string{
		"null list":     `{"document":"pact","from":1,"to":2,"languages":null}`,
		"missing field": `{"document":"pact","from":1,"languages":[]}`,
		"unknown field": `{"document":"pact","from":1,"to":2,"languages":[],"extra":1}`,
		"version text":  `{"document":"pact","from":"pact v1","to":2,"languages":[]}`,
		"bad language":  `{"document":"pact","from":1,"to":2,"languages":[{"lang":"English","changed":true,"diff":"","note":""}]}`,
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(inst))
		if err != nil {
			t.Fatal(err)
		}
		if set.byCommand["diff"].Validate(v) == nil {
			t.Errorf("%s: %s passes diff.json", name, inst)
		}
	}
	v, _ := jsonschema.UnmarshalJSON(strings.NewReader(good))
	if err := set.byCommand["diff"].Validate(v); err != nil {
		t.Errorf("a good diff fails diff.json: %v", err)
	}
}

// TestProblemCodesInSchema: the codes a problem of verify or verify-pdf may
// carry are exactly those defs.json allows and docs/JSON.md documents.
func TestProblemCodesInSchema(t *testing.T) {
	root := testtool.RepoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "docs", "schema", "defs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var defs struct {
		Defs struct {
			Problem struct {
				Properties struct {
					Code struct {
						Enum []string `json:"enum"`
					} `json:"code"`
				} `json:"properties"`
			} `json:"problem"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &defs); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "JSON.md"))
	if err != nil {
		t.Fatal(err)
	}
	codes := append(ledger.ProblemCodes(), evidence.PDFProblemCodes()...)
	if !slices.Equal(defs.Defs.Problem.Properties.Code.Enum, codes) {
		t.Errorf("defs.json's problem codes %q, the code's %q", defs.Defs.Problem.Properties.Code.Enum, codes)
	}
	for _, c := range codes {
		if !strings.Contains(string(doc), "| `"+c+"` |") {
			t.Errorf("docs/JSON.md does not document the problem code %q", c)
		}
	}
}
