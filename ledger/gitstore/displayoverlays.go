package gitstore

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// displayOverlays returns what, in the repository's own config and
// info/attributes, makes stock git print other text than the objects
// hold (gitattributes(5), git-config(5)):
//   - a diff driver with a textconv or an external command, or a filter
//     with a smudge or process command, that the attributes (info/attributes,
//     or the file core.attributesFile names) give to some files: git show
//     and git log -p print converted text, a checkout holds filtered files;
//   - a mailmap (mailmap.file, mailmap.blob): git log prints other authors.
//
// Settings in the user's or the system's config are the reader's own, not
// the repository's, and are not read.
func (g *Repo) displayOverlays() []string {
	cfg, err := g.r.Config()
	if err != nil {
		return nil
	}
	raw := cfg.Raw
	var out []string
	used := g.attributeDrivers(raw.Section("core").Option("attributesFile"))
	for _, kind := range []struct{ section, what string }{{"diff", "diff"}, {"filter", "filter"}} {
		for _, sub := range raw.Section(kind.section).Subsections {
			if !used[kind.what+"="+sub.Name] {
				continue
			}
			for _, key := range []string{"textconv", "command", "smudge", "process"} {
				if v := sub.Option(key); v != "" {
					out = append(out, fmt.Sprintf("%s.%s.%s (%q), which the attributes give to files: stock git shows those files through it", kind.section, sub.Name, key, v))
				}
			}
		}
	}
	for _, key := range []string{"file", "blob"} {
		if v := raw.Section("mailmap").Option(key); v != "" {
			out = append(out, fmt.Sprintf("mailmap.%s (%q): stock git log shows other names and addresses for the signatories", key, v))
		}
	}
	sort.Strings(out)
	return out
}

// attributeDrivers returns the drivers ("diff=NAME", "filter=NAME") the
// repository's attribute files give to files or to macros: info/attributes
// and the file attributesFile names (relative to the git folder, as a
// bare repository's git runs there).
func (g *Repo) attributeDrivers(attributesFile string) map[string]bool {
	used := map[string]bool{}
	files := []string{filepath.Join(g.GitDir(), "info", "attributes")}
	if attributesFile != "" && !strings.HasPrefix(attributesFile, "~") {
		if !filepath.IsAbs(attributesFile) {
			attributesFile = filepath.Join(g.GitDir(), attributesFile)
		}
		files = append(files, attributesFile)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			for _, tok := range strings.Fields(line)[1:] {
				if strings.HasPrefix(tok, "diff=") || strings.HasPrefix(tok, "filter=") {
					used[tok] = true
				}
			}
		}
	}
	return used
}
