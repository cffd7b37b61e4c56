package gitstore

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	formatcfg "github.com/go-git/go-git/v5/plumbing/format/config"
)

// displayOverlays returns what, in the repository's own config (and the
// files it includes) and attribute files, makes stock git print other
// text than the objects hold (gitattributes(5), git-config(5)):
//   - a diff driver with a textconv or an external command, or a filter
//     with a smudge or process command, that the attributes (info/attributes,
//     the file core.attributesFile names, and in a checkout the working
//     tree's .gitattributes files) give to some files: git show, git log -p
//     and git diff print converted text, a checkout holds filtered files;
//   - diff.external: git diff prints what that command prints;
//   - a mailmap (mailmap.file, mailmap.blob, a checkout's .mailmap): git
//     log prints other authors;
//   - format.pretty naming a format of its own (not one of git's): git log
//     prints that text for every entry;
//   - a pager command that is not a plain pager (core.pager, pager.log,
//     pager.show): what git prints on a terminal goes through it.
//
// Notes refs git log shows are reported by Overlays (notesShown).
// Settings in the user's or the system's config are the reader's own, not
// the repository's, and are not read.
func (g *Repo) displayOverlays() []string {
	cfgs := g.ownConfigs()
	values := func(section, sub, key string) []string {
		var out []string
		for _, c := range cfgs {
			if !c.HasSection(section) {
				continue
			}
			s := c.Section(section)
			if sub == "" {
				out = append(out, s.Options.GetAll(key)...)
			} else if s.HasSubsection(sub) {
				out = append(out, s.Subsection(sub).Options.GetAll(key)...)
			}
		}
		return out
	}
	subsections := func(section string) []string {
		seen := map[string]bool{}
		var out []string
		for _, c := range cfgs {
			if !c.HasSection(section) {
				continue
			}
			for _, s := range c.Section(section).Subsections {
				if !seen[s.Name] {
					seen[s.Name] = true
					out = append(out, s.Name)
				}
			}
		}
		return out
	}
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	used := g.attributeDrivers(values("core", "", "attributesFile"))
	for _, kind := range []struct {
		section string
		keys    []string
	}{{"diff", []string{"textconv", "command"}}, {"filter", []string{"smudge", "process"}}} {
		for _, sub := range subsections(kind.section) {
			if !used[kind.section+"="+sub] {
				continue
			}
			for _, key := range kind.keys {
				for _, v := range values(kind.section, sub, key) {
					if v != "" {
						add("%s.%s.%s (%q), which the attributes give to files: stock git shows those files through it", kind.section, sub, key, v)
					}
				}
			}
		}
	}
	for _, v := range values("diff", "", "external") {
		if v != "" {
			add("diff.external (%q): stock git diff shows the history's changes through it", v)
		}
	}
	for _, key := range []string{"file", "blob"} {
		for _, v := range values("mailmap", "", key) {
			if v != "" && (key != "file" || mapsNames(v)) {
				add("mailmap.%s (%q): stock git log shows other names and addresses for the signatories", key, v)
			}
		}
	}
	if wt := g.checkout(); wt != "" {
		if fi, err := os.Lstat(filepath.Join(wt, ".mailmap")); err == nil && !fi.IsDir() {
			add("the checkout's .mailmap: stock git log shows other names and addresses for the signatories")
		}
	}
	for _, v := range values("format", "", "pretty") {
		if f := prettyFormat(v, func(name string) []string { return values("pretty", "", name) }); !builtinPretty[f] && !placeholdersOnly(f) {
			add("format.pretty (%q): stock git log prints each entry as %q", v, f)
		}
	}
	for _, sub := range []string{"", "ssh", "openpgp", "x509"} {
		for _, v := range values("gpg", sub, "program") {
			if v != "" {
				key := "gpg." + sub + ".program"
				if sub == "" {
					key = "gpg.program"
				}
				add("%s (%q): stock git verify-commit and log --show-signature say what it says of the signatures", key, v)
			}
		}
	}
	for _, v := range values("gpg", "ssh", "revocationFile") {
		if p := expandHome(v); p != "" {
			if !filepath.IsAbs(p) {
				p = filepath.Join(g.GitDir(), p)
			}
			if data, err := os.ReadFile(p); err == nil && len(bytes.TrimSpace(data)) > 0 {
				add("gpg.ssh.revocationFile (%q): stock git verify-commit and log --show-signature refuse the signatures of the keys it lists", v)
			}
		}
	}
	for _, v := range values("log", "", "date") {
		if !plainDateFormat(v) {
			add("log.date (%q): stock git log prints each entry's date with that text", v)
		}
	}
	for _, key := range []struct{ section, key string }{{"core", "pager"}, {"pager", "log"}, {"pager", "show"}, {"pager", "diff"}} {
		for _, v := range values(key.section, "", key.key) {
			if !plainPager(v) {
				add("%s.%s (%q): what stock git prints on a terminal goes through it", key.section, key.key, v)
			}
		}
	}
	sort.Strings(out)
	return out
}

// plainDateFormat reports whether a log.date setting prints each date as
// it is: one of git's date styles, or a strftime format of directives
// and separators only. Any other text ('format:2020-01-01', 'format:%F
// in Bishkek') is printed for every entry as its date.
func plainDateFormat(v string) bool {
	f, ok := strings.CutPrefix(v, "format:")
	if !ok {
		f, ok = strings.CutPrefix(v, "format-local:")
	}
	if !ok {
		return true // a style: relative, local, iso, rfc, short, raw, human, unix, default
	}
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c == '%' && i+1 < len(f):
			i++
		case strings.IndexByte(" -:/.,T+", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// placeholdersOnly reports whether a format.pretty value ("format:…",
// "tformat:…", or a bare format with a '%') prints the commit's own fields
// and nothing else: once every placeholder is taken out (%(…), %C(…),
// %Cred…%Creset, %<(…) and the other column ones, %x00, and '%' with up to
// two letters, the longest git has),
// no letter or digit is left. Text of its own ('%h ratified in Bishkek')
// is left, and makes it an overlay.
func placeholdersOnly(f string) bool {
	body, ok := strings.CutPrefix(f, "format:")
	if !ok {
		body, ok = strings.CutPrefix(f, "tformat:")
	}
	if !ok {
		if !strings.Contains(f, "%") {
			return false // an alias git does not know: an error, reported as a format of its own
		}
		body = f
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '%' && i+1 < len(body) {
			i++
			group := i // where '(' must be for a %(…), %C(…), %<(…), %>>(…)
			switch body[i] {
			case 'C':
				group = i + 1
				for _, name := range []string{"red", "green", "blue", "reset"} {
					if strings.HasPrefix(body[i+1:], name) {
						i += len(name)
						group = -1
						break
					}
				}
			case '<', '>':
				group = i + 1
				for group < len(body) && group < i+3 && strings.IndexByte("<>|", body[group]) >= 0 {
					group++
				}
			}
			if group >= 0 && group < len(body) && body[group] == '(' {
				if j := strings.IndexByte(body[group:], ')'); j >= 0 {
					i = group + j
					continue
				}
			}
			if group < 0 {
				continue
			}
			if body[i] == 'x' {
				i += 2
				continue
			}
			if i+1 < len(body) && isLetter(body[i]) && isLetter(body[i+1]) {
				i++
			}
			continue
		}
		if isLetter(c) || c >= '0' && c <= '9' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 }

// mapsNames reports whether the mailmap file a mailmap.file setting
// names may map a name: false only for an absolute path (after ~/) that
// cannot be read or holds no mapping, comments and blank lines aside. A
// relative path is git's current folder's, which is not known here.
func mapsNames(file string) bool {
	p := expandHome(file)
	if p == "" || !filepath.IsAbs(p) {
		return true
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			return true
		}
	}
	return false
}

// builtinPretty are git's own formats (git-log(1) PRETTY FORMATS): they
// print what the commit holds and nothing else.
var builtinPretty = map[string]bool{"oneline": true, "short": true, "medium": true, "full": true,
	"fuller": true, "reference": true, "email": true, "mboxrd": true, "raw": true}

// prettyFormat resolves a format.pretty value through pretty.NAME
// aliases (alias gives an alias's values) to the format git uses.
func prettyFormat(v string, alias func(string) []string) string {
	for range 10 {
		if builtinPretty[strings.ToLower(v)] {
			return strings.ToLower(v)
		}
		a := alias(v)
		if len(a) == 0 {
			return v
		}
		v = a[len(a)-1]
	}
	return v
}

// plainPager reports whether a pager setting only pages: a boolean
// (pager.CMD = false) or less, more, most or cat with options, nothing a
// shell would run besides.
func plainPager(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "true", "false", "yes", "no", "on", "off", "1", "0":
		return true
	}
	if strings.ContainsAny(v, "|;&$`<>()\\\"'\n\r") {
		return false
	}
	f := strings.Fields(v)
	switch path.Base(f[0]) {
	case "less", "more", "most", "cat":
	default:
		return false
	}
	for _, a := range f[1:] {
		if !strings.HasPrefix(a, "-") {
			return false
		}
	}
	return true
}

// AllowedSignersFiles returns the files gpg.ssh.allowedSignersFile names
// in the repository's own config (and the files it includes): the keys
// and names stock git verify-commit and log --show-signature check the
// ledger's commits against. A relative path is taken from the checkout,
// or from the git folder of a bare repository, where git runs.
func (g *Repo) AllowedSignersFiles() []string {
	var out []string
	for _, c := range g.ownConfigs() {
		if !c.HasSection("gpg") || !c.Section("gpg").HasSubsection("ssh") {
			continue
		}
		for _, p := range c.Section("gpg").Subsection("ssh").Options.GetAll("allowedSignersFile") {
			if p = expandHome(p); p == "" {
				continue
			}
			if !filepath.IsAbs(p) {
				base := g.checkout()
				if base == "" {
					base = g.GitDir()
				}
				p = filepath.Join(base, p)
			}
			out = append(out, p)
		}
	}
	return out
}

// maxIncludeDepth is git's own bound on nested includes (config.c).
const maxIncludeDepth = 10

// ownConfigs returns the repository's own config files, parsed: config,
// config.worktree of the worktree it is opened at, and every file they
// include (include.path, includeIf.*.path, whatever the condition: the
// condition is the reader's, the file the repository's), in git's order.
func (g *Repo) ownConfigs() []*formatcfg.Config {
	var out []*formatcfg.Config
	var read func(file string, depth int)
	read = func(file string, depth int) {
		if depth > maxIncludeDepth {
			return
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return
		}
		c := formatcfg.New()
		if err := formatcfg.NewDecoder(bytes.NewReader(data)).Decode(c); err != nil {
			return
		}
		out = append(out, c)
		var paths []string
		if c.HasSection("include") {
			paths = append(paths, c.Section("include").Options.GetAll("path")...)
		}
		if c.HasSection("includeIf") {
			for _, s := range c.Section("includeIf").Subsections {
				paths = append(paths, s.Options.GetAll("path")...)
			}
		}
		for _, p := range paths {
			if p = expandHome(p); p == "" {
				continue
			}
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(file), p)
			}
			read(p, depth+1)
		}
	}
	read(filepath.Join(g.GitDir(), "config"), 0)
	if g.headDir() != g.GitDir() {
		read(filepath.Join(g.headDir(), "config.worktree"), 0)
	} else {
		read(filepath.Join(g.GitDir(), "config.worktree"), 0)
	}
	return out
}

// expandHome expands a leading ~/ as git does for paths in its config;
// "" for a ~user it does not resolve.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		return filepath.Join(home, p[1:])
	}
	if strings.HasPrefix(p, "~") {
		return ""
	}
	return p
}

// attributeDrivers returns the drivers ("diff=NAME", "filter=NAME") the
// repository's attribute files give to files or to macros: info/attributes,
// the files attributesFiles name (relative to the git folder, as a bare
// repository's git runs there) and, in a checkout, every .gitattributes
// in the working tree.
func (g *Repo) attributeDrivers(attributesFiles []string) map[string]bool {
	used := map[string]bool{}
	files := []string{filepath.Join(g.GitDir(), "info", "attributes")}
	for _, f := range attributesFiles {
		if f = expandHome(f); f == "" {
			continue
		}
		if !filepath.IsAbs(f) {
			f = filepath.Join(g.GitDir(), f)
		}
		files = append(files, f)
	}
	if wt := g.checkout(); wt != "" {
		filepath.WalkDir(wt, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			if !d.IsDir() && d.Name() == ".gitattributes" {
				files = append(files, p)
			}
			return nil
		})
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

// notesShown returns whether stock git log shows the notes of ref: the
// default notes ref (refs/notes/commits, or core.notesRef in the
// repository's own config) and those notes.displayRef names (globs).
func (g *Repo) notesShown() func(ref string) bool {
	def := "refs/notes/commits"
	var display []string
	for _, c := range g.ownConfigs() {
		if c.HasSection("core") {
			if v := c.Section("core").Options.GetAll("notesRef"); len(v) > 0 && v[len(v)-1] != "" {
				def = v[len(v)-1]
			}
		}
		if c.HasSection("notes") {
			display = append(display, c.Section("notes").Options.GetAll("displayRef")...)
		}
	}
	return func(ref string) bool {
		if ref == def {
			return true
		}
		for _, d := range display {
			if ok, _ := path.Match(d, ref); ok || d == ref {
				return true
			}
		}
		return false
	}
}
